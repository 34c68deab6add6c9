package org.citytwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When storage falls behind, devices are told to come back later (503, Retry-After) before anything
 * of theirs is taken, and readings already taken are still stored and acknowledged.
 */
@Timeout(30)
class BackpressureTest {

  private Vertx vertx;
  private HttpServer server;
  private WebClient client;
  private StorageBehind storage;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    storage = new StorageBehind(vertx);
    Router router = Router.router(vertx);
    new DeviceHttpIngest(storage.services).mount(vertx, router);
    server = await(vertx.createHttpServer().requestHandler(router).listen(0));
    client =
        WebClient.create(
            vertx,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.actualPort()));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void refusesWithRetryAfterWhileHistoryIsBehindAndAcknowledgesWhatItTook() throws Exception {
    Future<HttpResponse<Buffer>> first = post("{\"depth_cm\": 10}");
    Awaitility.await().until(() -> storage.heldByHistory.size() == 1);

    HttpResponse<Buffer> refused = await(post("{\"depth_cm\": 11}"));
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("ingest:overloaded");
    assertThat(storage.counters.rejectedByReason()).containsEntry("ingest:overloaded", 1L);
    assertThat(storage.heldByHistory)
        .as("nothing of the refused request reached history")
        .hasSize(1);
    assertThat(first.isComplete())
        .as("the first is not acknowledged before it is stored")
        .isFalse();

    storage.commit(0);
    assertThat(await(first).statusCode()).isEqualTo(202);

    Future<HttpResponse<Buffer>> third = post("{\"depth_cm\": 12}");
    Awaitility.await().until(() -> storage.heldByHistory.size() == 2);
    storage.commit(1);
    assertThat(await(third).statusCode()).as("taken again once history caught up").isEqualTo(202);
    assertThat(storage.counters.acceptedReadings()).isEqualTo(2);
  }

  private Future<HttpResponse<Buffer>> post(String body) {
    return client
        .post("/telemetry")
        .basicAuthentication("wlg-1@water", StorageBehind.PASSWORD)
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
