package org.citytwin.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReadinessTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  private JsonObject check(Readiness readiness) throws Exception {
    Promise<JsonObject> outcome = Promise.promise();
    // Run on a Vert.x context, as the route does: timeouts need one.
    vertx.runOnContext(any -> readiness.check().onComplete(outcome));
    return outcome.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void isUpWhenEveryPartAnswersFit() throws Exception {
    vertx
        .eventBus()
        .<JsonObject>consumer(
            "test.ready",
            request ->
                request.reply(new JsonObject().put("ready", true).put("detail", "3 waiting")));
    Readiness readiness =
        new Readiness(
            List.of(
                Readiness.eventBus(vertx, "history", "test.ready", Duration.ofSeconds(1)),
                new Readiness.Probe("ingest", () -> Future.succeededFuture("0 waiting"))),
            Duration.ofSeconds(1));

    JsonObject outcome = check(readiness);

    assertThat(outcome.getString("status")).isEqualTo("UP");
    assertThat(outcome.getJsonObject("checks").getJsonObject("history").getString("detail"))
        .isEqualTo("3 waiting");
    assertThat(outcome.getJsonObject("checks").getJsonObject("ingest").getString("status"))
        .isEqualTo("UP");
  }

  @Test
  void isDownNamingThePartThatIsUnfitSilentOrMissing() throws Exception {
    vertx
        .eventBus()
        .<JsonObject>consumer(
            "test.unfit",
            request ->
                request.reply(
                    new JsonObject().put("ready", false).put("detail", "the last commit failed")));
    vertx.eventBus().<JsonObject>consumer("test.silent", request -> {});
    Readiness readiness =
        new Readiness(
            List.of(
                Readiness.eventBus(vertx, "history", "test.unfit", Duration.ofSeconds(5)),
                Readiness.eventBus(vertx, "twins", "test.nobody", Duration.ofSeconds(5)),
                new Readiness.Probe("fusion", () -> Promise.<String>promise().future()),
                Readiness.eventBus(vertx, "silent", "test.silent", Duration.ofSeconds(5)),
                new Readiness.Probe(
                    "ingest",
                    () -> {
                      throw new IllegalStateException("probe broke");
                    }),
                new Readiness.Probe("dead-letters", () -> Future.succeededFuture("fine"))),
            Duration.ofMillis(300));

    JsonObject outcome = check(readiness);
    JsonObject checks = outcome.getJsonObject("checks");

    assertThat(outcome.getString("status")).isEqualTo("DOWN");
    assertThat(checks.getJsonObject("history").getString("detail"))
        .isEqualTo("the last commit failed");
    for (String down : List.of("history", "twins", "fusion", "silent", "ingest")) {
      assertThat(checks.getJsonObject(down).getString("status")).as(down).isEqualTo("DOWN");
    }
    assertThat(checks.getJsonObject("ingest").getString("detail")).isEqualTo("probe broke");
    assertThat(checks.getJsonObject("dead-letters").getString("status")).isEqualTo("UP");
  }
}
