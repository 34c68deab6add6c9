package org.citytwin.fusion;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.TwinEvent;
import org.citytwin.twin.TwinEventBatch;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.json.JsonFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads twin events into {@link Observation}s on an event loop of its own and hands them, in the
 * order they came, to the {@link FusionVerticle}.
 *
 * <p>Why a verticle of its own: reading an event's JSON costs more than evaluating it against the
 * whole rule pack, and needs nothing but the event, while evaluation needs the engine's state and
 * so one thread. Reading here and evaluating there puts both of a district server's cores to work.
 * Observations are immutable, so handing them across threads is safe.
 */
final class TwinEventReader extends AbstractVerticle {

  /** Internal, same process only: {@link Batch}es of observations, point to point, in order. */
  static final String OBSERVATIONS = "citytwin.fusion.observations";

  private static final Logger LOG = LoggerFactory.getLogger(TwinEventReader.class);

  /**
   * The observations read from one twin-event message, how many of its events could not be read,
   * and when ({@link System#nanoTime()}) the message arrived here.
   */
  record Batch(List<Observation> observations, int unreadable, long arrivedNanos) {

    Batch {
      observations = List.copyOf(observations);
    }
  }

  private final Clock clock;

  TwinEventReader(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void start(Promise<Void> started) {
    SameProcessCodec.register(vertx, Batch.class);
    vertx
        .eventBus()
        .consumer(EventBusAddresses.TWIN_EVENTS, this::onTwinEvents)
        .completionHandler(started);
  }

  private void onTwinEvents(Message<Object> message) {
    long arrived = System.nanoTime();
    List<Observation> observations;
    int unreadable = 0;
    if (message.body() instanceof TwinEventBatch batch) {
      // Read already by the twin service: nothing to parse.
      observations = new ArrayList<>(batch.events().size());
      for (TwinEvent event : batch.events()) {
        observations.add(Observation.of(event, event.timestamp().orElseGet(clock::instant)));
      }
    } else {
      List<String> events = TwinProtocol.eventsIn((String) message.body());
      observations = new ArrayList<>(events.size());
      for (String event : events) {
        try {
          Observation.read(JsonFactory.newObject(event), clock).ifPresent(observations::add);
        } catch (RuntimeException e) {
          unreadable++;
          LOG.warn("skipped a twin event fusion could not read: {}", event, e);
        }
      }
    }
    if (!observations.isEmpty() || unreadable > 0) {
      vertx.eventBus().send(OBSERVATIONS, new Batch(observations, unreadable, arrived));
    }
  }
}
