package org.citytwin.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HistoryVerticleTest {

  private static final Instant T0 = Instant.parse("2026-07-14T08:00:00Z");

  @TempDir Path directory;
  private Vertx vertx;
  private Storage storage;
  private HistoryStore store;

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    storage = Storage.openDuckDb(directory.resolve("history.duckdb"));
    store = storage.readings();
    await(vertx.deployVerticle(new HistoryVerticle(store)));
  }

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
    storage.close();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static JsonObject appendOf(ThingId thing, int readings) {
    JsonArray rows = new JsonArray();
    for (int i = 0; i < readings; i++) {
      rows.add(
          new JsonObject(
              new Reading(
                      thing,
                      "waterlogging",
                      "depth",
                      i / 100.0,
                      CanonicalUnit.METRE,
                      T0.plusSeconds(i))
                  .toJsonMap()));
    }
    return new JsonObject().put("readings", rows);
  }

  @Test
  void answersEveryConcurrentAppendOnlyOnceItsReadingsAreStored() throws Exception {
    int devices = 200;
    List<Future<Message<JsonObject>>> replies = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      ThingId gauge = ThingId.of("water", "wlg-" + d);
      replies.add(vertx.eventBus().request(EventBusAddresses.HISTORY_APPEND, appendOf(gauge, 5)));
    }
    for (Future<Message<JsonObject>> reply : replies) {
      assertThat(await(reply).body().getInteger("appended")).isEqualTo(5);
    }
    assertThat(store.count()).isEqualTo(devices * 5L);
  }

  @Test
  void refusesMalformedAppendWithoutLosingOthers() throws Exception {
    Future<Message<JsonObject>> good =
        vertx
            .eventBus()
            .request(EventBusAddresses.HISTORY_APPEND, appendOf(ThingId.of("water", "a"), 3));
    JsonObject bad =
        new JsonObject()
            .put("readings", new JsonArray().add(new JsonObject().put("thingId", "no-namespace")));
    Throwable refused =
        vertx
            .eventBus()
            .request(EventBusAddresses.HISTORY_APPEND, bad)
            .toCompletionStage()
            .toCompletableFuture()
            .handle((ok, failure) -> failure)
            .get(30, TimeUnit.SECONDS);
    assertThat(refused).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) refused).failureCode()).isEqualTo(400);
    assertThat(await(good).body().getInteger("appended")).isEqualTo(3);
    assertThat(store.count()).isEqualTo(3);
  }

  @Test
  void answersRangeQueriesFromTheStore() throws Exception {
    ThingId gauge = ThingId.of("water", "wlg-0001");
    await(vertx.eventBus().request(EventBusAddresses.HISTORY_APPEND, appendOf(gauge, 10)));
    JsonObject query =
        new JsonObject()
            .put("thingId", gauge.toString())
            .put("feature", "waterlogging")
            .put("property", "depth")
            .put("from", T0.plusSeconds(2).toString())
            .put("to", T0.plusSeconds(5).toString())
            .put("limit", 100);
    Message<JsonObject> reply =
        await(vertx.eventBus().request(EventBusAddresses.HISTORY_RANGE, query));
    assertThat(
            reply.body().getJsonArray("readings").stream()
                .map(r -> ((JsonObject) r).getDouble("value")))
        .containsExactly(0.02, 0.03, 0.04);
  }
}
