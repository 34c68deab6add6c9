package org.citytwin.api.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.citytwin.fusion.CreditLists;
import org.citytwin.fusion.IncidentErrors;
import org.citytwin.fusion.IncidentState;
import org.citytwin.fusion.Zone;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.twin.EventBusAddresses;

/**
 * Incidents and what fusion knows: list and read incidents, take a step in their life cycle, read
 * the credit lists, the loaded rules and the zones.
 *
 * <ul>
 *   <li>{@code GET /api/incidents?state=&type=&open=&limit=}: newest first; with {@code Accept:
 *       text/event-stream}, incidents live as they are raised and change
 *   <li>{@code GET /api/incidents/{id}}
 *   <li>{@code POST /api/incidents/{id}/actions} with {@code {"action", "actor", "note", "team",
 *       "into"}}: 200 with the incident after the step, 409 for a step its state does not allow
 *   <li>{@code GET /api/credit-lists?list=red|black&kind=enterprise|vehicle|site}
 *   <li>{@code GET /api/rules}: the rules running and how the last reload went
 *   <li>{@code GET /api/zones?type=}: the zones as GeoJSON
 * </ul>
 */
public final class IncidentRoutes {

  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(5_000);
  private static final int MAX_ACTION_BYTES = 16 * 1024;
  private static final List<String> STATES =
      Arrays.stream(IncidentState.values()).map(IncidentState::wireName).sorted().toList();

  private final Vertx vertx;
  private final ZoneIndex zones;
  private final ChangeFeed<JsonObject> feed;

  public IncidentRoutes(Vertx vertx, ZoneIndex zones, LiveFeeds feeds) {
    this.vertx = vertx;
    this.zones = zones;
    this.feed = feeds.incidents;
  }

  public void mount(Router router) {
    router.get("/api/incidents").handler(this::onList);
    router.get("/api/incidents/:id").handler(this::onGet);
    router
        .post("/api/incidents/:id/actions")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_ACTION_BYTES))
        .handler(this::onAct);
    router.get("/api/credit-lists").handler(this::onCreditLists);
    router.get("/api/rules").handler(this::onRules);
    router.get("/api/zones").handler(this::onZones);
  }

  private void onList(RoutingContext context) {
    String accept = context.request().getHeader(HttpHeaders.ACCEPT);
    if (accept != null && accept.contains("text/event-stream")) {
      subscribe(context);
      return;
    }
    JsonObject query = new JsonObject();
    ApiAuthentication.caller(context).department().ifPresent(d -> query.put("department", d));
    String state = context.queryParams().get("state");
    if (state != null) {
      if (!STATES.contains(state)) {
        context.fail(
            ApiErrors.PARAMETER_INVALID.toException(
                "state must be one of " + String.join(", ", STATES)));
        return;
      }
      query.put("state", state);
    }
    String type = context.queryParams().get("type");
    if (type != null) {
      query.put("type", type);
    }
    String open = context.queryParams().get("open");
    if (open != null) {
      if (!open.equals("true") && !open.equals("false")) {
        context.fail(ApiErrors.PARAMETER_INVALID.toException("open must be true or false"));
        return;
      }
      query.put("open", Boolean.parseBoolean(open));
    }
    String limit = context.queryParams().get("limit");
    if (limit != null) {
      try {
        int parsed = Integer.parseInt(limit);
        if (parsed < 1 || parsed > 10_000) {
          throw new NumberFormatException();
        }
        query.put("limit", parsed);
      } catch (NumberFormatException e) {
        context.fail(
            ApiErrors.PARAMETER_INVALID.toException("limit must be a number from 1 to 10000"));
        return;
      }
    }
    ask(context, EventBusAddresses.INCIDENT_LIST, query)
        .onSuccess(
            reply -> DeviceRoutes.json(context, 200, reply.getJsonArray("incidents").encode()));
  }

  /**
   * Streams incidents as they are raised and change (the whole incident each time), those the
   * caller may read and, with {@code type}, of that type. Event ids and {@code Last-Event-ID} work
   * as on the things stream.
   */
  private void subscribe(RoutingContext context) {
    Caller caller = ApiAuthentication.caller(context);
    String type = context.queryParams().get("type");
    EventStream.follow(
        vertx,
        context,
        feed,
        (stream, change) -> {
          JsonObject incident = change.item();
          if (caller.mayRead(incident)
              && (type == null || type.equals(incident.getString("type")))) {
            stream.send(Optional.of(feed.eventId(change)), Optional.empty(), incident.encode());
          }
        },
        incident -> {});
  }

  private void onGet(RoutingContext context) {
    readable(context).onSuccess(incident -> DeviceRoutes.json(context, 200, incident.encode()));
  }

  /**
   * The incident the path names, if the caller may read it; one it may not read is answered exactly
   * like one that does not exist.
   */
  private Future<JsonObject> readable(RoutingContext context) {
    String id = context.pathParam("id");
    return ask(context, EventBusAddresses.INCIDENT_GET, new JsonObject().put("id", id))
        .compose(
            incident -> {
              if (ApiAuthentication.caller(context).mayRead(incident)) {
                return Future.succeededFuture(incident);
              }
              context.fail(IncidentErrors.NOT_FOUND.toException("No incident " + id + "."));
              return Future.failedFuture("not readable");
            });
  }

  private void onAct(RoutingContext context) {
    JsonObject body;
    try {
      body = context.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    if (body == null) {
      context.fail(
          ApiErrors.BODY_MISSING.toException(
              "Send {\"action\": ..., \"actor\": ..., \"note\": ...} as JSON."));
      return;
    }
    for (String field : List.of("action", "actor", "note", "team", "into")) {
      Object value = body.getValue(field);
      if (value != null && !(value instanceof String)) {
        context.fail(ApiErrors.BODY_MISSING.toException("\"" + field + "\" must be text."));
        return;
      }
    }
    JsonObject step = body.copy().put("id", context.pathParam("id"));
    readable(context)
        .compose(readableIncident -> ask(context, EventBusAddresses.INCIDENT_ACT, step))
        .onSuccess(incident -> DeviceRoutes.json(context, 200, incident.encode()));
  }

  private void onCreditLists(RoutingContext context) {
    JsonObject query = new JsonObject();
    String list = context.queryParams().get("list");
    if (list != null) {
      if (!list.equals("red") && !list.equals("black")) {
        context.fail(ApiErrors.PARAMETER_INVALID.toException("list must be red or black"));
        return;
      }
      query.put("list", list);
    }
    String kind = context.queryParams().get("kind");
    if (kind != null) {
      if (!CreditLists.KINDS.contains(kind)) {
        context.fail(
            ApiErrors.PARAMETER_INVALID.toException("kind must be enterprise, vehicle or site"));
        return;
      }
      query.put("kind", kind);
    }
    ask(context, EventBusAddresses.CREDIT_LISTS, query)
        .onSuccess(
            reply -> DeviceRoutes.json(context, 200, reply.getJsonArray("entries").encode()));
  }

  private void onRules(RoutingContext context) {
    ask(context, EventBusAddresses.RULE_LIST, new JsonObject())
        .onSuccess(reply -> DeviceRoutes.json(context, 200, reply.encode()));
  }

  private void onZones(RoutingContext context) {
    String type = context.queryParams().get("type");
    JsonArray features = new JsonArray();
    for (Zone zone : type == null ? zones.all() : zones.ofType(type)) {
      features.add(
          new JsonObject()
              .put("type", "Feature")
              .put("id", zone.id())
              .put("properties", new JsonObject(zone.properties().toString()))
              .put(
                  "geometry",
                  new JsonObject(
                      new org.locationtech.jts.io.geojson.GeoJsonWriter().write(zone.geometry()))));
    }
    DeviceRoutes.json(
        context,
        200,
        new JsonObject().put("type", "FeatureCollection").put("features", features).encode());
  }

  /** Asks fusion; a refusal is answered as fusion rendered it, silence as 503. */
  private Future<JsonObject> ask(RoutingContext context, String address, JsonObject body) {
    return vertx
        .eventBus()
        .<JsonObject>request(address, body, TIMEOUT)
        .map(reply -> reply.body())
        .onFailure(failure -> ApiErrors.replyFailure(context, failure, "Fusion"));
  }
}
