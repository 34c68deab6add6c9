package org.citytwin.api.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import org.citytwin.ingest.IngestCounters;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.MetricsText;
import org.citytwin.twin.ThingStore;

/**
 * {@code /health} (the process lives), {@code /ready} (every part should be sent traffic: 200, or
 * 503 naming the part that is not; see {@link Readiness}) and {@code /metrics} in Prometheus' text
 * format. None of them needs a token: probes and scrapers carry none.
 */
public final class OperationsRoutes {

  /** The parts that write their own metrics, asked on every scrape. */
  private static final List<String> PART_METRICS =
      List.of(
          EventBusAddresses.TWIN_METRICS,
          EventBusAddresses.HISTORY_METRICS,
          EventBusAddresses.FUSION_METRICS);

  /** How long a scrape waits for a part before answering without it. */
  private static final DeliveryOptions PART_TIMEOUT = new DeliveryOptions().setSendTimeout(2_000);

  private final Vertx vertx;
  private final IngestCounters ingest;
  private final ThingStore things;
  private final ApiAuthentication authentication;
  private final RateLimits rateLimits;
  private final DittoWebSocket webSocket;
  private final Readiness readiness;
  private final LiveFeeds feeds;
  private final ApiRefusals refusals;

  public OperationsRoutes(
      Vertx vertx,
      IngestCounters ingest,
      ThingStore things,
      ApiAuthentication authentication,
      RateLimits rateLimits,
      DittoWebSocket webSocket,
      Readiness readiness,
      LiveFeeds feeds,
      ApiRefusals refusals) {
    this.vertx = vertx;
    this.ingest = ingest;
    this.things = things;
    this.authentication = authentication;
    this.rateLimits = rateLimits;
    this.webSocket = webSocket;
    this.readiness = readiness;
    this.feeds = feeds;
    this.refusals = refusals;
  }

  public void mount(Router router) {
    router
        .get("/health")
        .handler(
            context ->
                context
                    .response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end("{\"status\":\"UP\"}"));
    router.get("/ready").handler(this::onReady);
    router.get("/metrics").handler(this::onMetrics);
  }

  private void onReady(RoutingContext context) {
    readiness
        .check()
        .onSuccess(
            outcome ->
                context
                    .response()
                    .setStatusCode("UP".equals(outcome.getString("status")) ? 200 : 503)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .end(outcome.encode()))
        .onFailure(context::fail);
  }

  private void onMetrics(RoutingContext context) {
    StringBuilder text = new StringBuilder();
    text.append(
            "# HELP citytwin_ingest_readings_accepted_total Readings committed and acknowledged.\n")
        .append("# TYPE citytwin_ingest_readings_accepted_total counter\n")
        .append("citytwin_ingest_readings_accepted_total ")
        .append(ingest.acceptedReadings())
        .append('\n')
        .append(
            "# HELP citytwin_ingest_requests_rejected_total Device requests refused, by error code.\n")
        .append("# TYPE citytwin_ingest_requests_rejected_total counter\n");
    ingest
        .rejectedByReason()
        .forEach(
            (reason, count) ->
                text.append("citytwin_ingest_requests_rejected_total{reason=\"")
                    .append(reason)
                    .append("\"} ")
                    .append(count)
                    .append('\n'));
    text.append(
            "# HELP citytwin_ingest_readings_duplicate_total Repeated readings acknowledged, not stored again.\n")
        .append("# TYPE citytwin_ingest_readings_duplicate_total counter\n")
        .append("citytwin_ingest_readings_duplicate_total ")
        .append(ingest.duplicates())
        .append('\n')
        .append(
            "# HELP citytwin_ingest_readings_held_total Readings held back (MQTT flow control)"
                + " while storage was behind, rather than refused.\n")
        .append("# TYPE citytwin_ingest_readings_held_total counter\n")
        .append("citytwin_ingest_readings_held_total ")
        .append(ingest.held())
        .append('\n')
        .append(
            "# HELP citytwin_ingest_readings_flagged_total Stored readings cleaning doubted, by flag.\n")
        .append("# TYPE citytwin_ingest_readings_flagged_total counter\n");
    ingest
        .flaggedByQuality()
        .forEach(
            (flag, count) ->
                text.append("citytwin_ingest_readings_flagged_total{flag=\"")
                    .append(flag.text())
                    .append("\"} ")
                    .append(count)
                    .append('\n'));
    text.append(
            "# HELP citytwin_ingest_twin_update_failures_total Durable readings whose twin was not updated.\n")
        .append("# TYPE citytwin_ingest_twin_update_failures_total counter\n")
        .append("citytwin_ingest_twin_update_failures_total ")
        .append(ingest.twinUpdateFailures())
        .append('\n')
        .append(
            "# HELP citytwin_api_authentication_refused_total API requests refused for their token.\n")
        .append("# TYPE citytwin_api_authentication_refused_total counter\n")
        .append("citytwin_api_authentication_refused_total ")
        .append(authentication.refused())
        .append('\n')
        .append(
            "# HELP citytwin_api_rate_limited_total API requests refused for their client's"
                + " rate.\n")
        .append("# TYPE citytwin_api_rate_limited_total counter\n")
        .append("citytwin_api_rate_limited_total ")
        .append(rateLimits.refused())
        .append('\n')
        .append("# HELP citytwin_api_rate_limited_clients Clients with a rate bucket now.\n")
        .append("# TYPE citytwin_api_rate_limited_clients gauge\n")
        .append("citytwin_api_rate_limited_clients ")
        .append(rateLimits.clients())
        .append('\n')
        .append(
            "# HELP citytwin_websocket_refused_messages_total /ws/2 messages answered with an"
                + " error.\n")
        .append("# TYPE citytwin_websocket_refused_messages_total counter\n")
        .append("citytwin_websocket_refused_messages_total ")
        .append(webSocket.refusedMessages())
        .append('\n')
        .append(
            "# HELP citytwin_websocket_dropped_too_slow_total /ws/2 subscribers closed for"
                + " falling behind.\n")
        .append("# TYPE citytwin_websocket_dropped_too_slow_total counter\n")
        .append("citytwin_websocket_dropped_too_slow_total ")
        .append(webSocket.droppedTooSlow())
        .append('\n')
        .append("# HELP citytwin_twins Twins held.\n")
        .append("# TYPE citytwin_twins gauge\n")
        .append("citytwin_twins ")
        .append(things.size())
        .append('\n');
    refusals.appendMetrics(text);
    appendLatencies(text);
    appendLiveFeeds(text);
    // The twin service's, history's and fusion's state live on their own event loops: each writes
    // its part there.
    List<Future<Message<String>>> parts = new ArrayList<>();
    for (String address : PART_METRICS) {
      parts.add(vertx.eventBus().request(address, new JsonObject(), PART_TIMEOUT));
    }
    Future.join(parts)
        .onComplete(
            all -> {
              for (int i = 0; i < parts.size(); i++) {
                Future<Message<String>> part = parts.get(i);
                if (part.succeeded()) {
                  text.append(part.result().body());
                } else {
                  text.append("# metrics missing from ")
                      .append(PART_METRICS.get(i))
                      .append(": ")
                      .append(part.cause().getMessage())
                      .append('\n');
                }
              }
              context
                  .response()
                  .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4")
                  .end(text.toString());
            });
  }

  private void appendLatencies(StringBuilder text) {
    ingest
        .commitWait()
        .appendWithHeader(
            text,
            "citytwin_ingest_commit_seconds",
            "From readings being taken to history holding them: the server's share of a device's wait"
                + " for its acknowledgement.");
    ingest
        .twinUpdateWait()
        .appendWithHeader(
            text,
            "citytwin_ingest_twin_update_seconds",
            "From readings being taken to their twins being changed, while history commits them.");
  }

  private void appendLiveFeeds(StringBuilder text) {
    String subscribers = "citytwin_live_subscribers";
    MetricsText.header(text, subscribers, "gauge", "Server-sent event subscribers, by feed.");
    MetricsText.sample(text, subscribers, "feed=\"twins\"", feeds.twins.listenerCount());
    MetricsText.sample(text, subscribers, "feed=\"incidents\"", feeds.incidents.listenerCount());
    String dropped = "citytwin_live_dropped_too_slow_total";
    MetricsText.header(
        text,
        dropped,
        "counter",
        "Server-sent event subscribers dropped for falling behind, by feed.");
    MetricsText.sample(text, dropped, "feed=\"twins\"", feeds.twins.droppedTooSlow());
    MetricsText.sample(text, dropped, "feed=\"incidents\"", feeds.incidents.droppedTooSlow());
  }
}
