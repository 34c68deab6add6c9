package org.citytwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.citytwin.ingest.clean.CleaningRules;
import org.citytwin.ingest.clean.ReadingCleaner;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.TwinProtocol;
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
  private final List<Message<JsonObject>> heldByHistory = new CopyOnWriteArrayList<>();
  private final IngestCounters counters = new IngestCounters();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    // History that commits only when the test says so: storage falling behind.
    vertx.eventBus().<JsonObject>consumer(EventBusAddresses.HISTORY_APPEND, heldByHistory::add);
    DeviceRegistry registry = new DeviceRegistry(new SecureRandom());
    registry.put(
        new DeviceId("water", "wlg-1"),
        new JsonObject()
            .put("thingId", "water:wlg-1")
            .put("vendorFormat", "waterlogging-cm")
            .put("credentials", new JsonObject().put("pwd-plain", "secret")));
    ReadingPipeline pipeline =
        new ReadingPipeline(
            vertx,
            new TwinProtocol(),
            counters,
            new ReadingCleaner(CleaningRules.none()),
            Clock.systemUTC(),
            1);
    Router router = Router.router(vertx);
    new DeviceHttpIngest(
            new IngestServices(
                registry,
                VendorFormats.builtIn(),
                pipeline,
                counters,
                new DeadLetters(vertx, Clock.systemUTC()),
                Clock.systemUTC()))
        .mount(router);
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
    Awaitility.await().until(() -> heldByHistory.size() == 1);

    HttpResponse<Buffer> refused = await(post("{\"depth_cm\": 11}"));
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("ingest:overloaded");
    assertThat(counters.rejectedByReason()).containsEntry("ingest:overloaded", 1L);
    assertThat(heldByHistory).as("nothing of the refused request reached history").hasSize(1);
    assertThat(first.isComplete())
        .as("the first is not acknowledged before it is stored")
        .isFalse();

    heldByHistory.get(0).reply(new JsonObject().put("appended", 1));
    assertThat(await(first).statusCode()).isEqualTo(202);

    Future<HttpResponse<Buffer>> third = post("{\"depth_cm\": 12}");
    Awaitility.await().until(() -> heldByHistory.size() == 2);
    heldByHistory.get(1).reply(new JsonObject().put("appended", 1));
    assertThat(await(third).statusCode()).as("taken again once history caught up").isEqualTo(202);
    assertThat(counters.acceptedReadings()).isEqualTo(2);
  }

  private Future<HttpResponse<Buffer>> post(String body) {
    return client
        .post("/telemetry")
        .basicAuthentication("wlg-1@water", "secret")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
