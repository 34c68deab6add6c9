package org.citytwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.citytwin.ingest.clean.CleaningRules;
import org.citytwin.ingest.clean.ReadingCleaner;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.Reading;
import org.citytwin.twin.TwinCommandBatch;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pipeline's two commits: history's and the twin service's run side by side, a device waits for
 * both, and while history fails twins wait for it. History and the twin service are event-bus
 * consumers here that answer only when the test says, so each step's order is seen.
 */
@Timeout(30)
class ReadingPipelineTest {

  private static final ThingId GAUGE = ThingId.of("water:wlg-1");

  private Vertx vertx;
  private ReadingPipeline pipeline;
  private final IngestCounters counters = new IngestCounters();
  private final List<Message<Object>> heldByHistory = new CopyOnWriteArrayList<>();
  private final List<Message<TwinCommandBatch>> heldByTwins = new CopyOnWriteArrayList<>();
  private int depthMillimetres = 100;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    vertx.eventBus().registerDefaultCodec(TwinCommandBatch.class, new ByReference<>("batch"));
    vertx
        .eventBus()
        .registerDefaultCodec(TwinCommandBatch.Outcomes.class, new ByReference<>("outcomes"));
    vertx.eventBus().consumer(EventBusAddresses.HISTORY_APPEND, heldByHistory::add);
    vertx.eventBus().<TwinCommandBatch>consumer(EventBusAddresses.TWIN_COMMANDS, heldByTwins::add);
    pipeline =
        new ReadingPipeline(
            vertx,
            new TwinProtocol(),
            counters,
            new ReadingCleaner(CleaningRules.none()),
            Clock.systemUTC());
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** One new depth of the gauge. */
  private Future<Void> accept() {
    Reading reading =
        new Reading(
            GAUGE,
            "waterlogging",
            "depth",
            depthMillimetres++ / 1000.0,
            CanonicalUnit.METRE,
            Instant.now());
    return pipeline.accept(List.of(reading));
  }

  private void twinsApply(int index) {
    heldByTwins
        .get(index)
        .reply(
            new TwinCommandBatch.Outcomes(
                List.of(new TwinCommandBatch.Outcome(204, index + 2, Optional.empty()))));
  }

  @Test
  void twinsChangeWhileHistoryCommitsAndTheDeviceWaitsForBoth() {
    Future<Void> acknowledged = accept();

    await().until(() -> heldByHistory.size() == 1 && heldByTwins.size() == 1);
    assertThat(heldByTwins.get(0).body().commands()).hasSize(1);
    twinsApply(0);
    await().during(200, TimeUnit.MILLISECONDS).until(() -> !acknowledged.isComplete());

    heldByHistory.get(0).reply(new JsonObject().put("appended", 1));

    await().until(acknowledged::isComplete);
    assertThat(acknowledged.succeeded()).isTrue();
    assertThat(counters.acceptedReadings()).isEqualTo(1);
    assertThat(counters.commitWait().count()).isEqualTo(1);
    assertThat(counters.twinUpdateWait().count()).isEqualTo(1);
  }

  @Test
  void aDeviceIsNotAcknowledgedBeforeItsTwinChangedEvenOnceHistoryHoldsIt() {
    Future<Void> acknowledged = accept();
    await().until(() -> heldByHistory.size() == 1 && heldByTwins.size() == 1);

    heldByHistory.get(0).reply(new JsonObject().put("appended", 1));
    await().during(200, TimeUnit.MILLISECONDS).until(() -> !acknowledged.isComplete());
    twinsApply(0);

    await().until(acknowledged::isComplete);
    assertThat(acknowledged.succeeded()).isTrue();
  }

  @Test
  void afterHistoryFailsTwinsWaitForItUntilItCommitsAgain() {
    Future<Void> refused = accept();
    await().until(() -> heldByHistory.size() == 1 && heldByTwins.size() == 1);
    heldByHistory.get(0).fail(503, "disk full");
    twinsApply(0);
    await().until(refused::isComplete);
    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause().getMessage()).contains("History did not commit");

    // History is failing: the next reading's twin waits for its commit.
    Future<Void> second = accept();
    await().until(() -> heldByHistory.size() == 2);
    await().during(200, TimeUnit.MILLISECONDS).until(() -> heldByTwins.size() == 1);
    heldByHistory.get(1).reply(new JsonObject().put("appended", 1));
    await().until(() -> heldByTwins.size() == 2);
    twinsApply(1);
    await().until(second::isComplete);
    assertThat(second.succeeded()).isTrue();

    // History committed again: the two go side by side once more.
    Future<Void> third = accept();
    await().until(() -> heldByHistory.size() == 3 && heldByTwins.size() == 3);
    heldByHistory.get(2).reply(new JsonObject().put("appended", 1));
    twinsApply(2);
    await().until(third::isComplete);
    assertThat(third.succeeded()).isTrue();
    assertThat(counters.acceptedReadings()).isEqualTo(2);
  }

  /** Hands objects over within the process, as the twin service's codec does. */
  private static final class ByReference<T> implements MessageCodec<T, T> {
    private final String name;

    ByReference(String name) {
      this.name = name;
    }

    @Override
    public void encodeToWire(Buffer buffer, T value) {
      throw new UnsupportedOperationException("same process only");
    }

    @Override
    public T decodeFromWire(int position, Buffer buffer) {
      throw new UnsupportedOperationException("same process only");
    }

    @Override
    public T transform(T value) {
      return value;
    }

    @Override
    public String name() {
      return "test-" + name;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
