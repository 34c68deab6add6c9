package org.citytwin.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.citytwin.twin.EventBusAddresses;

/** {@code GET /api/incidents}: the incidents fusion has raised, newest first. */
public final class IncidentRoutes {

  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(5_000);

  private final Vertx vertx;

  public IncidentRoutes(Vertx vertx) {
    this.vertx = vertx;
  }

  public void mount(Router router) {
    router.get("/api/incidents").handler(this::onList);
  }

  private void onList(RoutingContext context) {
    vertx
        .eventBus()
        .<JsonObject>request(EventBusAddresses.INCIDENT_LIST, new JsonObject(), TIMEOUT)
        .onSuccess(
            reply ->
                context
                    .response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(reply.body().getJsonArray("incidents").encode()))
        .onFailure(
            failure ->
                context.fail(
                    ApiErrors.UPSTREAM_UNAVAILABLE.toException(
                        "Fusion did not answer: " + failure.getMessage())));
  }
}
