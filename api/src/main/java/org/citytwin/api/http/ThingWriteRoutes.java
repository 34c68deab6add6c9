package org.citytwin.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.base.model.exceptions.DittoJsonException;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.base.model.headers.DittoHeadersBuilder;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingIdNotExplicitlySettableException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingMergeInvalidException;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteThing;
import org.eclipse.ditto.things.model.signals.commands.modify.MergeThing;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThing;
import org.eclipse.ditto.things.model.signals.commands.modify.ThingModifyCommand;

/**
 * Writes to things and their parts, as Ditto's HTTP API takes them: {@code PUT /api/2/things/{id}}
 * creates (201, with the thing) or replaces (204), {@code PATCH} applies a JSON merge patch ({@code
 * Content-Type: application/merge-patch+json}; 204), {@code DELETE} removes (204). The same three
 * work on a part: {@code /attributes[/path]}, {@code /features[/id[/properties[/path]]]} (and a
 * feature's {@code desiredProperties} and {@code definition}), {@code /definition}, {@code
 * /policyId} (not deleted); a PUT that creates the part answers 201 with it, a DELETE of a missing
 * part Ditto's not-found error for that part. {@code If-Match}, {@code If-None-Match} and Ditto's
 * {@code condition=} (an RQL filter the thing must match) travel to the twin service as Ditto
 * headers and are checked there, atomically with the write; a failed condition is 412 {@code
 * things:precondition.failed}.
 */
public final class ThingWriteRoutes {

  /** A thing is small; this leaves room for a large one and refuses abuse. */
  public static final int MAX_BODY_BYTES = 256 * 1024;

  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(15_000);

  private final Vertx vertx;
  private final TwinProtocol protocol;
  private final ThingAccess access;

  public ThingWriteRoutes(Vertx vertx, TwinProtocol protocol, ThingAccess access) {
    this.vertx = vertx;
    this.protocol = protocol;
    this.access = access;
  }

  public void mount(Router router) {
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    router.put("/api/2/things/:thingId").handler(bodies).handler(this::onPut);
    router.patch("/api/2/things/:thingId").handler(bodies).handler(this::onPatch);
    router.delete("/api/2/things/:thingId").handler(this::onDelete);
    router.putWithRegex(PART).handler(bodies).handler(this::onPutPart);
    router.patchWithRegex(PART).handler(bodies).handler(this::onPatchPart);
    router.deleteWithRegex(PART).handler(this::onDeletePart);
  }

  /** A part of a thing, as the path below {@code /api/2/things/{id}}. */
  private static final String PART =
      "/api/2/things/([^/]+)/(attributes|features|definition|policyId)(/.*)?";

  private static JsonPointer partPath(RoutingContext context) {
    String rest = context.pathParam("param2");
    return JsonPointer.of(
        "/" + context.pathParam("param1") + (rest == null || rest.equals("/") ? "" : rest));
  }

  private void onPutPart(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("param0"));
    JsonPointer path = partPath(context);
    JsonValue value = jsonBody(context);
    send(context, ThingPartCommands.modify(thingId, path, value, conditions(context)), path, value);
  }

  private void onPatchPart(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("param0"));
    requireMergePatch(context);
    JsonPointer path = partPath(context);
    send(
        context,
        MergeThing.of(thingId, path, jsonBody(context), conditions(context)),
        path,
        JsonFactory.nullLiteral());
  }

  private void onDeletePart(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("param0"));
    JsonPointer path = partPath(context);
    if (path.equals(JsonPointer.of("/policyId"))) {
      throw ApiErrors.METHOD_NOT_ALLOWED.toException(
          "A thing keeps its policy id; PUT another one instead.");
    }
    send(
        context,
        ThingPartCommands.delete(thingId, path, conditions(context)),
        path,
        JsonFactory.nullLiteral());
  }

  private void onPut(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("thingId"));
    DittoHeaders headers = conditions(context);
    org.eclipse.ditto.json.JsonObject body = jsonObjectBody(context);
    body.getValue("thingId")
        .filter(id -> !id.isString() || !id.asString().equals(thingId.toString()))
        .ifPresent(
            id -> {
              throw ThingIdNotExplicitlySettableException.forPutMethod()
                  .dittoHeaders(headers)
                  .build();
            });
    Thing thing =
        DittoJsonException.wrapJsonRuntimeException(
            () -> ThingsModelFactory.newThingBuilder(body).setId(thingId).build());
    send(context, ModifyThing.of(thingId, thing, null, headers));
  }

  private void onPatch(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("thingId"));
    requireMergePatch(context);
    JsonValue patch = jsonBody(context);
    if (!patch.isObject() || patch.isNull()) {
      // Merged over a whole thing, anything but an object would replace it with no thing at all.
      throw ThingMergeInvalidException.newBuilder()
          .message("A merge patch of a whole thing is a JSON object, not " + patch + ".")
          .description("Send the parts to change as an object: {\"attributes\": {...}}.")
          .build();
    }
    send(context, MergeThing.of(thingId, JsonPointer.empty(), patch, conditions(context)));
  }

  private void onDelete(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("thingId"));
    send(context, DeleteThing.of(thingId, conditions(context)));
  }

  private static void requireMergePatch(RoutingContext context) {
    String contentType = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType == null
        || !contentType.toLowerCase().startsWith("application/merge-patch+json")) {
      throw ApiErrors.CONTENT_TYPE_UNSUPPORTED.toException(
          "PATCH takes a JSON merge patch with Content-Type: application/merge-patch+json, not "
              + contentType
              + ".");
    }
  }

  /**
   * Sends a write of a part: 201 with the value and its location when the part was created (as
   * Ditto answers), else 204, without an ETag: a read of the part answers its new one.
   */
  private void send(
      RoutingContext context, ThingModifyCommand<?> command, JsonPointer path, JsonValue value) {
    send(
        context,
        command,
        body -> {
          HttpServerResponse response = context.response();
          if (body.getInteger("status") == 201) {
            response
                .setStatusCode(201)
                .putHeader(HttpHeaders.LOCATION, "/api/2/things/" + command.getEntityId() + path)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(value.toString());
          } else {
            response.setStatusCode(204).end();
          }
        });
  }

  /** Sends a write of a whole thing: its status, its ETag, and the thing when it was created. */
  private void send(RoutingContext context, ThingModifyCommand<?> command) {
    send(
        context,
        command,
        body -> {
          HttpServerResponse response =
              context
                  .response()
                  .setStatusCode(body.getInteger("status"))
                  .putHeader(HttpHeaders.ETAG, "\"rev:" + body.getLong("revision") + "\"");
          if (body.containsKey("thing")) {
            response
                .putHeader(HttpHeaders.LOCATION, "/api/2/things/" + command.getEntityId())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body.getJsonObject("thing").encode());
          } else {
            response.end();
          }
        });
  }

  /**
   * Asks the twin service to make the change, if the caller may ({@link
   * ThingAccess#requireWritable}); {@code answer} turns its reply into the response.
   */
  private void send(
      RoutingContext context,
      ThingModifyCommand<?> command,
      java.util.function.Consumer<JsonObject> answer) {
    access.requireWritable(ApiAuthentication.caller(context), command);
    vertx
        .eventBus()
        .<JsonObject>request(
            EventBusAddresses.TWIN_COMMANDS, protocol.command(command).toString(), TIMEOUT)
        .onSuccess(reply -> answer.accept(reply.body()))
        .onFailure(failure -> ApiErrors.replyFailure(context, failure, "The twin service"));
  }

  /** {@code If-Match} and {@code If-None-Match} as Ditto headers; Ditto validates their syntax. */
  static DittoHeaders conditions(RoutingContext context) {
    DittoHeadersBuilder<?, ?> headers = DittoHeaders.newBuilder();
    String ifMatch = context.request().getHeader(HttpHeaders.IF_MATCH);
    if (ifMatch != null) {
      headers.putHeader("if-match", ifMatch);
    }
    String ifNoneMatch = context.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    if (ifNoneMatch != null) {
      headers.putHeader("if-none-match", ifNoneMatch);
    }
    String condition = context.request().getParam("condition");
    if (condition != null) {
      headers.condition(condition);
    }
    return headers.build();
  }

  private static JsonValue jsonBody(RoutingContext context) {
    if (context.body() == null || context.body().isEmpty()) {
      throw ApiErrors.BODY_MISSING.toException("The request needs a JSON body.");
    }
    return DittoJsonException.wrapJsonRuntimeException(
        () -> JsonFactory.readFrom(context.body().asString()));
  }

  private static org.eclipse.ditto.json.JsonObject jsonObjectBody(RoutingContext context) {
    JsonValue body = jsonBody(context);
    if (!body.isObject()) {
      throw ApiErrors.BODY_MISSING.toException("A thing is a JSON object.");
    }
    return body.asObject();
  }
}
