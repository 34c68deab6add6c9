package org.citytwin.api.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.citytwin.twin.AccessGrant;
import org.citytwin.twin.DepartmentPolicies;
import org.citytwin.twin.ErrorCode;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.PolicyEvaluator;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.base.model.common.HttpStatus;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.policies.model.Policy;
import org.eclipse.ditto.policies.model.PolicyId;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThing;

/**
 * "Shared on demand, used by authorisation": a department asks another for access to its things,
 * the owner approves it with an expiry or rejects it, and either side (or the command centre)
 * revokes it; every step is audited in the grant, every use counted ({@link ThingAccess}).
 *
 * <ul>
 *   <li>{@code POST /api/access-requests} {@code {"owner", "filter", "paths", "validFor",
 *       "reason"}}: 201 with the request
 *   <li>{@code GET /api/access-requests?state=&owner=&requester=}: those the caller asked for or
 *       owns (all of them for the command centre)
 *   <li>{@code GET /api/access-requests/{id}}: one, with its audit and uses
 *   <li>{@code POST /api/access-requests/{id}/actions} {@code {"action": "approve|reject|revoke",
 *       "note", "expiry"}}: 200 with the request after the step
 *   <li>{@code GET /api/2/policies/{namespace}:owner}: the namespace's Ditto policy with an entry
 *       per grant in force, for its owner and the command centre
 * </ul>
 *
 * <p>Grants are twins ({@link AccessGrant#NAMESPACE}), written through the twin service with
 * Ditto's preconditions: a new one must not exist, a step must apply to the revision it was decided
 * on, so two owners' clicks cannot both win.
 */
public final class AccessRoutes {

  static final ErrorCode REQUEST_INVALID =
      new ErrorCode(
          "access:request.invalid",
          HttpStatus.BAD_REQUEST,
          "Ask with {\"owner\": \"<department>\", \"reason\": \"...\"} and optionally \"filter\" (RQL),"
              + " \"paths\" ([\"/attributes\", \"/features/<id>\"]) and \"validFor\" (ISO-8601, at most P366D).");

  static final ErrorCode REQUEST_NOT_FOUND =
      new ErrorCode(
          "access:request.notfound",
          HttpStatus.NOT_FOUND,
          "List the requests you may see with GET /api/access-requests.");

  static final ErrorCode TRANSITION_ILLEGAL =
      new ErrorCode(
          "access:transition.illegal",
          HttpStatus.CONFLICT,
          "Read the request's state: only requested ones are approved or rejected, only requested"
              + " or granted ones revoked.");

  static final ErrorCode ACTION_NOT_YOURS =
      new ErrorCode(
          "access:action.denied",
          HttpStatus.FORBIDDEN,
          "The owner department approves and rejects; the owner, the requester or the command"
              + " centre revokes.");

  private static final int MAX_BODY_BYTES = 16 * 1024;
  // A policy lists every subject it lends to: more room than a request.
  private static final int MAX_POLICY_BYTES = 256 * 1024;
  private static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);
  private static final Set<String> PATH_ROOTS = Set.of("attributes", "features", "definition");
  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(15_000);

  private final Vertx vertx;
  private final ThingAccess access;
  private final TwinProtocol protocol;
  private final PolicyKeeping policies;

  public AccessRoutes(Vertx vertx, ThingAccess access, TwinProtocol protocol) {
    this.vertx = vertx;
    this.access = access;
    this.protocol = protocol;
    this.policies = new PolicyKeeping(vertx, access, protocol);
  }

  public void mount(Router router) {
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    router.post("/api/access-requests").handler(bodies).handler(this::onRequest);
    router.get("/api/access-requests").handler(this::onList);
    router.get("/api/access-requests/:id").handler(this::onGet);
    router.post("/api/access-requests/:id/actions").handler(bodies).handler(this::onAct);
    router.get("/api/2/policies/:policyId").handler(this::onPolicy);
    router
        .put("/api/2/policies/:policyId")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_POLICY_BYTES))
        .handler(this::onPutPolicy);
    router.delete("/api/2/policies/:policyId").handler(this::onDeletePolicy);
  }

  private void onRequest(RoutingContext context) {
    Caller caller = ApiAuthentication.caller(context);
    if (caller.department().isEmpty()) {
      throw REQUEST_INVALID.toException(
          "The command centre reads every namespace already; a department asks for access.");
    }
    JsonObject body = body(context);
    String owner = text(body, "owner").orElseThrow(() -> missing("owner"));
    String reason =
        text(body, "reason")
            .filter(r -> !r.isBlank())
            .orElseThrow(() -> missing("reason (why the owner should lend it)"));
    Duration validFor;
    try {
      validFor = text(body, "validFor").map(Duration::parse).orElse(DEFAULT_VALIDITY);
    } catch (DateTimeParseException e) {
      throw REQUEST_INVALID.toException("validFor must be an ISO-8601 duration such as P30D.");
    }
    AccessGrant request;
    try {
      request =
          AccessGrant.request(
              "g-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12),
              caller.department().get(),
              owner,
              text(body, "filter").filter(f -> !f.isBlank()),
              paths(body),
              permissions(body),
              reason,
              validFor,
              caller.subject(),
              access.now());
    } catch (IllegalArgumentException e) {
      throw REQUEST_INVALID.toException(e.getMessage() + ".");
    }
    DittoHeaders create = DittoHeaders.newBuilder().putHeader("if-none-match", "*").build();
    write(request, create)
        .onSuccess(
            written ->
                context
                    .response()
                    .setStatusCode(201)
                    .putHeader("Location", "/api/access-requests/" + written.id())
                    .putHeader("Content-Type", "application/json")
                    .end(render(written).encode()))
        .onFailure(failure -> ApiErrors.replyFailure(context, failure, "The twin service"));
  }

  private void onList(RoutingContext context) {
    Caller caller = ApiAuthentication.caller(context);
    Optional<String> state = Optional.ofNullable(context.request().getParam("state"));
    Optional<String> owner = Optional.ofNullable(context.request().getParam("owner"));
    Optional<String> requester = Optional.ofNullable(context.request().getParam("requester"));
    state.ifPresent(
        wanted -> {
          try {
            AccessGrant.State.valueOf(wanted.toUpperCase());
          } catch (IllegalArgumentException e) {
            throw ApiErrors.PARAMETER_INVALID.toException(
                "state is one of requested, granted, rejected, revoked, expired.");
          }
        });
    Instant now = access.now();
    List<AccessGrant> visible = new ArrayList<>();
    for (AccessGrant grant : access.grants()) {
      if (mayRead(caller, grant)
          && state.map(s -> grant.stateAt(now).text().equals(s)).orElse(true)
          && owner.map(grant.owner()::equals).orElse(true)
          && requester.map(grant.requester()::equals).orElse(true)) {
        visible.add(grant);
      }
    }
    visible.sort(Comparator.comparing((AccessGrant g) -> g.audit().get(0).at()).reversed());
    JsonArray answer = new JsonArray();
    visible.forEach(grant -> answer.add(render(grant)));
    DeviceRoutes.json(context, 200, answer.encode());
  }

  private void onGet(RoutingContext context) {
    DeviceRoutes.json(context, 200, render(visible(context).grant()).encode());
  }

  private void onAct(RoutingContext context) {
    Caller caller = ApiAuthentication.caller(context);
    ThingAccess.Kept kept = visible(context);
    AccessGrant grant = kept.grant();
    long revision = kept.revision();
    JsonObject body = body(context);
    String action = text(body, "action").orElseThrow(() -> missing("action"));
    String note = text(body, "note").orElse("");
    String department = caller.department().orElse("district");
    Instant now = access.now();
    AccessGrant next;
    try {
      next =
          switch (action) {
            case "approve" -> {
              requireOwner(caller, grant, action);
              Instant until;
              try {
                until = text(body, "expiry").map(Instant::parse).orElse(now.plus(grant.validFor()));
              } catch (DateTimeParseException e) {
                throw REQUEST_INVALID.toException(
                    "expiry must be an ISO-8601 instant such as 2026-12-31T00:00:00Z.");
              }
              yield grant.approve(caller.subject(), now, until, note);
            }
            case "reject" -> {
              requireOwner(caller, grant, action);
              yield grant.reject(caller.subject(), now, note);
            }
            case "revoke" -> {
              if (!caller.wholeDistrict()
                  && !department.equals(grant.owner())
                  && !department.equals(grant.requester())) {
                throw ACTION_NOT_YOURS.toException("Only the owner or the requester revokes.");
              }
              yield grant.revoke(caller.subject(), department, now, note);
            }
            default ->
                throw REQUEST_INVALID.toException(
                    "action is one of approve, reject, revoke, not '" + action + "'.");
          };
    } catch (IllegalStateException e) {
      throw TRANSITION_ILLEGAL.toException(e.getMessage() + ".");
    } catch (IllegalArgumentException e) {
      throw REQUEST_INVALID.toException(e.getMessage() + ".");
    }
    DittoHeaders sameRevision =
        DittoHeaders.newBuilder().putHeader("if-match", "\"rev:" + revision + "\"").build();
    write(next, sameRevision)
        .onSuccess(written -> DeviceRoutes.json(context, 200, render(written).encode()))
        .onFailure(failure -> ApiErrors.replyFailure(context, failure, "The twin service"));
  }

  /**
   * Ditto's {@code GET /policies/{policyId}}: for {@code <namespace>:owner}, the policy every thing
   * of a namespace follows unless it names another, with an entry per grant in force; for any
   * other, a policy the namespace's department keeps. The owner department and the command centre
   * read a policy, and so does a department it grants READ on {@code policy:/}; anyone else is told
   * it does not exist.
   */
  private void onPolicy(RoutingContext context) {
    DeviceRoutes.json(
        context,
        200,
        policies
            .retrieve(ApiAuthentication.caller(context), policyId(context))
            .toJson()
            .toString());
  }

  /**
   * Ditto's {@code PUT /policies/{policyId}}: a department keeps a policy of its own for things of
   * its namespace to follow (their {@code policyId}); 201 with the policy when new, else 204. The
   * policy must leave the department its whole namespace ({@link
   * DepartmentPolicies#whyNotKeepable}); what it adds is other departments' access.
   */
  private void onPutPolicy(RoutingContext context) {
    Caller caller = ApiAuthentication.caller(context);
    PolicyId policyId = policyId(context);
    // Who may keep it is decided before the body is read: a stranger learns nothing from its
    // errors.
    policies.requireKeepable(caller, policyId);
    if (context.body() == null || context.body().isEmpty()) {
      throw ApiErrors.BODY_MISSING.toException("PUT a policy: {\"entries\": {...}}.");
    }
    org.eclipse.ditto.json.JsonObject json;
    try {
      json = org.eclipse.ditto.json.JsonFactory.newObject(context.body().asString());
    } catch (RuntimeException notAnObject) {
      throw ApiErrors.MESSAGE_INVALID.toException("The body is not a JSON object.");
    }
    Policy policy = PolicyKeeping.policyFrom(json, policyId);
    policies
        .keep(caller, policy)
        .onSuccess(
            created -> {
              if (!created) {
                context.response().setStatusCode(204).end();
              } else {
                context.response().putHeader("Location", "/api/2/policies/" + policyId);
                DeviceRoutes.json(context, 201, policy.toJson().toString());
              }
            })
        .onFailure(failure -> ApiErrors.replyFailure(context, failure, "The twin service"));
  }

  /**
   * Ditto's {@code DELETE /policies/{policyId}}: 204; the things that followed it follow their
   * namespace's policy from then on, so they lose what it lent other departments and nothing else.
   */
  private void onDeletePolicy(RoutingContext context) {
    policies
        .delete(ApiAuthentication.caller(context), policyId(context))
        .onSuccess(deleted -> context.response().setStatusCode(204).end())
        .onFailure(failure -> ApiErrors.replyFailure(context, failure, "The twin service"));
  }

  private static PolicyId policyId(RoutingContext context) {
    return PolicyId.of(context.pathParam("policyId"));
  }

  private Future<AccessGrant> write(AccessGrant grant, DittoHeaders conditions) {
    String command =
        protocol
            .command(ModifyThing.of(grant.thingId(), grant.toThing(), null, conditions))
            .toString();
    return vertx
        .eventBus()
        .<JsonObject>request(EventBusAddresses.TWIN_COMMANDS, command, TIMEOUT)
        .map(reply -> grant);
  }

  private static void requireOwner(Caller caller, AccessGrant grant, String action) {
    if (!caller.department().map(grant.owner()::equals).orElse(false)) {
      throw ACTION_NOT_YOURS.toException(
          "Only the owner department, " + grant.owner() + ", may " + action + " this request.");
    }
  }

  private ThingAccess.Kept visible(RoutingContext context) {
    String id = context.pathParam("id");
    return access
        .grant(id)
        .filter(kept -> mayRead(ApiAuthentication.caller(context), kept.grant()))
        .orElseThrow(() -> REQUEST_NOT_FOUND.toException("No access request '" + id + "'."));
  }

  private static boolean mayRead(Caller caller, AccessGrant grant) {
    return caller.wholeDistrict()
        || caller.department().get().equals(grant.owner())
        || caller.department().get().equals(grant.requester());
  }

  private JsonObject render(AccessGrant grant) {
    return new JsonObject(grant.toJson(access.now()).toString())
        .put("uses", new JsonObject(access.uses(grant.id()).toString()));
  }

  private static List<JsonPointer> paths(JsonObject body) {
    Object given = body.getValue("paths");
    if (given == null) {
      return List.of(JsonPointer.empty());
    }
    if (!(given instanceof JsonArray array) || array.isEmpty()) {
      throw REQUEST_INVALID.toException("paths is a non-empty array of JSON pointers.");
    }
    List<JsonPointer> paths = new ArrayList<>();
    for (Object path : array) {
      if (!(path instanceof String text) || !text.startsWith("/")) {
        throw REQUEST_INVALID.toException("each path is a JSON pointer such as /features/camera.");
      }
      JsonPointer pointer = JsonPointer.of(text);
      if (!pointer.isEmpty() && !PATH_ROOTS.contains(pointer.getRoot().orElseThrow().toString())) {
        throw REQUEST_INVALID.toException(
            "a path lends '/', or lies under /attributes, /features or /definition, not "
                + text
                + ".");
      }
      paths.add(pointer);
    }
    return paths;
  }

  /** What is asked for: {@code ["READ"]} unless {@code permissions} says more. */
  private static List<String> permissions(JsonObject body) {
    Object given = body.getValue("permissions");
    if (given == null) {
      return List.of(PolicyEvaluator.READ);
    }
    if (!(given instanceof JsonArray array)
        || array.isEmpty()
        || !array.stream().allMatch(String.class::isInstance)) {
      throw REQUEST_INVALID.toException(
          "permissions is an array of Ditto permissions: [\"READ\"] or [\"READ\", \"WRITE\"].");
    }
    return array.stream().map(String.class::cast).toList();
  }

  private static JsonObject body(RoutingContext context) {
    if (context.body() == null || context.body().isEmpty()) {
      throw REQUEST_INVALID.toException("The request needs a JSON object body.");
    }
    try {
      return context.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw REQUEST_INVALID.toException("The body is not a JSON object.");
    }
  }

  private static Optional<String> text(JsonObject body, String key) {
    Object value = body.getValue(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      throw REQUEST_INVALID.toException(key + " must be a string.");
    }
    return Optional.of(text);
  }

  private static RuntimeException missing(String what) {
    return REQUEST_INVALID.toException("The request names no " + what + ".");
  }
}
