package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.proton.ProtonClient;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonHelper;
import io.vertx.proton.ProtonSender;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.message.Message;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hono northbound connection against a real AMQP 1.0 broker (ActiveMQ Artemis, embedded)
 * carrying messages in Hono's format, as Hono's protocol adapters forward them: address {@code
 * telemetry/{tenant}} or {@code event/{tenant}}, the device in the {@code device_id} application
 * property, the payload as one data section.
 */
@Timeout(120)
class HonoNorthboundIT {

  private static final String TENANT = "water";
  private static final String REJECTED = "rejected";

  @TempDir Path directory;
  private int amqpPort;
  private EmbeddedActiveMQ broker;
  private RunningDistrict city;
  private final Vertx vertx = Vertx.vertx();
  private ProtonConnection adapter;

  @BeforeEach
  void startBrokerAndCity() throws Exception {
    amqpPort = freePort();
    broker = startBroker();
    city =
        new RunningDistrict(
            directory,
            1,
            2,
            devices -> {},
            Map.of(
                "hono.host",
                "127.0.0.1",
                "hono.port",
                String.valueOf(amqpPort),
                "hono.tenants",
                TENANT));
    adapter = connectAsProtocolAdapter();
  }

  @AfterEach
  void stopAll() throws Exception {
    city.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    broker.stop();
  }

  @Test
  void telemetryAndEventsOfRegisteredDevicesReachTheTwinsAndHistory() throws Exception {
    SimDevice first = city.gauge(0);
    SimDevice second = city.gauge(1);

    send("telemetry", first.deviceId(), "{\"depth_cm\": 37}");
    send("event", second.deviceId(), "{\"depth_cm\": 64}");

    await().atMost(Duration.ofSeconds(30)).until(() -> depth(first) == 0.37);
    await().atMost(Duration.ofSeconds(10)).until(() -> depth(second) == 0.64);
    assertThat(historyValues(first)).containsExactly(0.37);
    assertThat(historyValues(second)).containsExactly(0.64);
    // Accepted, so the broker holds nothing more for citytwin.
    await().atMost(Duration.ofSeconds(10)).until(() -> waiting("telemetry") == 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> waiting("event") == 0);
  }

  @Test
  void messagesThatCanNeverBeTakenAreRejectedDeadLetteredAndDoNotBlockTheRest() throws Exception {
    SimDevice gauge = city.gauge(0);

    send("event", gauge.deviceId(), "{\"depth_cm\": ");
    send("event", "wlg-9999", "{\"depth_cm\": 5}");
    sendEmptyNotification(gauge.deviceId());
    send("event", gauge.deviceId(), "{\"depth_cm\": 42}");

    await().atMost(Duration.ofSeconds(30)).until(() -> depth(gauge) == 0.42);
    await().atMost(Duration.ofSeconds(10)).until(() -> waiting("event") == 0);
    assertThat(rejectedByCitytwin())
        .as("the bad two were rejected (not accepted, not released), the notification accepted")
        .isEqualTo(2);
    // Dead letters are written once a second.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<JsonObject> letters =
                  new JsonArray(city.get("/api/ingest/dead-letters?limit=100").body())
                      .stream()
                          .map(JsonObject.class::cast)
                          .filter(letter -> letter.getString("source").equals("hono"))
                          .toList();
              assertThat(letters)
                  .extracting(letter -> letter.getString("error"))
                  .containsExactlyInAnyOrder("ingest:payload.malformed", "ingest:device.notfound");
              assertThat(letters)
                  .extracting(letter -> letter.getString("place"))
                  .contains("event/water/wlg-9999");
            });
    assertThat(city.get("/metrics").body())
        .contains("citytwin_ingest_requests_rejected_total{reason=\"ingest:device.notfound\"} 1");
    assertThat(historyValues(gauge)).containsExactly(0.42);
  }

  @Test
  void consumersReopenWhenTheMessagingNetworkComesBack() throws Exception {
    SimDevice gauge = city.gauge(0);
    send("event", gauge.deviceId(), "{\"depth_cm\": 11}");
    await().atMost(Duration.ofSeconds(30)).until(() -> depth(gauge) == 0.11);

    adapter.close();
    broker.stop();
    broker = startBroker();
    adapter = connectAsProtocolAdapter();
    send("event", gauge.deviceId(), "{\"depth_cm\": 12}");

    await().atMost(Duration.ofSeconds(60)).until(() -> depth(gauge) == 0.12);
  }

  private EmbeddedActiveMQ startBroker() throws Exception {
    Configuration configuration = new ConfigurationImpl();
    configuration.setSecurityEnabled(false);
    configuration.setPersistenceEnabled(true);
    Path data = directory.resolve("artemis");
    configuration.setJournalDirectory(data.resolve("journal").toString());
    configuration.setBindingsDirectory(data.resolve("bindings").toString());
    configuration.setLargeMessagesDirectory(data.resolve("large").toString());
    configuration.setPagingDirectory(data.resolve("paging").toString());
    configuration.addAcceptorConfiguration(
        "amqp", "tcp://127.0.0.1:" + amqpPort + "?protocols=AMQP");
    // Hono's addresses as point-to-point queues that keep messages until a consumer takes them.
    configuration.addAddressSetting(
        "#",
        new AddressSettings()
            .setDefaultAddressRoutingType(RoutingType.ANYCAST)
            .setDefaultQueueRoutingType(RoutingType.ANYCAST)
            // Where the broker puts what citytwin rejects, so that the test can see it.
            .setDeadLetterAddress(SimpleString.of(REJECTED))
            .setAutoCreateDeadLetterResources(true));
    EmbeddedActiveMQ embedded = new EmbeddedActiveMQ();
    embedded.setConfiguration(configuration);
    embedded.start();
    return embedded;
  }

  private ProtonConnection connectAsProtocolAdapter() throws Exception {
    io.vertx.core.Promise<ProtonConnection> opened = io.vertx.core.Promise.promise();
    ProtonClient.create(vertx)
        .connect(
            "127.0.0.1",
            amqpPort,
            connected -> {
              if (connected.failed()) {
                opened.fail(connected.cause());
              } else {
                connected.result().openHandler(opened).open();
              }
            });
    return opened.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Sends as a Hono protocol adapter does and waits until the broker has taken the message. */
  private void send(String endpoint, String deviceId, String json) throws Exception {
    Message message = ProtonHelper.message();
    message.setContentType("application/json");
    message.setBody(new Data(new Binary(json.getBytes(StandardCharsets.UTF_8))));
    sendMessage(endpoint, deviceId, message);
  }

  private void sendEmptyNotification(String deviceId) throws Exception {
    Message message = ProtonHelper.message();
    message.setContentType("application/vnd.eclipse-hono-empty-notification");
    sendMessage("event", deviceId, message);
  }

  private void sendMessage(String endpoint, String deviceId, Message message) throws Exception {
    String address = endpoint + "/" + TENANT;
    message.setAddress(address);
    message.setDurable(endpoint.equals("event"));
    message.setApplicationProperties(new ApplicationProperties(Map.of("device_id", deviceId)));
    io.vertx.core.Promise<Void> settled = io.vertx.core.Promise.promise();
    vertx.runOnContext(
        go -> {
          ProtonSender sender = adapter.createSender(address);
          sender.openHandler(
              opened ->
                  sender.send(
                      message,
                      delivery -> {
                        if (delivery.getRemoteState() instanceof Accepted) {
                          settled.complete();
                        } else {
                          settled.fail("the broker did not accept: " + delivery.getRemoteState());
                        }
                        sender.close();
                      }));
          sender.open();
        });
    settled.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private long rejectedByCitytwin() {
    long rejected = 0;
    for (var binding :
        broker
            .getActiveMQServer()
            .getPostOffice()
            .getAllBindings()
            .filter(b -> b.getAddress().toString().equals(REJECTED))
            .toList()) {
      if (binding instanceof org.apache.activemq.artemis.core.postoffice.QueueBinding queue) {
        rejected += queue.getQueue().getMessageCount();
      }
    }
    return rejected;
  }

  private long waiting(String endpoint) {
    Queue queue = broker.getActiveMQServer().locateQueue(SimpleString.of(endpoint + "/" + TENANT));
    return queue == null ? 0 : queue.getMessageCount();
  }

  private double depth(SimDevice gauge) {
    return RunningDistrict.waterloggingDepth(city.get("/api/2/things/" + gauge.thingId()).json());
  }

  private List<Double> historyValues(SimDevice gauge) {
    return city
        .get(
            "/api/history/things/"
                + gauge.thingId()
                + "/features/waterlogging/properties/depth?from=2020-01-01T00:00:00Z")
        .json()
        .getJsonArray("readings")
        .stream()
        .map(row -> ((JsonObject) row).getDouble("value"))
        .toList();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
