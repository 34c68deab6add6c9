package org.citytwin.twin;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.citytwin.twin.search.Fields;
import org.citytwin.twin.search.RqlFilter;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.policies.model.Policy;
import org.eclipse.ditto.things.model.ThingId;

/**
 * What one caller may read of the twins at one moment: the whole district (the command centre, or
 * an API without authentication), or a department's own namespace plus the things other departments
 * lent it through {@link AccessGrant}s in force.
 *
 * <p>A lent thing is one of the owner's namespace that a grant's filter selects, tested against the
 * whole thing. Of it the caller sees what the namespace's Ditto policy with the grants' entries
 * ({@link DepartmentPolicies#withGrants}) lets {@code department:<caller>} read, decided by {@link
 * PolicyEvaluator}: the parts named by the grants' paths, and nothing once they expire. Searches
 * and filters of the caller read only those parts, so that a filter on a part not lent matches
 * nothing instead of telling its value.
 *
 * <p>A grant that lends writing lets the caller change, in the same way, the lent parts of the
 * things it covers ({@link #mayWrite}); its own namespace it changes whole.
 *
 * <p>Immutable; build one per request (or per delivered message) so that grants approved, revoked
 * or expired since count at once.
 */
public final class ReadScope {

  private static final ReadScope WHOLE_DISTRICT = new ReadScope(Optional.empty(), Map.of(), null);

  private final Optional<String> department;
  // Owner namespace -> the grants lent by it to this department, in force at the scope's time.
  private final Map<String, List<Lent>> lentByOwner;
  private final Instant now;

  /** A grant in force, its filter parsed once. */
  private record Lent(AccessGrant grant, Optional<RqlFilter> filter) {}

  private ReadScope(Optional<String> department, Map<String, List<Lent>> lent, Instant now) {
    this.department = department;
    this.lentByOwner = lent;
    this.now = now;
  }

  /** Everything: the command centre, or an API that runs without authentication. */
  public static ReadScope wholeDistrict() {
    return WHOLE_DISTRICT;
  }

  /**
   * {@code department}'s scope at {@code now}: its namespace, and what {@code grants} lend it then
   * (grants to other departments, and ones not in force, are left out).
   */
  public static ReadScope of(String department, Collection<AccessGrant> grants, Instant now) {
    Map<String, List<Lent>> lent = new HashMap<>();
    for (AccessGrant grant : grants) {
      if (grant.lendsTo(department, now)) {
        lent.computeIfAbsent(grant.owner(), owner -> new ArrayList<>())
            .add(new Lent(grant, grant.filter().map(RqlFilter::parse)));
      }
    }
    return new ReadScope(Optional.of(department), Map.copyOf(lent), now);
  }

  public boolean isWholeDistrict() {
    return department.isEmpty();
  }

  /** The caller's department; empty for the whole district. */
  public Optional<String> department() {
    return department;
  }

  /** Whether every thing of {@code namespace} is the caller's to read whole. */
  public boolean owns(String namespace) {
    return department.map(namespace::equals).orElse(true);
  }

  /**
   * The namespaces in which the caller may read anything (its own and those lending to it); only
   * meaningful when not {@link #isWholeDistrict()}.
   */
  public Set<String> namespaces() {
    Set<String> namespaces = new LinkedHashSet<>();
    department.ifPresent(namespaces::add);
    namespaces.addAll(lentByOwner.keySet());
    return namespaces;
  }

  /** The grants in force that cover the thing with these values; empty for its own things. */
  public List<AccessGrant> grantsCovering(ThingId thingId, Fields fields) {
    List<Lent> lent = lentByOwner.get(thingId.getNamespace());
    if (lent == null || owns(thingId.getNamespace())) {
      return List.of();
    }
    List<AccessGrant> covering = new ArrayList<>(lent.size());
    for (Lent grant : lent) {
      if (grant.filter().map(filter -> filter.test(fields)).orElse(true)) {
        covering.add(grant.grant());
      }
    }
    return covering;
  }

  /**
   * The values of the thing the caller may read, for filters and sorting: all of them for its own
   * things, the lent parts of a lent thing, empty when it may read nothing of it.
   */
  public Optional<Fields> readable(ThingId thingId, Fields fields) {
    if (owns(thingId.getNamespace())) {
      return Optional.of(fields);
    }
    List<AccessGrant> covering = grantsCovering(thingId, fields);
    if (covering.isEmpty()) {
      return Optional.empty();
    }
    List<JsonPointer> paths = new ArrayList<>();
    covering.forEach(grant -> paths.addAll(grant.paths()));
    return Optional.of(new LentFields(thingId, fields, paths, covering));
  }

  /**
   * Whether the caller may read the part of the thing at {@code path} (a feature property's
   * history, say): anywhere in its own things, within a lent path of a lent thing.
   */
  public boolean mayRead(ThingId thingId, Fields fields, JsonPointer path) {
    return may(thingId, fields, path, PolicyEvaluator.READ);
  }

  /**
   * Whether the caller may change the part of the thing at {@code path} ({@code /} for the whole
   * thing, its creation or deletion): anywhere in its own namespace, within a path a grant for
   * writing lends of a lent thing.
   */
  public boolean mayWrite(ThingId thingId, Fields fields, JsonPointer path) {
    return may(thingId, fields, path, PolicyEvaluator.WRITE);
  }

  private boolean may(ThingId thingId, Fields fields, JsonPointer path, String permission) {
    if (owns(thingId.getNamespace())) {
      return true;
    }
    List<AccessGrant> covering = grantsCovering(thingId, fields);
    if (covering.isEmpty()) {
      return false;
    }
    return new PolicyEvaluator(Clock.fixed(now, ZoneOffset.UTC))
        .hasPermission(
            DepartmentPolicies.withGrants(thingId.getNamespace(), covering, now),
            Set.of(DepartmentPolicies.subject(department.orElseThrow())),
            "thing",
            path,
            permission);
  }

  /**
   * The caller's view of a thing's JSON (whole or partial, as Ditto's {@link
   * PolicyEvaluator#readableView} gives it), or empty when it may read none of it: answered as not
   * found. {@code fields} are the thing's values, for the grants' filters.
   */
  public Optional<JsonObject> view(ThingId thingId, Fields fields, JsonObject thingJson) {
    if (owns(thingId.getNamespace())) {
      return Optional.of(thingJson);
    }
    return view(thingId, grantsCovering(thingId, fields), thingJson);
  }

  private Optional<JsonObject> view(
      ThingId thingId, List<AccessGrant> covering, JsonObject thingJson) {
    if (covering.isEmpty()) {
      return Optional.empty();
    }
    Policy policy = DepartmentPolicies.withGrants(thingId.getNamespace(), covering, now);
    JsonObject view =
        new PolicyEvaluator(Clock.fixed(now, ZoneOffset.UTC))
            .readableView(
                policy, Set.of(DepartmentPolicies.subject(department.orElseThrow())), thingJson);
    return view.isEmpty() ? Optional.empty() : Optional.of(view);
  }

  /** A lent thing's values, answered only inside the lent paths. */
  private final class LentFields implements Fields {
    private final ThingId thingId;
    private final Fields all;
    private final List<JsonPointer> paths;
    private final List<AccessGrant> covering;

    LentFields(ThingId thingId, Fields all, List<JsonPointer> paths, List<AccessGrant> covering) {
      this.thingId = thingId;
      this.all = all;
      this.paths = paths;
      this.covering = covering;
    }

    @Override
    public Optional<JsonValue> get(JsonPointer pointer) {
      if (pointer.getLevelCount() == 1
          && pointer.getRoot().map(key -> key.toString().equals("thingId")).orElse(false)) {
        return all.get(pointer);
      }
      for (JsonPointer path : paths) {
        if (isWithin(pointer, path)) {
          return all.get(pointer);
        }
      }
      for (JsonPointer path : paths) {
        if (isWithin(path, pointer)) {
          // Above a lent part: what of it is lent, built from the thing's whole JSON.
          return all.get(JsonPointer.empty())
              .filter(JsonValue::isObject)
              .flatMap(whole -> view(thingId, covering, whole.asObject()))
              .flatMap(view -> pointer.isEmpty() ? Optional.of(view) : view.getValue(pointer));
        }
      }
      return Optional.empty();
    }
  }

  /** Whether {@code pointer} is {@code path} or lies below it. */
  static boolean isWithin(JsonPointer pointer, JsonPointer path) {
    if (pointer.getLevelCount() < path.getLevelCount()) {
      return false;
    }
    for (int level = 0; level < path.getLevelCount(); level++) {
      if (!pointer.get(level).equals(path.get(level))) {
        return false;
      }
    }
    return true;
  }
}
