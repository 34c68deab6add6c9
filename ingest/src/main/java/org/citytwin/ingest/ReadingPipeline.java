package org.citytwin.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.citytwin.ingest.clean.ReadingCleaner;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingBatch;
import org.citytwin.twin.TwinCommandBatch;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.signals.commands.modify.ThingModifyCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes canonical readings the rest of the way, whichever protocol brought them: committed to
 * history and, side by side with that commit, applied to their twins (one after the other while
 * history is failing). The returned future succeeds only when history holds every reading and their
 * twins were updated, which is when a device may be acknowledged.
 *
 * <p>At most {@code maxReadingsInFlight} readings wait for history at once; beyond that, new ones
 * are refused at once with {@link IngestErrors#OVERLOADED}, so that a slow store makes devices back
 * off instead of filling memory.
 *
 * <p>A twin that cannot be updated does not fail the reading: it is already durable, and a device
 * resending it would only duplicate history. Such failures are counted and logged.
 */
public final class ReadingPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(ReadingPipeline.class);

  /** Longer than any healthy group commit; a device waiting longer is better told to retry. */
  private static final DeliveryOptions REQUEST_TIMEOUT =
      new DeliveryOptions().setSendTimeout(10_000);

  /** Enough for a few seconds of a district at full rate; a few hundred bytes each. */
  public static final int DEFAULT_MAX_READINGS_IN_FLIGHT = 200_000;

  private final Vertx vertx;
  private final TwinProtocol protocol;
  private final IngestCounters counters;
  private final ReadingCleaner cleaner;
  private final Clock clock;
  private final int maxReadingsInFlight;
  private final AtomicInteger readingsInFlight = new AtomicInteger();
  // Set by the last history answer; read and written on the event loops that accept readings, so
  // volatile suffices: a stale view only means one batch's twins wait for history, or do not.
  private volatile boolean historyFailing;

  public ReadingPipeline(
      Vertx vertx,
      TwinProtocol protocol,
      IngestCounters counters,
      ReadingCleaner cleaner,
      Clock clock) {
    this(vertx, protocol, counters, cleaner, clock, DEFAULT_MAX_READINGS_IN_FLIGHT);
  }

  public ReadingPipeline(
      Vertx vertx,
      TwinProtocol protocol,
      IngestCounters counters,
      ReadingCleaner cleaner,
      Clock clock,
      int maxReadingsInFlight) {
    this.vertx = vertx;
    this.protocol = protocol;
    this.counters = counters;
    this.cleaner = cleaner;
    this.clock = clock;
    this.maxReadingsInFlight = maxReadingsInFlight;
    ReadingBatchCodec.register(vertx);
  }

  /**
   * Cleans {@code readings}, commits them to history, then applies to their twins those whose
   * quality allows (see {@link QualityFlag#updatesTwin()}). Repeats of readings already taken
   * succeed without being stored again.
   *
   * @return succeeds once history holds every reading; fails with {@link IngestErrors#OVERLOADED}
   *     (nothing taken) or {@link IngestErrors#HISTORY_UNAVAILABLE}
   */
  public Future<Void> accept(List<Reading> readings) {
    if (readings.isEmpty()) {
      return Future.succeededFuture();
    }
    if (readingsInFlight.addAndGet(readings.size()) > maxReadingsInFlight) {
      readingsInFlight.addAndGet(-readings.size());
      return Future.failedFuture(
          IngestErrors.OVERLOADED.toException(
              "More than " + maxReadingsInFlight + " readings are waiting for storage."));
    }
    long started = System.nanoTime();
    ReadingCleaner.Cleaned cleaned = cleaner.clean(readings, clock.instant());
    List<Reading> kept = cleaned.kept();
    Future<Void> committed =
        kept.isEmpty()
            ? Future.succeededFuture()
            : commit(kept, started).onFailure(failure -> cleaner.forget(kept));
    return committed
        .onSuccess(done -> count(cleaned))
        .onComplete(done -> readingsInFlight.addAndGet(-readings.size()));
  }

  private void count(ReadingCleaner.Cleaned cleaned) {
    counters.duplicates(cleaned.duplicates());
    for (Reading reading : cleaned.kept()) {
      reading.quality().forEach(counters::flagged);
    }
  }

  /** How many readings may wait for storage before more are refused. */
  public int maxReadingsInFlight() {
    return maxReadingsInFlight;
  }

  /** Readings accepted but not yet committed (or refused) by history. */
  public int readingsInFlight() {
    return readingsInFlight.get();
  }

  private Future<Void> commit(List<Reading> readings, long started) {
    Future<Message<Object>> durable =
        vertx
            .eventBus()
            .request(EventBusAddresses.HISTORY_APPEND, new ReadingBatch(readings), REQUEST_TIMEOUT)
            .onComplete(
                committed -> {
                  historyFailing = committed.failed();
                  if (committed.succeeded()) {
                    counters.commitWait().record(System.nanoTime() - started);
                  }
                })
            .recover(
                failure ->
                    Future.failedFuture(
                        IngestErrors.HISTORY_UNAVAILABLE.toException(
                            "History did not commit the reading: " + failure.getMessage())));
    Future<Void> acknowledged;
    if (historyFailing) {
      // While history refuses, twins wait for it: they do not run ahead of what is stored.
      acknowledged = durable.compose(committed -> updateTwins(readings, started));
    } else {
      // The twin service journals the changes while history commits the readings: a device waits
      // for the longer of the two commits, not for both in turn. A twin may so show a reading
      // whose history commit then fails; its device is told to resend it (see docs/ingest.md).
      Future<Void> twins = updateTwins(readings, started);
      acknowledged = durable.compose(committed -> twins);
    }
    return acknowledged.onSuccess(done -> counters.accepted(readings.size()));
  }

  private Future<Void> updateTwins(List<Reading> readings, long started) {
    return updateTwins(readings)
        .onComplete(done -> counters.twinUpdateWait().record(System.nanoTime() - started));
  }

  private Future<Void> updateTwins(List<Reading> readings) {
    Map<ThingId, List<Reading>> byThing = new LinkedHashMap<>();
    for (Reading reading : readings) {
      if (reading.updatesTwin()) {
        byThing.computeIfAbsent(reading.thingId(), id -> new ArrayList<>()).add(reading);
      }
    }
    if (byThing.isEmpty()) {
      return Future.succeededFuture();
    }
    List<ThingModifyCommand<?>> merges = new ArrayList<>(byThing.size());
    byThing.forEach((thingId, thingReadings) -> merges.add(protocol.merge(thingId, thingReadings)));
    Future<Message<TwinCommandBatch.Outcomes>> sent;
    try {
      sent =
          vertx
              .eventBus()
              .request(
                  EventBusAddresses.TWIN_COMMANDS, new TwinCommandBatch(merges), REQUEST_TIMEOUT);
    } catch (IllegalArgumentException noTwinService) {
      // The batch codec is registered by the twin service: without it there is none to update.
      sent = Future.failedFuture(noTwinService);
    }
    return sent.map(
            reply -> {
              List<TwinCommandBatch.Outcome> outcomes = reply.body().outcomes();
              for (int i = 0; i < outcomes.size(); i++) {
                if (!outcomes.get(i).succeeded()) {
                  counters.twinUpdateFailed();
                  LOG.warn(
                      "twin {} not updated: {} {}",
                      merges.get(i).getEntityId(),
                      outcomes.get(i).status(),
                      outcomes.get(i).error().orElse(""));
                }
              }
              return (Void) null;
            })
        .recover(
            failure -> {
              merges.forEach(merge -> counters.twinUpdateFailed());
              LOG.warn("{} twins not updated: {}", merges.size(), describe(failure));
              return Future.succeededFuture();
            });
  }

  private static String describe(Throwable failure) {
    return failure instanceof ReplyException reply
        ? reply.failureCode() + " " + reply.getMessage()
        : String.valueOf(failure);
  }
}
