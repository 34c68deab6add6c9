package org.citytwin.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.citytwin.twin.EventBusAddresses;
import org.eclipse.ditto.things.model.ThingId;

/**
 * {@code GET /api/history/things/{thingId}/features/{feature}/properties/{property}}: the raw
 * readings of one property in {@code [from, to)} (ISO-8601; by default the last 24 hours), oldest
 * first, at most {@code limit} (default 1000). With {@code bucket=PT1M} (an ISO-8601 duration) the
 * numeric readings are summarised instead: count, min, max, avg and last per bucket. Either answer
 * comes as an Apache Arrow IPC stream when {@code Accept} asks for {@value #ARROW_STREAM}.
 */
public final class HistoryRoutes {

  /** The media type of an Arrow IPC stream. */
  public static final String ARROW_STREAM = "application/vnd.apache.arrow.stream";

  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(15_000);

  private final Vertx vertx;
  private final Clock clock;

  public HistoryRoutes(Vertx vertx, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  public void mount(Router router) {
    router
        .get("/api/history/things/:thingId/features/:feature/properties/:property")
        .handler(this::onRange);
  }

  private void onRange(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("thingId"));
    Instant to = instant(context, "to", clock.instant());
    Instant from = instant(context, "from", to.minus(Duration.ofDays(1)));
    int limit;
    try {
      limit =
          Integer.parseInt(
              context.request().params().get("limit") == null
                  ? "1000"
                  : context.request().getParam("limit"));
    } catch (NumberFormatException e) {
      throw ApiErrors.PARAMETER_INVALID.toException("'limit' must be a whole number.");
    }
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
    boolean arrow = acceptsArrow(context);
    if (arrow) {
      query.put("format", "arrow");
    }
    vertx
        .eventBus()
        .<Object>request(EventBusAddresses.HISTORY_RANGE, query, TIMEOUT)
        .onSuccess(
            reply -> {
              if (reply.body() instanceof Buffer stream) {
                context.response().putHeader(HttpHeaders.CONTENT_TYPE, ARROW_STREAM).end(stream);
              } else {
                context
                    .response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(((JsonObject) reply.body()).encode());
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
