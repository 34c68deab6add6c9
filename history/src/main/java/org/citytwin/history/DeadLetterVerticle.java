package org.citytwin.history;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.citytwin.twin.EventBusAddresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what ingest refused ({@link EventBusAddresses#DEAD_LETTERS}) in the {@link
 * DeadLetterStore}, and lists it ({@link EventBusAddresses#DEAD_LETTER_LIST}). Letters are gathered
 * and written together every {@value #FLUSH_MILLIS} ms on a worker thread, so a flood of garbage
 * costs one small transaction a second, not one per message; beyond {@value #MAX_BUFFERED} waiting
 * letters the newest are dropped and counted.
 */
public final class DeadLetterVerticle extends AbstractVerticle {

  static final long FLUSH_MILLIS = 1_000;
  static final int MAX_BUFFERED = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterVerticle.class);

  private final DeadLetterStore store;
  private List<DeadLetter> buffered = new ArrayList<>();
  private long dropped;
  private boolean flushing;

  public DeadLetterVerticle(DeadLetterStore store) {
    this.store = store;
  }

  @Override
  public void start(Promise<Void> started) {
    vertx.eventBus().<JsonObject>consumer(EventBusAddresses.DEAD_LETTERS, this::onLetter);
    vertx.setPeriodic(FLUSH_MILLIS, tick -> flush());
    vertx
        .eventBus()
        .<JsonObject>consumer(EventBusAddresses.DEAD_LETTER_LIST, this::onList)
        .completionHandler(started);
  }

  @Override
  public void stop(Promise<Void> stopped) {
    List<DeadLetter> last = buffered;
    buffered = new ArrayList<>();
    vertx
        .<Void>executeBlocking(
            () -> {
              store.append(last);
              return null;
            })
        .onComplete(done -> stopped.complete());
  }

  private void onLetter(Message<JsonObject> message) {
    if (buffered.size() >= MAX_BUFFERED) {
      if (dropped++ % 1_000 == 0) {
        LOG.warn("dead-letter buffer full; {} letters dropped so far", dropped);
      }
      return;
    }
    JsonObject json = message.body();
    try {
      buffered.add(
          new DeadLetter(
              Instant.parse(json.getString("receivedAt")),
              json.getString("source"),
              json.getString("place"),
              json.getString("error"),
              json.getString("message"),
              json.getString("payload")));
    } catch (RuntimeException e) {
      LOG.warn("skipped a malformed dead letter: {}", e.getMessage());
    }
  }

  private void flush() {
    if (flushing || buffered.isEmpty()) {
      return;
    }
    flushing = true;
    List<DeadLetter> batch = buffered;
    buffered = new ArrayList<>();
    vertx
        .<Void>executeBlocking(
            () -> {
              store.append(batch);
              return null;
            },
            false)
        .onComplete(
            written -> {
              flushing = false;
              if (written.failed()) {
                LOG.warn(
                    "{} dead letters not kept: {}", batch.size(), written.cause().getMessage());
              }
            });
  }

  private void onList(Message<JsonObject> request) {
    int limit = Math.max(1, Math.min(1_000, request.body().getInteger("limit", 100)));
    vertx
        .executeBlocking(() -> store.latest(limit), false)
        .onSuccess(
            letters -> {
              JsonArray list = new JsonArray();
              letters.forEach(
                  letter ->
                      list.add(
                          new JsonObject()
                              .put("receivedAt", letter.receivedAt().toString())
                              .put("source", letter.source())
                              .put("place", letter.place())
                              .put("error", letter.error())
                              .put("message", letter.message())
                              .put("payload", letter.payload())));
              request.reply(new JsonObject().put("deadLetters", list));
            })
        .onFailure(failure -> request.fail(503, failure.getMessage()));
  }
}
