package org.citytwin.api.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.Set;
import org.citytwin.twin.AccessGrant;
import org.citytwin.twin.DepartmentPolicies;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.PolicyEvaluator;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.policies.model.PoliciesModelFactory;
import org.eclipse.ditto.policies.model.Policy;
import org.eclipse.ditto.policies.model.PolicyId;
import org.eclipse.ditto.policies.model.signals.commands.exceptions.PolicyConflictException;
import org.eclipse.ditto.policies.model.signals.commands.exceptions.PolicyIdNotExplicitlySettableException;
import org.eclipse.ditto.policies.model.signals.commands.exceptions.PolicyModificationInvalidException;
import org.eclipse.ditto.policies.model.signals.commands.exceptions.PolicyNotAccessibleException;
import org.eclipse.ditto.policies.model.signals.commands.exceptions.PolicyNotCreatableException;
import org.eclipse.ditto.policies.model.signals.commands.exceptions.PolicyNotModifiableException;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteThing;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThing;

/**
 * Departments' policies as Ditto's policy commands see them, whichever door they come through (REST
 * {@code /api/2/policies}, or the WebSocket's {@code policies/commands}): who may read, keep and
 * delete which policy, and keeping them as twins. Failures a caller can cause are Ditto's policy
 * exceptions, thrown or failing the returned future.
 */
final class PolicyKeeping {

  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(15_000);

  private final Vertx vertx;
  private final ThingAccess access;
  private final TwinProtocol protocol;

  PolicyKeeping(Vertx vertx, ThingAccess access, TwinProtocol protocol) {
    this.vertx = vertx;
    this.access = access;
    this.protocol = protocol;
  }

  /**
   * The policy as {@code caller} may read it: a namespace's own ({@code <ns>:owner}, made of its
   * grants) for its department, a kept one for its department and those it grants READ on {@code
   * policy:/}.
   *
   * @throws PolicyNotAccessibleException for anything else, as if it did not exist
   */
  Policy retrieve(Caller caller, PolicyId policyId) {
    String namespace = policyId.getNamespace();
    if (DepartmentPolicies.isNamespacePolicy(policyId)) {
      if (!caller.owns(namespace) || AccessGrant.isReserved(namespace) || namespace.isEmpty()) {
        throw PolicyNotAccessibleException.newBuilder(policyId).build();
      }
      return DepartmentPolicies.withGrants(namespace, access.grants(), access.now());
    }
    return access
        .keptPolicy(policyId)
        .filter(kept -> mayRead(caller, kept))
        .orElseThrow(() -> PolicyNotAccessibleException.newBuilder(policyId).build());
  }

  /**
   * Keeps {@code policy} under its id, new or replacing: the policy must leave its department the
   * whole namespace ({@link DepartmentPolicies#whyNotKeepable}).
   *
   * @return whether it was new
   */
  Future<Boolean> keep(Caller caller, Policy policy) {
    Optional<Policy> before = access.keptPolicy(policy.getEntityId().orElseThrow());
    return write(caller, policy, before, DittoHeaders.empty()).map(written -> before.isEmpty());
  }

  /**
   * Keeps {@code policy} only if none is kept under its id, as Ditto's {@code create}: the write is
   * conditional, so of two creates racing, the second fails.
   *
   * @return fails with {@link PolicyConflictException} if one is kept
   */
  Future<Void> create(Caller caller, Policy policy) {
    PolicyId policyId = policy.getEntityId().orElseThrow();
    Optional<Policy> before = access.keptPolicy(policyId);
    if (before.isPresent()) {
      requireWritable(caller, policyId, before);
      throw PolicyConflictException.newBuilder(policyId).build();
    }
    return write(
            caller,
            policy,
            before,
            DittoHeaders.newBuilder().putHeader("if-none-match", "*").build())
        .recover(
            failure ->
                Future.failedFuture(
                    failure instanceof ReplyException reply && reply.failureCode() == 412
                        ? PolicyConflictException.newBuilder(policyId).build()
                        : failure))
        .mapEmpty();
  }

  private Future<JsonObject> write(
      Caller caller, Policy policy, Optional<Policy> before, DittoHeaders conditions) {
    PolicyId policyId = policy.getEntityId().orElseThrow();
    requireWritable(caller, policyId, before);
    DepartmentPolicies.whyNotKeepable(policy, policyId)
        .ifPresent(
            why -> {
              throw PolicyModificationInvalidException.newBuilder(policyId)
                  .description(why)
                  .build();
            });
    String command =
        protocol
            .command(
                ModifyThing.of(
                    DepartmentPolicies.keptAs(policyId),
                    DepartmentPolicies.toThing(policy),
                    null,
                    conditions))
            .toString();
    return vertx
        .eventBus()
        .<JsonObject>request(EventBusAddresses.TWIN_COMMANDS, command, TIMEOUT)
        .map(reply -> reply.body());
  }

  /**
   * Passes if {@code caller} may keep a policy under {@code policyId}: for checking before a
   * policy's body is read, so that a caller who may not learns nothing from the body's errors.
   */
  void requireKeepable(Caller caller, PolicyId policyId) {
    requireWritable(caller, policyId, access.keptPolicy(policyId));
  }

  /**
   * Deletes a kept policy; the things that followed it follow their namespace's policy from then
   * on, so they lose what it lent other departments and nothing else.
   */
  Future<Void> delete(Caller caller, PolicyId policyId) {
    Optional<Policy> before = access.keptPolicy(policyId);
    if (before.isEmpty()) {
      throw PolicyNotAccessibleException.newBuilder(policyId).build();
    }
    requireWritable(caller, policyId, before);
    String command =
        protocol
            .command(DeleteThing.of(DepartmentPolicies.keptAs(policyId), DittoHeaders.empty()))
            .toString();
    return vertx
        .eventBus()
        .<JsonObject>request(EventBusAddresses.TWIN_COMMANDS, command, TIMEOUT)
        .mapEmpty();
  }

  /**
   * {@code json} as a policy with id {@code policyId}, which the JSON may repeat but not
   * contradict.
   *
   * @throws PolicyIdNotExplicitlySettableException if it names another id
   */
  static Policy policyFrom(org.eclipse.ditto.json.JsonObject json, PolicyId policyId) {
    Optional<String> named =
        json.getValue("policyId")
            .map(id -> id.isString() ? id.asString() : id.toString())
            .filter(id -> !id.equals(policyId.toString()));
    if (named.isPresent()) {
      throw PolicyIdNotExplicitlySettableException.newBuilder().build();
    }
    return PoliciesModelFactory.newPolicyBuilder(PoliciesModelFactory.newPolicy(json))
        .setId(policyId)
        .build();
  }

  private boolean mayRead(Caller caller, Policy policy) {
    PolicyId policyId = policy.getEntityId().orElseThrow();
    return caller.owns(policyId.getNamespace())
        || new PolicyEvaluator(java.time.Clock.fixed(access.now(), java.time.ZoneOffset.UTC))
            .hasPermission(
                policy,
                Set.of(DepartmentPolicies.subject(caller.department().orElseThrow())),
                "policy",
                JsonPointer.empty(),
                PolicyEvaluator.READ);
  }

  /**
   * Passes if the caller keeps the namespace's policies (its owner, or the command centre);
   * otherwise one that may read the policy is refused, anyone else told it does not exist.
   */
  private void requireWritable(Caller caller, PolicyId policyId, Optional<Policy> before) {
    String namespace = policyId.getNamespace();
    if (DepartmentPolicies.isNamespacePolicy(policyId)) {
      if (!caller.owns(namespace)) {
        throw PolicyNotAccessibleException.newBuilder(policyId).build();
      }
      throw PolicyNotModifiableException.newBuilder(policyId)
          .description(
              "A namespace's own policy is made of its grants: lend with /api/access-requests,"
                  + " or keep a policy of another name for things to follow.")
          .build();
    }
    if (caller.owns(namespace)) {
      return;
    }
    if (before.isPresent() && mayRead(caller, before.get())) {
      throw PolicyNotModifiableException.newBuilder(policyId)
          .description("Only " + namespace + " keeps the policies of its namespace.")
          .build();
    }
    if (before.isPresent()) {
      throw PolicyNotAccessibleException.newBuilder(policyId).build();
    }
    throw PolicyNotCreatableException.newBuilder(policyId)
        .description("A department keeps policies in its own namespace only.")
        .build();
  }
}
