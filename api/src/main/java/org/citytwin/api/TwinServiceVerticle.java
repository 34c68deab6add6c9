package org.citytwin.api;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.ThingChange;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.things.model.signals.commands.modify.MergeThing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The twin service: applies Ditto Protocol merge commands from {@link
 * EventBusAddresses#TWIN_COMMANDS} to the {@link ThingStore} and publishes each accepted change as
 * a Ditto Protocol event on {@link EventBusAddresses#TWIN_EVENTS}.
 *
 * <p>The event is published before the command is answered, so that whoever is told "done" can rely
 * on subscribers having been sent the change.
 */
public final class TwinServiceVerticle extends AbstractVerticle {

  private static final Logger LOG = LoggerFactory.getLogger(TwinServiceVerticle.class);

  private final ThingStore store;
  private final TwinProtocol protocol;

  public TwinServiceVerticle(ThingStore store, TwinProtocol protocol) {
    this.store = store;
    this.protocol = protocol;
  }

  @Override
  public void start(Promise<Void> started) {
    vertx
        .eventBus()
        .<JsonObject>consumer(EventBusAddresses.TWIN_COMMANDS, this::onCommand)
        .completionHandler(started);
  }

  private void onCommand(Message<JsonObject> request) {
    try {
      MergeThing merge = protocol.parseMergeCommand(JsonFactory.newObject(request.body().encode()));
      ThingChange change = store.merge(merge.getEntityId(), merge.getPath(), merge.getValue());
      vertx
          .eventBus()
          .publish(
              EventBusAddresses.TWIN_EVENTS, new JsonObject(protocol.event(change).toString()));
      request.reply(new JsonObject().put("revision", change.revision()));
    } catch (DittoRuntimeException e) {
      request.fail(e.getHttpStatus().getCode(), e.toJson().toString());
    } catch (RuntimeException e) {
      LOG.error("twin command failed: {}", request.body(), e);
      request.fail(500, "the twin service failed");
    }
  }
}
