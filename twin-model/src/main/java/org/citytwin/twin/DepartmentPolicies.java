package org.citytwin.twin;

import java.time.Instant;
import java.util.List;
import org.eclipse.ditto.policies.model.Label;
import org.eclipse.ditto.policies.model.PoliciesModelFactory;
import org.eclipse.ditto.policies.model.PoliciesResourceType;
import org.eclipse.ditto.policies.model.Policy;
import org.eclipse.ditto.policies.model.PolicyId;
import org.eclipse.ditto.policies.model.Subject;
import org.eclipse.ditto.policies.model.SubjectExpiry;
import org.eclipse.ditto.policies.model.SubjectId;
import org.eclipse.ditto.policies.model.SubjectType;

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

  private DepartmentPolicies() {}

  /** The subject a department's users and services authenticate as. */
  public static String subject(String departmentId) {
    return "department:" + departmentId;
  }

  /** The policy every thing in a department's namespace refers to, before any grant. */
  public static Policy owner(String departmentId) {
    return PoliciesModelFactory.newPolicyBuilder(PolicyId.of(departmentId, "owner"))
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
    Policy policy = owner(owner);
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
}
