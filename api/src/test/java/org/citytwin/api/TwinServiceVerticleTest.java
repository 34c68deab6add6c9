package org.citytwin.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.citytwin.history.Storage;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.TwinCommandBatch;
import org.citytwin.twin.TwinEvent;
import org.citytwin.twin.TwinEventBatch;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.base.model.headers.entitytag.EntityTagMatchers;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.modify.CreateThing;
import org.eclipse.ditto.things.model.signals.commands.modify.MergeThing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The twin service through the event bus, with a real DuckDB journal. */
@Timeout(30)
class TwinServiceVerticleTest {

  private static final ThingId GAUGE = ThingId.of("water:wlg-1");
  private static final ThingId MISSING = ThingId.of("water:wlg-404");

  @TempDir Path directory;
  private Vertx vertx;
  private Storage storage;
  private ThingStore store;
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<TwinEventBatch> batches = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    storage = Storage.openDuckDb(directory.resolve("twins.duckdb"));
    store = new ThingStore(Clock.systemUTC());
    TwinProtocol protocol = new TwinProtocol();
    await(
        vertx.deployVerticle(
            new TwinServiceVerticle(
                store, storage.things(), protocol, Clock.systemUTC(), 0, Long.MAX_VALUE)));
    vertx
        .eventBus()
        .<TwinEventBatch>consumer(
            EventBusAddresses.TWIN_EVENTS,
            message -> {
              batches.add(message.body());
              events.addAll(message.body().texts());
            });
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
    storage.close();
  }

  @Test
  void aBatchAnswersEachCommandAsItWouldAloneAndPublishesEveryChange() throws Exception {
    JsonPointer depth = JsonPointer.of("features/waterlogging/properties/depth");
    TwinCommandBatch batch =
        new TwinCommandBatch(
            List.of(
                CreateThing.of(
                    ThingsModelFactory.newThingBuilder()
                        .setId(GAUGE)
                        .setFeatureProperty(
                            "waterlogging", JsonPointer.of("depth"), JsonValue.of(0))
                        .build(),
                    null,
                    DittoHeaders.empty()),
                MergeThing.of(GAUGE, depth, JsonValue.of(0.25), DittoHeaders.empty()),
                MergeThing.of(MISSING, depth, JsonValue.of(0.3), DittoHeaders.empty()),
                MergeThing.of(
                    GAUGE,
                    depth,
                    JsonValue.of(0.5),
                    DittoHeaders.newBuilder()
                        .ifMatch(EntityTagMatchers.fromCommaSeparatedString("\"rev:1\""))
                        .build()),
                MergeThing.of(GAUGE, depth, JsonValue.of(0.4), DittoHeaders.empty())));

    TwinCommandBatch.Outcomes outcomes =
        await(
                vertx
                    .eventBus()
                    .<TwinCommandBatch.Outcomes>request(EventBusAddresses.TWIN_COMMANDS, batch))
            .body();

    assertThat(outcomes.outcomes())
        .extracting(TwinCommandBatch.Outcome::status, TwinCommandBatch.Outcome::revision)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(201, 1L),
            org.assertj.core.groups.Tuple.tuple(204, 2L),
            org.assertj.core.groups.Tuple.tuple(404, 0L),
            org.assertj.core.groups.Tuple.tuple(412, 0L),
            org.assertj.core.groups.Tuple.tuple(204, 3L));
    assertThat(outcomes.outcomes().get(2).error().orElseThrow()).contains("things:thing.notfound");
    assertThat(outcomes.outcomes().get(3).error().orElseThrow())
        .contains("things:precondition.failed");
    var thing = store.retrieve(GAUGE).orElseThrow();
    assertThat(thing.getRevision().orElseThrow().toLong()).isEqualTo(3);
    assertThat(thing.toJson().getValue(depth)).contains(JsonValue.of(0.4));
    assertThat(storage.things().recover().twins())
        .extracting(org.citytwin.twin.Twin::thing)
        .containsExactly(thing);
    Awaitility.await()
        .untilAsserted(
            () ->
                assertThat(events)
                    .extracting(
                        text -> JsonFactory.newObject(text).getValue("revision").orElseThrow())
                    .containsExactly(JsonValue.of(1), JsonValue.of(2), JsonValue.of(3)));
    assertThat(events.get(0)).contains("/things/twin/events/created");
    assertThat(events.get(2)).contains("/things/twin/events/merged").contains("0.4");
    for (TwinEventBatch published : batches) {
      assertThat(published.events())
          .as("each event handed over read is its text read back")
          .containsExactlyElementsOf(
              published.texts().stream()
                  .map(text -> TwinEvent.parse(JsonFactory.newObject(text)).orElseThrow())
                  .toList());
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /**
   * A journal that commits at once: commits then finish before their listeners are attached, which
   * once let a later commit be applied before an earlier one. It remembers each transaction's size.
   */
  private static final class InstantJournal implements org.citytwin.twin.ThingJournal {
    private final List<Integer> transactions = new CopyOnWriteArrayList<>();
    private long sequence;

    @Override
    public synchronized long append(List<org.citytwin.twin.ThingChange> changes) {
      transactions.add(changes.size());
      sequence += changes.size();
      return sequence;
    }

    @Override
    public Recovery recover() {
      return new Recovery(List.of(), sequence);
    }

    @Override
    public void snapshot(List<org.citytwin.twin.Twin> twins, long coveredSequence) {}
  }

  @Test
  void commitsAreAppliedInOrderHoweverFastTheJournalIs() throws Exception {
    Vertx fast = Vertx.vertx();
    try {
      ThingStore twins = new ThingStore(Clock.systemUTC());
      await(
          fast.deployVerticle(
              new TwinServiceVerticle(
                  twins, new InstantJournal(), new TwinProtocol(), Clock.systemUTC(), 0, 50)));
      List<ThingId> ids = List.of(ThingId.of("water:a"), ThingId.of("water:b"));
      JsonPointer depth = JsonPointer.of("features/waterlogging/properties/depth");
      for (ThingId id : ids) {
        twins.put(
            ThingsModelFactory.newThingBuilder()
                .setId(id)
                .setFeatureProperty("waterlogging", JsonPointer.of("depth"), JsonValue.of(0))
                .build());
      }
      int batches = 400;
      List<io.vertx.core.Future<?>> sent = new java.util.ArrayList<>();
      for (int b = 0; b < batches; b++) {
        List<org.eclipse.ditto.things.model.signals.commands.modify.ThingModifyCommand<?>> merges =
            new java.util.ArrayList<>();
        for (ThingId id : ids) {
          merges.add(MergeThing.of(id, depth, JsonValue.of(b), DittoHeaders.empty()));
        }
        sent.add(
            fast.eventBus()
                .<TwinCommandBatch.Outcomes>request(
                    EventBusAddresses.TWIN_COMMANDS, new TwinCommandBatch(merges))
                .map(
                    reply -> {
                      assertThat(reply.body().outcomes())
                          .allMatch(TwinCommandBatch.Outcome::succeeded);
                      return null;
                    }));
      }
      await(io.vertx.core.Future.all(sent));
      for (ThingId id : ids) {
        assertThat(twins.twin(id).orElseThrow().revision()).isEqualTo(1 + batches);
        assertThat(twins.retrieve(id).orElseThrow().toJson().getValue(depth))
            .contains(JsonValue.of(batches - 1));
      }
    } finally {
      await(fast.close());
    }
  }

  @Test
  void aBatchReachingAnIdleServiceIsJournaledAsOneTransaction() throws Exception {
    Vertx idle = Vertx.vertx();
    try {
      ThingStore twins = new ThingStore(Clock.systemUTC());
      InstantJournal journal = new InstantJournal();
      await(
          idle.deployVerticle(
              new TwinServiceVerticle(
                  twins, journal, new TwinProtocol(), Clock.systemUTC(), 0, Long.MAX_VALUE)));
      JsonPointer depth = JsonPointer.of("features/waterlogging/properties/depth");
      List<org.eclipse.ditto.things.model.signals.commands.modify.ThingModifyCommand<?>> merges =
          new java.util.ArrayList<>();
      for (int gauge = 0; gauge < 300; gauge++) {
        ThingId id = ThingId.of("water:wlg-" + gauge);
        twins.put(
            ThingsModelFactory.newThingBuilder()
                .setId(id)
                .setFeatureProperty("waterlogging", JsonPointer.of("depth"), JsonValue.of(0))
                .build());
        merges.add(MergeThing.of(id, depth, JsonValue.of(0.1), DittoHeaders.empty()));
      }

      TwinCommandBatch.Outcomes outcomes =
          await(
                  idle.eventBus()
                      .<TwinCommandBatch.Outcomes>request(
                          EventBusAddresses.TWIN_COMMANDS, new TwinCommandBatch(merges)))
              .body();

      assertThat(outcomes.outcomes()).hasSize(300).allMatch(TwinCommandBatch.Outcome::succeeded);
      // Not its first command alone, with the other 299 waiting for a second commit.
      assertThat(journal.transactions).containsExactly(300);
    } finally {
      await(idle.close());
    }
  }
}
