package org.citytwin.twin;

import java.time.Clock;
import java.util.Set;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonField;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonObjectBuilder;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.policies.model.EffectedPermissions;
import org.eclipse.ditto.policies.model.Policy;
import org.eclipse.ditto.policies.model.PolicyEntry;
import org.eclipse.ditto.policies.model.Resource;
import org.eclipse.ditto.policies.model.Subject;

/**
 * Decides what subjects may do to a resource under a Ditto {@link Policy}, with Ditto's documented
 * rules:
 *
 * <ul>
 *   <li>a grant or revoke on a path applies to it and everything below it, until a deeper path of
 *       any entry decides otherwise: the deepest decision wins;
 *   <li>at one path, a revoke in any entry beats a grant in another;
 *   <li>a subject whose {@code expiry} has passed counts for nothing;
 *   <li>no decision on the path or above it means no permission.
 * </ul>
 *
 * <p>A reader sees only the parts of a thing it may read ({@link #readableView}); one that may read
 * nothing is told the thing does not exist, as Ditto does.
 */
public final class PolicyEvaluator {

  public static final String READ = "READ";
  public static final String WRITE = "WRITE";

  private final Clock clock;

  public PolicyEvaluator(Clock clock) {
    this.clock = clock;
  }

  /**
   * Whether {@code subjects} hold {@code permission} on {@code path} of a resource type.
   *
   * @param resourceType {@code thing}, {@code policy} or {@code message}
   * @param path the resource path, for example {@code /features/camera/properties}
   */
  public boolean hasPermission(
      Policy policy,
      Set<String> subjects,
      String resourceType,
      JsonPointer path,
      String permission) {
    JsonPointer level = path;
    while (true) {
      Boolean decision = decisionAt(policy, subjects, resourceType, level, permission);
      if (decision != null) {
        return decision;
      }
      if (level.isEmpty()) {
        return false;
      }
      level = level.cutLeaf();
    }
  }

  /**
   * The parts of {@code thing} (its JSON) that {@code subjects} may read, with the thing id
   * whenever anything is readable; empty if nothing is.
   */
  public JsonObject readableView(Policy policy, Set<String> subjects, JsonObject thing) {
    JsonValue view = readable(policy, subjects, thing, JsonPointer.empty());
    if (view == null || (view.isObject() && view.asObject().isEmpty())) {
      return JsonFactory.newObject();
    }
    JsonObject object = view.asObject();
    return thing
        .getValue("thingId")
        .map(id -> JsonFactory.newObjectBuilder().set("thingId", id).setAll(object).build())
        .orElse(object);
  }

  private JsonValue readable(
      Policy policy, Set<String> subjects, JsonValue value, JsonPointer path) {
    if (value.isObject() && !value.asObject().isEmpty()) {
      JsonObjectBuilder children = JsonFactory.newObjectBuilder();
      for (JsonField field : value.asObject()) {
        JsonValue child =
            readable(policy, subjects, field.getValue(), path.addLeaf(field.getKey()));
        if (child != null) {
          children.set(field.getKey(), child);
        }
      }
      JsonObject built = children.build();
      return built.isEmpty() ? null : built;
    }
    return hasPermission(policy, subjects, "thing", path, READ) ? value : null;
  }

  private Boolean decisionAt(
      Policy policy,
      Set<String> subjects,
      String resourceType,
      JsonPointer level,
      String permission) {
    boolean granted = false;
    for (PolicyEntry entry : policy.getEntriesSet()) {
      if (!appliesTo(entry, subjects)) {
        continue;
      }
      for (Resource resource : entry.getResources()) {
        if (!resource.getResourceKey().getResourceType().equals(resourceType)
            || !resource.getResourceKey().getResourcePath().equals(level)) {
          continue;
        }
        EffectedPermissions effect = resource.getEffectedPermissions();
        if (effect.getRevokedPermissions().contains(permission)) {
          return false;
        }
        granted |= effect.getGrantedPermissions().contains(permission);
      }
    }
    return granted ? Boolean.TRUE : null;
  }

  private boolean appliesTo(PolicyEntry entry, Set<String> subjects) {
    for (Subject subject : entry.getSubjects()) {
      boolean active =
          subject
              .getExpiry()
              .map(expiry -> expiry.getTimestamp().isAfter(clock.instant()))
              .orElse(true);
      if (active && subjects.contains(subject.getId().toString())) {
        return true;
      }
    }
    return false;
  }
}
