package org.citytwin.fusion;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.json.JsonFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds twin events from {@link EventBusAddresses#TWIN_EVENTS} to the {@link FusionEngine},
 * publishes each incident it raises or updates on {@link EventBusAddresses#INCIDENT_EVENTS} and
 * answers {@link EventBusAddresses#INCIDENT_LIST}. A malformed event is logged and skipped; it
 * never stops fusion.
 */
public final class FusionVerticle extends AbstractVerticle {

  private static final Logger LOG = LoggerFactory.getLogger(FusionVerticle.class);

  private final FusionEngine engine;

  public FusionVerticle(FusionEngine engine) {
    this.engine = engine;
  }

  @Override
  public void start(Promise<Void> started) {
    vertx.eventBus().<String>consumer(EventBusAddresses.TWIN_EVENTS, this::onTwinEvent);
    vertx
        .eventBus()
        .<JsonObject>consumer(EventBusAddresses.INCIDENT_LIST, this::onList)
        .completionHandler(started);
  }

  private void onTwinEvent(Message<String> message) {
    for (String event : TwinProtocol.eventsIn(message.body())) {
      List<Incident> touched;
      try {
        touched = engine.onTwinEvent(JsonFactory.newObject(event));
      } catch (RuntimeException e) {
        LOG.warn("skipped a twin event fusion could not read: {}", event, e);
        continue;
      }
      for (Incident incident : touched) {
        vertx.eventBus().publish(EventBusAddresses.INCIDENT_EVENTS, incident.toJson());
      }
    }
  }

  private void onList(Message<JsonObject> request) {
    JsonArray incidents = new JsonArray();
    engine.incidents().forEach(incident -> incidents.add(incident.toJson()));
    request.reply(new JsonObject().put("incidents", incidents));
  }
}
