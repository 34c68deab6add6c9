package org.citytwin.twin;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.policies.model.Label;
import org.eclipse.ditto.policies.model.PoliciesModelFactory;
import org.eclipse.ditto.policies.model.PoliciesResourceType;
import org.eclipse.ditto.policies.model.Policy;
import org.eclipse.ditto.policies.model.PolicyEntry;
import org.eclipse.ditto.policies.model.PolicyId;
import org.eclipse.ditto.policies.model.Subject;
import org.eclipse.ditto.policies.model.SubjectExpiry;
import org.eclipse.ditto.policies.model.SubjectId;
import org.eclipse.ditto.policies.model.SubjectType;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;

/**
 * The policies of "shared on demand, used by authorisation": each department owns its namespace's
 * things through a policy {@code <department>:owner}, and lends other departments access to parts
 * of them with an expiry.
 *
 * <p>Subjects are {@code department:<id>} for a department's users and services, and {@code
 * role:command-centre} for the district's command centre, which reads everything.
 */
public final class DepartmentPolicies {

  public static final String COMMAND_CENTRE = "role:command-centre";

  /** The definition of the twins that keep a department's own policies. */
  public static final String KEPT_DEFINITION = "citytwin:policy:1.0.0";

  private static final String OWNER_NAME = "owner";
  private static final String KEPT_PREFIX = "policy:";

  private DepartmentPolicies() {}

  /** The subject a department's users and services authenticate as. */
  public static String subject(String departmentId) {
    return "department:" + departmentId;
  }

  /** The policy every thing in a department's namespace refers to, before any grant. */
  public static Policy owner(String departmentId) {
    return PoliciesModelFactory.newPolicyBuilder(PolicyId.of(departmentId, OWNER_NAME))
        .forLabel("owner")
        .setSubject(
            Subject.newInstance(
                SubjectId.newInstance(subject(departmentId)),
                SubjectType.newInstance("department")))
        .setGrantedPermissions(
            PoliciesResourceType.thingResource("/"), PolicyEvaluator.READ, PolicyEvaluator.WRITE)
        .setGrantedPermissions(
            PoliciesResourceType.policyResource("/"), PolicyEvaluator.READ, PolicyEvaluator.WRITE)
        .forLabel("command-centre")
        .setSubject(
            Subject.newInstance(
                SubjectId.newInstance(COMMAND_CENTRE), SubjectType.newInstance("role")))
        .setGrantedPermissions(PoliciesResourceType.thingResource("/"), PolicyEvaluator.READ)
        .build();
  }

  /**
   * The policy with another department granted {@code permissions} on {@code thingPath} until
   * {@code expiry}, in an entry of its own ({@code label}) so that it can be withdrawn whole.
   */
  public static Policy grant(
      Policy policy,
      String label,
      String granteeDepartment,
      String thingPath,
      List<String> permissions,
      Instant expiry) {
    Subject grantee =
        Subject.newInstance(
            SubjectId.newInstance(subject(granteeDepartment)),
            SubjectType.newInstance("granted-department"),
            SubjectExpiry.newInstance(expiry));
    return policy.toBuilder()
        .forLabel(label)
        .setSubject(grantee)
        .setGrantedPermissions(
            PoliciesResourceType.thingResource(thingPath),
            PoliciesModelFactory.newPermissions(permissions))
        .build();
  }

  /**
   * The policy of {@code owner}'s namespace with an entry for each of {@code grants} that lends to
   * another department at {@code now} (subject {@code department:<requester>} with the grant's
   * expiry, its permissions on each of its paths), labelled {@code grant-<id>}: the policy Ditto
   * would hold for the namespace, as {@code GET /api/2/policies/<owner>:owner} shows it.
   */
  public static Policy withGrants(
      String owner, java.util.Collection<AccessGrant> grants, Instant now) {
    return withGrants(owner(owner), owner, grants, now);
  }

  /**
   * {@code base}, the policy a thing of {@code owner}'s namespace follows, with an entry for each
   * of {@code grants} in force that lends its things, as {@link #withGrants(String,
   * java.util.Collection, Instant)} adds them to the namespace's policy.
   */
  public static Policy withGrants(
      Policy base, String owner, java.util.Collection<AccessGrant> grants, Instant now) {
    Policy policy = base;
    for (AccessGrant grant : grants) {
      if (!grant.owner().equals(owner) || grant.stateAt(now) != AccessGrant.State.GRANTED) {
        continue;
      }
      for (org.eclipse.ditto.json.JsonPointer path : grant.paths()) {
        policy =
            grant(
                policy,
                "grant-" + grant.id(),
                grant.requester(),
                path.toString(),
                grant.permissions(),
                grant.expiry().orElseThrow());
      }
    }
    return policy;
  }

  /** The policy without the grant under {@code label}. */
  public static Policy withdraw(Policy policy, String label) {
    return policy.removeEntry(Label.of(label));
  }

  /** Whether {@code policyId} names a namespace's own policy, {@code <namespace>:owner}. */
  public static boolean isNamespacePolicy(PolicyId policyId) {
    return policyId.getName().equals(OWNER_NAME);
  }

  /**
   * The twin a policy of a department's own (any but {@code <namespace>:owner}) is kept as: {@code
   * access:policy:<namespace>:<name>}, definition {@value #KEPT_DEFINITION}, the policy's JSON as
   * the text of its attribute {@code policy}. The grants' namespace holds it, so no department
   * writes it as a thing.
   */
  public static ThingId keptAs(PolicyId policyId) {
    return ThingId.of(AccessGrant.NAMESPACE, KEPT_PREFIX + policyId);
  }

  /** Whether a twin of the grants' namespace keeps a policy. */
  public static boolean isKeptPolicy(ThingId thingId) {
    return thingId.getNamespace().equals(AccessGrant.NAMESPACE)
        && thingId.getName().startsWith(KEPT_PREFIX);
  }

  /** The twin that keeps {@code policy}. */
  public static Thing toThing(Policy policy) {
    PolicyId policyId = policy.getEntityId().orElseThrow();
    return ThingsModelFactory.newThingBuilder()
        .setId(keptAs(policyId))
        .setDefinition(ThingsModelFactory.newDefinition(KEPT_DEFINITION))
        // As text: a policy's resource keys ("thing:/attributes") are not valid attribute keys.
        .setAttribute(JsonPointer.of("policy"), JsonValue.of(policy.toJson().toString()))
        .build();
  }

  /**
   * The policy a twin keeps.
   *
   * @throws IllegalArgumentException if the twin keeps none
   */
  public static Policy fromThing(Thing thing) {
    JsonValue kept =
        thing
            .getAttributes()
            .flatMap(attributes -> attributes.getValue("policy"))
            .filter(JsonValue::isString)
            .orElseThrow(() -> new IllegalArgumentException("no attribute 'policy'"));
    try {
      return PoliciesModelFactory.newPolicy(kept.asString());
    } catch (RuntimeException notAPolicy) {
      throw new IllegalArgumentException(notAPolicy.getMessage(), notAPolicy);
    }
  }

  /**
   * Checks that a department may keep {@code policy} for the things of its namespace: the owning
   * department ({@code department:<namespace>}) keeps READ and WRITE on the whole thing and the
   * whole policy, and no entry takes any of it away, so a department always reads and changes its
   * namespace whole (what the policy may add is other departments' access, to parts or the whole).
   *
   * @return why not, or empty if it may
   */
  public static Optional<String> whyNotKeepable(Policy policy, PolicyId policyId) {
    if (isNamespacePolicy(policyId)) {
      return Optional.of(
          "'" + policyId + "' is the namespace's own policy, made of its grants; name another.");
    }
    if (AccessGrant.isReserved(policyId.getNamespace())) {
      return Optional.of("'" + policyId.getNamespace() + "' is not a department's namespace.");
    }
    SubjectId ownerId = SubjectId.newInstance(subject(policyId.getNamespace()));
    Set<String> owner = Set.of(ownerId.toString());
    PolicyEvaluator evaluator = new PolicyEvaluator(Clock.systemUTC());
    for (String type : List.of("thing", "policy")) {
      for (String permission : List.of(PolicyEvaluator.READ, PolicyEvaluator.WRITE)) {
        if (!evaluator.hasPermission(policy, owner, type, JsonPointer.empty(), permission)) {
          return Optional.of(
              "An entry must grant "
                  + ownerId
                  + " READ and WRITE on 'thing:/' and 'policy:/', without expiry.");
        }
      }
    }
    for (PolicyEntry entry : policy.getEntriesSet()) {
      Optional<Subject> ownerSubject = entry.getSubjects().getSubject(ownerId);
      if (ownerSubject.isEmpty()) {
        continue;
      }
      boolean revokes =
          entry.getResources().stream()
              .anyMatch(r -> !r.getEffectedPermissions().getRevokedPermissions().isEmpty());
      if (revokes) {
        return Optional.of(
            "Entry '"
                + entry.getLabel()
                + "' revokes a permission from "
                + ownerId
                + ", which keeps its namespace whole.");
      }
      if (ownerSubject.get().getExpiry().isPresent()) {
        return Optional.of(
            "Entry '"
                + entry.getLabel()
                + "' gives "
                + ownerId
                + " an expiry; the owner does not expire.");
      }
    }
    return Optional.empty();
  }
}
