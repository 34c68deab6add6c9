package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.citytwin.sim.SimDevice;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge to a city's own broker, against the real Mosquitto on 127.0.0.1:1883: devices publish
 * there, citytwin takes their readings, and what it cannot take ends in the dead-letter table with
 * its reason.
 */
@Timeout(60)
class MqttBridgeIT {

  private static final String BROKER = "tcp://127.0.0.1:1883";

  @TempDir Path directory;
  private final String root = "citytwin-it-" + UUID.randomUUID();
  private RunningDistrict city;
  private MqttClient device;

  @BeforeEach
  void start() throws Exception {
    city =
        new RunningDistrict(
            directory,
            1,
            1,
            devices -> {},
            Map.of(
                "bridge.mqtt.host",
                "127.0.0.1",
                "bridge.mqtt.port",
                "1883",
                "bridge.mqtt.client-id",
                root,
                "bridge.mqtt.topics",
                root + "/{tenant}/{device}/up"));
    device = new MqttClient(BROKER, root + "-device", new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    device.connect(options);
  }

  @AfterEach
  void stop() throws Exception {
    if (device.isConnected()) {
      device.disconnect();
    }
    device.close();
    city.close();
    // The bridge keeps a persistent session; a clean connection under its id ends it at Mosquitto.
    MqttClient cleanup = new MqttClient(BROKER, root, new MemoryPersistence());
    MqttConnectOptions clean = new MqttConnectOptions();
    clean.setCleanSession(true);
    cleanup.connect(clean);
    cleanup.disconnect();
    cleanup.close();
  }

  @Test
  void readingsPublishedToTheCitysBrokerReachTheirTwins() throws Exception {
    SimDevice gauge = city.gauge(0);
    publish(root + "/" + gauge.tenant() + "/" + gauge.deviceId() + "/up", "{\"depth_cm\": 19}");
    Awaitility.await().until(() -> depthOf(gauge) == 0.19);
  }

  @Test
  void whatCannotBeTakenIsDeadLetteredWithItsReason() throws Exception {
    publish(root + "/water/wlg-unknown/up", "{\"depth_cm\": 3}");
    publish(root + "/water/" + city.gauge(0).deviceId() + "/up", "{\"depth_cm\": \"deep\"}");
    Awaitility.await()
        .untilAsserted(
            () -> {
              JsonArray letters = new JsonArray(city.get("/api/ingest/dead-letters").body());
              assertThat(letters.stream().map(JsonObject.class::cast).toList())
                  .extracting(l -> l.getString("source"), l -> l.getString("error"))
                  .contains(
                      org.assertj.core.groups.Tuple.tuple("mqtt-bridge", "ingest:device.notfound"),
                      org.assertj.core.groups.Tuple.tuple(
                          "mqtt-bridge", "ingest:payload.malformed"));
            });
    JsonArray letters = new JsonArray(city.get("/api/ingest/dead-letters?limit=1").body());
    assertThat(letters).hasSize(1);
    assertThat(letters.getJsonObject(0).getString("payload")).isEqualTo("{\"depth_cm\": \"deep\"}");
  }

  private void publish(String topic, String payload) throws Exception {
    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(1);
    device.publish(topic, message);
  }

  private double depthOf(SimDevice gauge) {
    return RunningDistrict.waterloggingDepth(city.get("/api/2/things/" + gauge.thingId()).json());
  }
}
