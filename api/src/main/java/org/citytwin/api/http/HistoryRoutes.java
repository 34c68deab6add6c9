package org.citytwin.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.history.LatestQuery;
import org.citytwin.history.RangeQuery;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.ReadScope;
import org.citytwin.twin.ThingQuery;
import org.citytwin.twin.ThingSearch;
import org.eclipse.ditto.things.model.ThingId;

/**
 * {@code GET /api/history/things/{thingId}/features/{feature}/properties/{property}}: the raw
 * readings of one property in {@code [from, to)} (ISO-8601; by default the last 24 hours), oldest
 * first, at most {@code limit} (default 1000). With {@code bucket=PT1M} (an ISO-8601 duration) the
 * numeric readings are summarised instead: count, min, max, avg and last per bucket. Either answer
 * comes as an Apache Arrow IPC stream when {@code Accept} asks for {@value #ARROW_STREAM}. Also
 * {@code /api/history/latest} (the newest reading of each thing a search finds) and {@code
 * /api/history/things/{thingId}/trajectory} (a vehicle's fixes as GeoJSON), below.
 */
public final class HistoryRoutes {

  /** The media type of an Arrow IPC stream. */
  public static final String ARROW_STREAM = "application/vnd.apache.arrow.stream";

  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(15_000);

  /** The response header that carries a latest answer's cursor when it comes as Arrow. */
  public static final String CURSOR_HEADER = "citytwin-cursor";

  private final Vertx vertx;
  private final Clock clock;
  private final ThingSearch search;
  private final ZoneIndex zones;
  private final ThingAccess access;

  public HistoryRoutes(
      Vertx vertx, Clock clock, ThingSearch search, ZoneIndex zones, ThingAccess access) {
    this.vertx = vertx;
    this.clock = clock;
    this.search = search;
    this.zones = zones;
    this.access = access;
  }

  public void mount(Router router) {
    router.routeWithRegex("/api/history/things/([^/]+)(/.*)?").handler(this::onlyReadable);
    router
        .get("/api/history/things/:thingId/features/:feature/properties/:property")
        .handler(this::onRange);
    router.get("/api/history/things/:thingId/trajectory").handler(this::onTrajectory);
    router.get("/api/history/latest").handler(this::onLatest);
  }

  /**
   * {@code GET /api/history/things/{thingId}/trajectory?feature=position&from&to&limit}: where a
   * vehicle or drone went, as a GeoJSON Feature (a LineString, a Point for a single fix, no
   * geometry for none) whose {@code times} list each fix's instant; or as Arrow.
   */
  private void onTrajectory(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("thingId"));
    Instant to = instant(context, "to", clock.instant());
    Instant from = instant(context, "from", to.minus(Duration.ofDays(1)));
    String feature = trajectoryFeatureId(context);
    JsonObject query =
        new JsonObject()
            .put("thingId", thingId.toString())
            .put("feature", feature)
            .put("from", from.toString())
            .put("to", to.toString())
            .put("limit", limit(context, RangeQuery.MAX_LIMIT));
    ask(
        context,
        EventBusAddresses.HISTORY_TRAJECTORY,
        query,
        fixes -> trajectoryFeature(thingId, feature, fixes.getJsonArray("fixes")),
        Optional.empty());
  }

  static JsonObject trajectoryFeature(ThingId thingId, String feature, JsonArray fixes) {
    JsonArray coordinates = new JsonArray();
    JsonArray times = new JsonArray();
    for (int i = 0; i < fixes.size(); i++) {
      JsonObject fix = fixes.getJsonObject(i);
      coordinates.add(
          new JsonArray().add(fix.getDouble("longitude")).add(fix.getDouble("latitude")));
      times.add(fix.getString("at"));
    }
    Object geometry =
        switch (coordinates.size()) {
          case 0 -> null;
          case 1 ->
              new JsonObject().put("type", "Point").put("coordinates", coordinates.getJsonArray(0));
          default -> new JsonObject().put("type", "LineString").put("coordinates", coordinates);
        };
    return new JsonObject()
        .put("type", "Feature")
        .put("geometry", geometry)
        .put(
            "properties",
            new JsonObject()
                .put("thingId", thingId.toString())
                .put("feature", feature)
                .put("times", times));
  }

  /**
   * {@code GET /api/history/latest?feature&property&filter&namespaces&geo&option&at&lookback}: the
   * things a search finds (RQL {@code filter}, {@code geo} such as {@code within(zone:c-1-1)}, a
   * page of {@code option=size(n),cursor(c)}), each with its newest reading of the property as of
   * {@code at} (default now) within {@code lookback} (default P1D). Matched things without such a
   * reading are listed as {@code silent}.
   */
  private void onLatest(RoutingContext context) {
    String feature = required(context, "feature");
    String property = required(context, "property");
    Instant at = instant(context, "at", clock.instant());
    Duration lookback;
    try {
      lookback =
          Duration.parse(Optional.ofNullable(context.request().getParam("lookback")).orElse("P1D"));
    } catch (DateTimeParseException e) {
      throw ApiErrors.PARAMETER_INVALID.toException(
          "'lookback' must be an ISO-8601 duration such as PT6H or P7D.");
    }
    try {
      // Checked before the search, so a bad lookback costs no search.
      LatestQuery.checkLookback(lookback);
    } catch (IllegalArgumentException e) {
      throw ApiErrors.PARAMETER_INVALID.toException(e.getMessage() + ".");
    }
    Caller caller = ApiAuthentication.caller(context);
    ReadScope scope = access.scope(caller);
    ThingQuery thingQuery =
        ThingQuery.parse(
                context.request().getParam("filter"),
                context.request().getParam("namespaces"),
                context.request().getParam("option"),
                GeoParameter.parse(context.request().getParam("geo"), zones))
            .within(scope);
    org.eclipse.ditto.json.JsonPointer readingPath =
        org.eclipse.ditto.json.JsonPointer.empty()
            .addLeaf(org.eclipse.ditto.json.JsonKey.of("features"))
            .addLeaf(org.eclipse.ditto.json.JsonKey.of(feature))
            .addLeaf(org.eclipse.ditto.json.JsonKey.of("properties"))
            .addLeaf(org.eclipse.ditto.json.JsonKey.of(property));
    vertx
        .executeBlocking(() -> search.search(thingQuery), false)
        .onSuccess(
            page -> {
              // A lent thing's readings are listed only where the property is lent.
              List<String> ids =
                  page.items().stream()
                      .map(thing -> thing.getEntityId().orElseThrow())
                      .filter(
                          thingId ->
                              access.mayRead(
                                  caller, scope, thingId, readingPath, ThingAccess.Use.HISTORY))
                      .map(ThingId::toString)
                      .toList();
              JsonObject query =
                  new JsonObject()
                      .put("things", new JsonArray(ids))
                      .put("feature", feature)
                      .put("property", property)
                      .put("at", at.toString())
                      .put("lookback", lookback.toString());
              ask(
                  context,
                  EventBusAddresses.HISTORY_LATEST,
                  query,
                  answer -> {
                    JsonArray readings = answer.getJsonArray("readings");
                    java.util.Set<String> answered = new java.util.HashSet<>();
                    readings.forEach(r -> answered.add(((JsonObject) r).getString("thingId")));
                    JsonObject body =
                        new JsonObject()
                            .put("at", at.toString())
                            .put("readings", readings)
                            .put(
                                "silent",
                                new JsonArray(
                                    ids.stream().filter(id -> !answered.contains(id)).toList()));
                    page.cursor().ifPresent(cursor -> body.put("cursor", cursor));
                    return body;
                  },
                  page.cursor());
            })
        .onFailure(context::fail);
  }

  /**
   * Lets a request for a thing's history on only if the caller may read the part it asks for: the
   * property of a range, the feature of a trajectory; otherwise the thing answers as missing.
   */
  private void onlyReadable(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("param0"));
    String rest = Optional.ofNullable(context.pathParam("param1")).orElse("");
    org.eclipse.ditto.json.JsonPointer part;
    if (rest.startsWith("/features/")) {
      part = org.eclipse.ditto.json.JsonPointer.of(rest);
    } else if (rest.equals("/trajectory")) {
      part =
          org.eclipse.ditto.json.JsonPointer.empty()
              .addLeaf(org.eclipse.ditto.json.JsonKey.of("features"))
              .addLeaf(org.eclipse.ditto.json.JsonKey.of(trajectoryFeatureId(context)));
    } else {
      part = org.eclipse.ditto.json.JsonPointer.empty();
    }
    Caller caller = ApiAuthentication.caller(context);
    if (!access.mayRead(caller, access.scope(caller), thingId, part, ThingAccess.Use.HISTORY)) {
      throw org.eclipse.ditto.things.model.signals.commands.exceptions.ThingNotAccessibleException
          .newBuilder(thingId)
          .build();
    }
    context.next();
  }

  /** The feature a trajectory is read from: {@code feature}, {@code position} if not given. */
  private static String trajectoryFeatureId(RoutingContext context) {
    String feature = context.request().getParam("feature");
    if (feature == null) {
      return "position";
    }
    if (feature.isBlank() || feature.contains("/")) {
      throw ApiErrors.PARAMETER_INVALID.toException(
          "'feature' names one feature of the thing, such as position; not '" + feature + "'.");
    }
    return feature;
  }

  private static String required(RoutingContext context, String name) {
    String value = context.request().getParam(name);
    if (value == null || value.isBlank()) {
      throw ApiErrors.PARAMETER_INVALID.toException("'" + name + "' is required.");
    }
    return value;
  }

  private static int limit(RoutingContext context, int fallback) {
    String limit = context.request().getParam("limit");
    if (limit == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(limit);
    } catch (NumberFormatException e) {
      throw ApiErrors.PARAMETER_INVALID.toException("'limit' must be a whole number.");
    }
  }

  private void onRange(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("thingId"));
    Instant to = instant(context, "to", clock.instant());
    Instant from = instant(context, "from", to.minus(Duration.ofDays(1)));
    int limit = limit(context, 1000);
    JsonObject query =
        new JsonObject()
            .put("thingId", thingId.toString())
            .put("feature", context.pathParam("feature"))
            .put("property", context.pathParam("property"))
            .put("from", from.toString())
            .put("to", to.toString())
            .put("limit", limit);
    String bucket = context.request().getParam("bucket");
    if (bucket != null) {
      try {
        query.put("bucket", Duration.parse(bucket).toString());
      } catch (DateTimeParseException e) {
        throw ApiErrors.PARAMETER_INVALID.toException(
            "'bucket' must be an ISO-8601 duration such as PT1M or PT1H.");
      }
    }
    ask(context, EventBusAddresses.HISTORY_RANGE, query, json -> json, Optional.empty());
  }

  /**
   * Sends a history request and answers the client: with the Arrow stream if the client asked for
   * one, else with {@code render} applied to the JSON reply; 400 for a query history refuses, 503
   * when history does not answer.
   */
  private void ask(
      RoutingContext context,
      String address,
      JsonObject query,
      java.util.function.UnaryOperator<JsonObject> render,
      Optional<String> cursor) {
    if (acceptsArrow(context)) {
      query.put(EventBusAddresses.HISTORY_FORMAT, "arrow");
    }
    vertx
        .eventBus()
        .<Object>request(address, query, TIMEOUT)
        .onSuccess(
            reply -> {
              if (reply.body() instanceof Buffer stream) {
                cursor.ifPresent(c -> context.response().putHeader(CURSOR_HEADER, c));
                context.response().putHeader(HttpHeaders.CONTENT_TYPE, ARROW_STREAM).end(stream);
              } else {
                context
                    .response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(render.apply((JsonObject) reply.body()).encode());
              }
            })
        .onFailure(
            failure -> {
              if (failure instanceof ReplyException reply && reply.failureCode() == 400) {
                context.fail(ApiErrors.PARAMETER_INVALID.toException(reply.getMessage()));
              } else {
                context.fail(ApiErrors.UPSTREAM_UNAVAILABLE.toException("History did not answer."));
              }
            });
  }

  /**
   * Whether the client asked for Arrow: {@code Accept} names the Arrow stream type (JSON stays the
   * answer for {@code *}{@code /*} and for no {@code Accept}).
   */
  private static boolean acceptsArrow(RoutingContext context) {
    String accept = context.request().getHeader(HttpHeaders.ACCEPT);
    return accept != null && accept.contains(ARROW_STREAM);
  }

  private static Instant instant(RoutingContext context, String name, Instant fallback) {
    String value = context.request().getParam(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw ApiErrors.PARAMETER_INVALID.toException(
          "'" + name + "' must be an ISO-8601 instant such as 2026-07-01T08:00:00Z.");
    }
  }
}
