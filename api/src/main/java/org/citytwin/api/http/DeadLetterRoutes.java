package org.citytwin.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.citytwin.twin.EventBusAddresses;

/**
 * {@code GET /api/ingest/dead-letters?limit=n}: what ingest refused lately, newest first, with the
 * raw payload and the reason; for the engineer chasing a vendor's format change.
 */
public final class DeadLetterRoutes {

  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(10_000);

  private final Vertx vertx;

  public DeadLetterRoutes(Vertx vertx) {
    this.vertx = vertx;
  }

  public void mount(Router router) {
    // Dead letters hold payloads of every tenant, so they are the whole district's to read.
    router
        .get("/api/ingest/dead-letters")
        .handler(ApiErrors::onlyWholeDistrict)
        .handler(this::onList);
  }

  private void onList(RoutingContext context) {
    int limit;
    try {
      String given = context.request().getParam("limit");
      limit = given == null ? 100 : Integer.parseInt(given);
    } catch (NumberFormatException e) {
      context.fail(ApiErrors.PARAMETER_INVALID.toException("limit must be a whole number."));
      return;
    }
    vertx
        .eventBus()
        .<JsonObject>request(
            EventBusAddresses.DEAD_LETTER_LIST, new JsonObject().put("limit", limit), TIMEOUT)
        .onSuccess(
            reply ->
                context
                    .response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(reply.body().getJsonArray("deadLetters").encode()))
        .onFailure(
            failure ->
                context.fail(
                    ApiErrors.UPSTREAM_UNAVAILABLE.toException(
                        "History did not answer: " + failure.getMessage())));
  }
}
