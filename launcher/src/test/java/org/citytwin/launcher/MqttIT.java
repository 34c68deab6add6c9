package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.citytwin.sim.SimDevice;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices over MQTT with real Eclipse Paho clients (MQTT 3.1.1 and 5) against a running server,
 * Hono's topics and credentials: a QoS 1 PUBACK means durable; refusals get MQTT's own answers.
 */
@Timeout(60)
class MqttIT {

  private static final String GATEWAY = "gw-01";

  @TempDir Path directory;
  private RunningDistrict city;
  private SimDevice gauge;
  private SimDevice behindGateway;

  @BeforeEach
  void startCity() throws Exception {
    city =
        new RunningDistrict(
            directory,
            1,
            2,
            devices -> RunningDistrict.addGateway(devices, GATEWAY, RunningDistrict.PASSWORD, 1));
    gauge = city.gauge(0);
    behindGateway = city.gauge(1);
  }

  @AfterEach
  void stopCity() {
    city.close();
  }

  @Test
  void aQos1PubackMeansTheReadingIsDurableAndOnItsTwin() throws Exception {
    MqttClient device = connect311(gauge.username(), RunningDistrict.PASSWORD);
    device.publish("telemetry", message("{\"depth_cm\": 27}", 1));
    // publish() returns once the PUBACK is in: the reading must already be stored and applied.
    assertThat(depthOf(gauge)).isEqualTo(0.27);

    device.publish("t", message("{\"depth_cm\": 28}", 0));
    org.awaitility.Awaitility.await().until(() -> depthOf(gauge) == 0.28);
    device.disconnect();
  }

  @Test
  void aBurstOfQos1MessagesIsAllAcknowledgedOnOneConnection() throws Exception {
    // Hundreds in flight on one connection: every one is acknowledged and the connection stays up.
    org.eclipse.paho.client.mqttv3.MqttAsyncClient client =
        new org.eclipse.paho.client.mqttv3.MqttAsyncClient(
            "tcp://127.0.0.1:" + city.server.mqttPort(), "burst", new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setUserName(gauge.username());
    options.setPassword(RunningDistrict.PASSWORD.toCharArray());
    // Paho counts a message in flight until its completion callback has run, a moment after the
    // token completes: a window of 400 against a limit of 500 failed once ("Too many publishes
    // in progress"), so the limit leaves room for that lag.
    options.setMaxInflight(1_000);
    client.connect(options).waitForCompletion(10_000);
    List<org.eclipse.paho.client.mqttv3.IMqttDeliveryToken> tokens = new java.util.ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      tokens.add(client.publish("telemetry", message("{\"depth_cm\": " + (i % 200) + "}", 1)));
      if (tokens.size() % 400 == 0) {
        for (var token : tokens.subList(tokens.size() - 400, tokens.size())) {
          token.waitForCompletion(20_000);
        }
      }
    }
    for (var token : tokens) {
      token.waitForCompletion(20_000);
    }
    assertThat(client.isConnected()).isTrue();
    assertThat(tokens).allMatch(org.eclipse.paho.client.mqttv3.IMqttToken::isComplete);
    client.disconnect().waitForCompletion(10_000);
    client.close();
  }

  @Test
  void aGatewayPublishesForTheDevicesThatListIt() throws Exception {
    MqttClient gateway = connect311(GATEWAY + "@water", RunningDistrict.PASSWORD);
    gateway.publish(
        "telemetry/water/" + behindGateway.deviceId(), message("{\"depth_cm\": 41}", 1));
    assertThat(depthOf(behindGateway)).isEqualTo(0.41);
    gateway.disconnect();
  }

  @Test
  void wrongCredentialsAreRefusedWithMqttsReturnCode() {
    assertThatThrownBy(() -> connect311(gauge.username(), "wrong"))
        .isInstanceOfSatisfying(
            MqttException.class,
            e ->
                assertThat(e.getReasonCode())
                    .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
    assertThat(city.get("/metrics").body()).contains("reason=\"ingest:device.unauthenticated\"");
  }

  @Test
  void mqtt311ClosesTheConnectionOnARefusedQos1Message() throws Exception {
    MqttClient device = connect311(gauge.username(), RunningDistrict.PASSWORD);
    CountDownLatch lost = new CountDownLatch(1);
    device.setCallback(
        new MqttCallback() {
          @Override
          public void connectionLost(Throwable cause) {
            lost.countDown();
          }

          @Override
          public void messageArrived(String topic, MqttMessage message) {}

          @Override
          public void deliveryComplete(IMqttDeliveryToken token) {}
        });
    device.getTopic("telemetry").publish(message("{\"depth_cm\": \"deep\"}", 1));
    assertThat(lost.await(10, TimeUnit.SECONDS))
        .as("no PUBACK: the connection closes, so the device knows to resend")
        .isTrue();
    assertThat(city.get("/metrics").body()).contains("reason=\"ingest:payload.malformed\"");
  }

  @Test
  void mqtt5AnswersRefusalsWithPubackReasonCodes() throws Exception {
    MqttAsyncClient device = connect5("mqtt5-" + gauge.deviceId());

    assertThat(publish5(device, "telemetry", "{\"depth_cm\": 33}")).isEqualTo(0x00);
    assertThat(depthOf(gauge)).isEqualTo(0.33);
    assertThat(publish5(device, "telemetry", "{\"depth_cm\": 9000}"))
        .as("implausible: payload format invalid")
        .isEqualTo(0x99);
    assertThat(publish5(device, "telemetry", "not json")).isEqualTo(0x99);
    assertThat(publish5(device, "telemetry/water/" + behindGateway.deviceId(), "{\"depth_cm\": 1}"))
        .as("not listed as its gateway")
        .isEqualTo(0x87);
    assertThat(publish5(device, "commands/x", "{\"depth_cm\": 1}")).isEqualTo(0x90);
    assertThat(depthOf(gauge)).as("refusals change nothing").isEqualTo(0.33);
    device.disconnect().waitForCompletion(10_000);
    device.close();
  }

  /**
   * Every topic a device might get wrong with every payload it might garble, on one MQTT 5
   * connection: each PUBLISH is answered with a PUBACK, success or one of the refusal codes ingest
   * uses, never a dropped connection; nothing refused changes the twin, and the connection takes a
   * good reading afterwards.
   */
  @Test
  void mqtt5AnswersEveryMalformedPublishWithAReasonCodeAndKeepsTheConnection() throws Exception {
    MqttAsyncClient device = connect5("mqtt5-sweep-" + gauge.deviceId());
    assertThat(publish5(device, "telemetry", "{\"depth_cm\": 21}")).isEqualTo(0x00);
    assertThat(depthOf(gauge)).isEqualTo(0.21);

    List<String> topics =
        List.of(
            "telemetry",
            "event",
            "t",
            "e",
            "telemetry/water",
            "telemetry/water/no-such-device",
            "telemetry/water/" + behindGateway.deviceId(),
            "telemetry/traffic/" + gauge.deviceId(),
            "telemetry//",
            "telemetry/water/" + gauge.deviceId() + "/extra",
            "commands/x",
            "$SYS/x",
            "telemetry/" + "x".repeat(2_000),
            "遥测/水");
    List<String> payloads =
        List.of(
            "",
            "{",
            "[1]",
            "null",
            "\"text\"",
            "{\"depth_cm\": \"deep\"}",
            "{\"depth_cm\": null}",
            "{\"depth_cm\": 1e400}",
            "{\"depth_cm\": -5000}",
            "[".repeat(20_000) + "]".repeat(20_000),
            "{\"depth_cm\": " + "9".repeat(60_000) + "}",
            "\u0000\uFFFF");
    List<Integer> refusalCodes = List.of(0x80, 0x83, 0x87, 0x90, 0x97, 0x99);
    for (String topic : topics) {
      for (String payload : payloads) {
        int reasonCode = publish5(device, topic, payload);
        assertThat(reasonCode == 0x00 || refusalCodes.contains(reasonCode))
            .as(
                topic.substring(0, Math.min(40, topic.length()))
                    + " <- "
                    + payload.substring(0, Math.min(40, payload.length()))
                    + ": reason code 0x"
                    + Integer.toHexString(reasonCode))
            .isTrue();
      }
    }
    // Over the reading limit but within the packet size announced: refused with its PUBACK.
    assertThat(publish5(device, "telemetry", "{\"note\": \"" + "x".repeat(66_000) + "\"}"))
        .isEqualTo(0x99);
    assertThat(device.isConnected()).isTrue();
    assertThat(depthOf(gauge)).as("nothing garbled changed the twin").isEqualTo(0.21);
    assertThat(publish5(device, "telemetry", "{\"depth_cm\": 22}")).isEqualTo(0x00);
    assertThat(depthOf(gauge)).isEqualTo(0.22);
    device.disconnect().waitForCompletion(10_000);
    device.close();
  }

  /** The first gauge, connected over MQTT 5 with its credentials as {@code clientId}. */
  private MqttAsyncClient connect5(String clientId) throws Exception {
    MqttAsyncClient device =
        new MqttAsyncClient(
            "tcp://127.0.0.1:" + city.server.mqttPort(),
            clientId,
            new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setUserName(gauge.username());
    options.setPassword(RunningDistrict.PASSWORD.getBytes(StandardCharsets.UTF_8));
    device.connect(options).waitForCompletion(10_000);
    return device;
  }

  private static int publish5(MqttAsyncClient client, String topic, String payload)
      throws Exception {
    IMqttToken token =
        client.publish(
            topic,
            new org.eclipse.paho.mqttv5.common.MqttMessage(
                payload.getBytes(StandardCharsets.UTF_8), 1, false, null));
    try {
      token.waitForCompletion(10_000);
    } catch (org.eclipse.paho.mqttv5.common.MqttException refused) {
      return refused.getReasonCode();
    }
    return token.getReasonCodes() == null ? 0 : token.getReasonCodes()[0];
  }

  private MqttClient connect311(String username, String password) throws MqttException {
    MqttClient client =
        new MqttClient(
            "tcp://127.0.0.1:" + city.server.mqttPort(),
            "paho-" + username.replace('@', '-'),
            new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setUserName(username);
    options.setPassword(password.toCharArray());
    options.setAutomaticReconnect(false);
    client.setTimeToWait(10_000);
    client.connect(options);
    return client;
  }

  private static MqttMessage message(String payload, int qos) {
    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(qos);
    return message;
  }

  private double depthOf(SimDevice device) {
    return RunningDistrict.waterloggingDepth(city.get("/api/2/things/" + device.thingId()).json());
  }
}
