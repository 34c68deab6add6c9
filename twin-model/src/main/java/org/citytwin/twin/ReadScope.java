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
import org.eclipse.ditto.policies.model.PolicyId;
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
 * <p>A thing whose {@code policyId} names a policy its department keeps ({@link
 * DepartmentPolicies#whyNotKeepable}) follows that policy instead of its namespace's, with the
 * grants covering it added: it decides what the caller reads (revokes included) and writes.
 *
 * <p>Immutable; build one per request (or per delivered message) so that grants approved, revoked
 * or expired since count at once.
 */
public final class ReadScope {

  private static final ReadScope WHOLE_DISTRICT =
      new ReadScope(Optional.empty(), Map.of(), Map.of(), null);

  private static final JsonPointer POLICY_ID = JsonPointer.of("/policyId");

  private final Optional<String> department;
  // Owner namespace -> the grants lent by it to this department, in force at the scope's time.
  private final Map<String, List<Lent>> lentByOwner;
  // Other departments' own policies that name this department: a thing referring to one of them
  // by its policyId follows it.
  private final Map<PolicyId, Policy> policiesNamingIt;
  private final Instant now;

  /** A grant in force, its filter parsed once. */
  private record Lent(AccessGrant grant, Optional<RqlFilter> filter) {}

  private ReadScope(
      Optional<String> department,
      Map<String, List<Lent>> lent,
      Map<PolicyId, Policy> policiesNamingIt,
      Instant now) {
    this.department = department;
    this.lentByOwner = lent;
    this.policiesNamingIt = policiesNamingIt;
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
    return of(department, grants, List.of(), now);
  }

  /**
   * {@code department}'s scope at {@code now}: its namespace, what {@code grants} lend it then, and
   * what the departments' own {@code policies} (kept with {@link DepartmentPolicies#toThing}) give
   * it of the things that refer to them by their {@code policyId}.
   */
  public static ReadScope of(
      String department, Collection<AccessGrant> grants, Collection<Policy> policies, Instant now) {
    Map<String, List<Lent>> lent = new HashMap<>();
    for (AccessGrant grant : grants) {
      if (grant.lendsTo(department, now)) {
        lent.computeIfAbsent(grant.owner(), owner -> new ArrayList<>())
            .add(new Lent(grant, grant.filter().map(RqlFilter::parse)));
      }
    }
    String subject = DepartmentPolicies.subject(department);
    Map<PolicyId, Policy> naming = new HashMap<>();
    for (Policy policy : policies) {
      PolicyId policyId = policy.getEntityId().orElseThrow();
      boolean namesIt =
          policy.getEntriesSet().stream()
              .flatMap(entry -> entry.getSubjects().stream())
              .anyMatch(s -> s.getId().toString().equals(subject));
      if (namesIt && !policyId.getNamespace().equals(department)) {
        naming.put(policyId, policy);
      }
    }
    return new ReadScope(Optional.of(department), Map.copyOf(lent), Map.copyOf(naming), now);
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
   * Whether the caller may read anything in {@code namespace}: cheaper than {@link #namespaces}.
   */
  public boolean readsAnythingIn(String namespace) {
    if (owns(namespace) || lentByOwner.containsKey(namespace)) {
      return true;
    }
    for (PolicyId policyId : policiesNamingIt.keySet()) {
      if (policyId.getNamespace().equals(namespace)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The namespaces in which the caller may read anything (its own and those lending to it); only
   * meaningful when not {@link #isWholeDistrict()}.
   */
  public Set<String> namespaces() {
    Set<String> namespaces = new LinkedHashSet<>();
    department.ifPresent(namespaces::add);
    namespaces.addAll(lentByOwner.keySet());
    policiesNamingIt.keySet().forEach(policyId -> namespaces.add(policyId.getNamespace()));
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
    Optional<Policy> own = ownPolicy(thingId, fields);
    if (own.isPresent()) {
      // Whatever the thing's policy lets the caller read, revokes included: cut from its JSON.
      Policy governing = governing(thingId, fields, own).orElseThrow();
      Optional<JsonObject> view =
          fields
              .get(JsonPointer.empty())
              .filter(JsonValue::isObject)
              .flatMap(whole -> view(governing, whole.asObject()));
      return view.map(
          readable ->
              pointer -> pointer.isEmpty() ? Optional.of(readable) : readable.getValue(pointer));
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
    return governing(thingId, fields)
        .map(policy -> permits(policy, path, permission))
        .orElse(false);
  }

  /**
   * The policy of its owner's own that a thing of another namespace refers to by its {@code
   * policyId} and that names the caller; empty for a thing following its namespace's policy (or one
   * that does not exist, or lies in another namespace: the namespace's policy applies then).
   */
  private Optional<Policy> ownPolicy(ThingId thingId, Fields fields) {
    if (policiesNamingIt.isEmpty()) {
      return Optional.empty();
    }
    return fields
        .get(POLICY_ID)
        .filter(JsonValue::isString)
        .flatMap(
            id -> {
              try {
                return Optional.ofNullable(policiesNamingIt.get(PolicyId.of(id.asString())));
              } catch (RuntimeException notAPolicyId) {
                return Optional.empty();
              }
            })
        .filter(
            policy ->
                policy.getEntityId().orElseThrow().getNamespace().equals(thingId.getNamespace()));
  }

  /**
   * The policy that decides what the caller may do to a thing of another namespace: the one it
   * refers to, else its namespace's, with an entry per grant in force covering it; empty when
   * neither names the caller.
   */
  private Optional<Policy> governing(ThingId thingId, Fields fields) {
    return governing(thingId, fields, ownPolicy(thingId, fields));
  }

  /** {@link #governing(ThingId, Fields)} with the thing's own policy already looked up. */
  private Optional<Policy> governing(ThingId thingId, Fields fields, Optional<Policy> own) {
    return governing(thingId, own, grantsCovering(thingId, fields));
  }

  private Optional<Policy> governing(
      ThingId thingId, Optional<Policy> own, List<AccessGrant> covering) {
    if (own.isEmpty() && covering.isEmpty()) {
      return Optional.empty();
    }
    String owner = thingId.getNamespace();
    return Optional.of(
        DepartmentPolicies.withGrants(
            own.orElseGet(() -> DepartmentPolicies.owner(owner)), owner, covering, now));
  }

  /**
   * What the caller may do with one thing, the grants covering it and the policy deciding it worked
   * out once: for callers that ask several questions of the same thing (an event's two views and
   * its grants, a write's paths).
   */
  public Judged judge(ThingId thingId, Fields fields) {
    if (owns(thingId.getNamespace())) {
      return new Judged(true, List.of(), Optional.empty());
    }
    List<AccessGrant> covering = grantsCovering(thingId, fields);
    return new Judged(false, covering, governing(thingId, ownPolicy(thingId, fields), covering));
  }

  /** The answers of {@link ReadScope#judge} for one thing; immutable. */
  public final class Judged {
    private final boolean owned;
    private final List<AccessGrant> covering;
    private final Optional<Policy> governing;

    private Judged(boolean owned, List<AccessGrant> covering, Optional<Policy> governing) {
      this.owned = owned;
      this.covering = List.copyOf(covering);
      this.governing = governing;
    }

    /** As {@link ReadScope#grantsCovering}. */
    public List<AccessGrant> grantsCovering() {
      return covering;
    }

    /** As {@link ReadScope#view}, for this thing's JSON or a part of it. */
    public Optional<JsonObject> view(JsonObject thingJson) {
      return owned
          ? Optional.of(thingJson)
          : governing.flatMap(policy -> ReadScope.this.view(policy, thingJson));
    }

    /** As {@link ReadScope#mayWrite}. */
    public boolean mayWrite(JsonPointer path) {
      return owned
          || governing.map(policy -> permits(policy, path, PolicyEvaluator.WRITE)).orElse(false);
    }
  }

  private boolean permits(Policy policy, JsonPointer path, String permission) {
    return new PolicyEvaluator(Clock.fixed(now, ZoneOffset.UTC))
        .hasPermission(
            policy,
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
    return governing(thingId, fields).flatMap(policy -> view(policy, thingJson));
  }

  private Optional<JsonObject> view(Policy policy, JsonObject thingJson) {
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
              .flatMap(
                  whole ->
                      view(
                          DepartmentPolicies.withGrants(thingId.getNamespace(), covering, now),
                          whole.asObject()))
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
