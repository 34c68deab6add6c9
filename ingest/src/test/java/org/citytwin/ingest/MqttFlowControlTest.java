package org.citytwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT flow control with real Eclipse Paho clients: while storage is behind, messages are held
 * unanswered rather than refused, so a device's window of unacknowledged messages fills and it
 * stops sending; once storage catches up, the held messages are stored and acknowledged. An MQTT 5
 * client that sends past the announced Receive Maximum is disconnected with 0x93.
 */
@Timeout(60)
class MqttFlowControlTest {

  private static final String PASSWORD = StorageBehind.PASSWORD;

  private Vertx vertx;
  private DeviceMqttIngest mqtt;
  private int port;
  private StorageBehind storage;

  private void start(DeviceMqttIngest.FlowControl flowControl) throws Exception {
    vertx = Vertx.vertx();
    storage = new StorageBehind(vertx);
    mqtt = new DeviceMqttIngest(vertx, storage.services, flowControl);
    port = await(mqtt.listen("127.0.0.1", 0));
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void holdsMessagesWhileStorageIsBehindAndAcknowledgesThemOnceItCatchesUp() throws Exception {
    start(DeviceMqttIngest.FlowControl.DEFAULT);
    MqttAsyncClient device = connect5();

    IMqttToken first = publish(device, "{\"depth_cm\": 10}");
    Awaitility.await().until(() -> storage.heldByHistory.size() == 1);
    IMqttToken second = publish(device, "{\"depth_cm\": 11}");
    Awaitility.await().until(() -> mqtt.heldReadings() == 1);

    assertThat(second.isComplete()).as("held, not refused: no PUBACK yet").isFalse();
    assertThat(first.isComplete()).as("not acknowledged before it is stored").isFalse();
    assertThat(storage.counters.rejectedByReason()).doesNotContainKey("ingest:overloaded");
    assertThat(storage.counters.held()).isEqualTo(1);

    storage.commit(0);
    first.waitForCompletion(10_000);
    // Offered again once storage has room, the held message reaches history in its turn.
    Awaitility.await().until(() -> storage.heldByHistory.size() == 2);
    storage.commit(1);
    second.waitForCompletion(10_000);

    assertThat(reasonCode(first)).isZero();
    assertThat(reasonCode(second)).as("stored and acknowledged, not refused").isZero();
    assertThat(mqtt.heldReadings()).isZero();
    assertThat(storage.counters.acceptedReadings()).isEqualTo(2);
    device.disconnect().waitForCompletion(10_000);
    device.close();
  }

  @Test
  void aDeviceCannotSendPastTheReceiveMaximumAnnouncedInTheConnack() throws Exception {
    start(new DeviceMqttIngest.FlowControl(2, 100_000, Duration.ofSeconds(30)));
    MqttAsyncClient device =
        new MqttAsyncClient(
            "tcp://127.0.0.1:" + port,
            "flow-control",
            new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    IMqttToken connected = device.connect(options5());
    connected.waitForCompletion(10_000);
    assertThat(connected.getResponseProperties().getReceiveMaximum()).isEqualTo(2);

    publish(device, "{\"depth_cm\": 10}");
    Awaitility.await().until(() -> storage.heldByHistory.size() == 1);
    publish(device, "{\"depth_cm\": 11}");
    Awaitility.await().until(() -> mqtt.heldReadings() == 1);
    // Two unanswered: Paho itself will not send a third until a PUBACK comes. That is the pacing.
    assertThatThrownBy(() -> publish(device, "{\"depth_cm\": 12}"))
        .isInstanceOfSatisfying(
            MqttException.class,
            e ->
                assertThat(e.getReasonCode())
                    .isEqualTo(
                        org.eclipse.paho.mqttv5.client.MqttClientException
                            .REASON_CODE_MAX_INFLIGHT));

    storage.commit(0);
    Awaitility.await().until(() -> storage.heldByHistory.size() == 2);
    storage.commit(1);
    Awaitility.await().until(() -> storage.counters.acceptedReadings() == 2);
    device.disconnect().waitForCompletion(10_000);
    device.close();
  }

  @Test
  void mqtt311DevicesArePacedByTheirOwnWindow() throws Exception {
    start(DeviceMqttIngest.FlowControl.DEFAULT);
    org.eclipse.paho.client.mqttv3.MqttAsyncClient device =
        new org.eclipse.paho.client.mqttv3.MqttAsyncClient(
            "tcp://127.0.0.1:" + port, "flow-control-311", new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setUserName("wlg-1@water");
    options.setPassword(PASSWORD.toCharArray());
    options.setMaxInflight(2);
    device.connect(options).waitForCompletion(10_000);

    var first = device.publish("telemetry", message311("{\"depth_cm\": 10}"));
    Awaitility.await().until(() -> storage.heldByHistory.size() == 1);
    var second = device.publish("telemetry", message311("{\"depth_cm\": 11}"));
    Awaitility.await().until(() -> mqtt.heldReadings() == 1);
    assertThatThrownBy(() -> device.publish("telemetry", message311("{\"depth_cm\": 12}")))
        .as("its window is full while the server holds its messages")
        .isInstanceOfSatisfying(
            org.eclipse.paho.client.mqttv3.MqttException.class,
            e ->
                assertThat(e.getReasonCode())
                    .isEqualTo(
                        org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_MAX_INFLIGHT));
    assertThat(device.isConnected()).as("3.1.1 has no refusal: held, not closed").isTrue();

    storage.commit(0);
    Awaitility.await().until(() -> storage.heldByHistory.size() == 2);
    storage.commit(1);
    first.waitForCompletion(10_000);
    second.waitForCompletion(10_000);
    assertThat(storage.counters.acceptedReadings()).isEqualTo(2);
    device.disconnect().waitForCompletion(10_000);
    device.close();
  }

  @Test
  void refusesWithQuotaExceededOnceAMessageWasHeldForTheTimeAllowed() throws Exception {
    start(new DeviceMqttIngest.FlowControl(256, 100_000, Duration.ofMillis(300)));
    MqttAsyncClient device = connect5();

    publish(device, "{\"depth_cm\": 10}");
    Awaitility.await().until(() -> storage.heldByHistory.size() == 1);
    IMqttToken second = publish(device, "{\"depth_cm\": 11}");

    assertThat(awaitReasonCode(second)).as("0x97 quota exceeded: send again later").isEqualTo(0x97);
    assertThat(storage.counters.rejectedByReason()).containsEntry("ingest:overloaded", 1L);
    assertThat(mqtt.heldReadings()).isZero();
    assertThat(storage.heldByHistory)
        .as("nothing of the refused message reached history")
        .hasSize(1);
  }

  @Test
  void refusesAtOnceWhenTheHeldBudgetIsSpent() throws Exception {
    start(new DeviceMqttIngest.FlowControl(256, 0, Duration.ofSeconds(30)));
    MqttAsyncClient device = connect5();

    publish(device, "{\"depth_cm\": 10}");
    Awaitility.await().until(() -> storage.heldByHistory.size() == 1);
    IMqttToken second = publish(device, "{\"depth_cm\": 11}");

    assertThat(awaitReasonCode(second)).isEqualTo(0x97);
    assertThat(storage.counters.held()).isZero();
  }

  @Test
  void disconnectsAnMqtt5ClientThatSendsPastTheReceiveMaximum() throws Exception {
    start(new DeviceMqttIngest.FlowControl(2, 100_000, Duration.ofSeconds(30)));
    // A client that ignores the limit, as Paho would not: MQTT 5 packets written by hand.
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      out.write(RawMqtt5.connect("raw-client", "wlg-1@water", PASSWORD));
      RawMqtt5.Packet connack = RawMqtt5.read(in);
      assertThat(connack.type()).isEqualTo(0x20);
      assertThat(connack.body()[1]).as("CONNACK: success").isZero();

      for (int id = 1; id <= 3; id++) {
        out.write(RawMqtt5.publishQos1("telemetry", id, "{\"depth_cm\": " + (10 + id) + "}"));
      }
      out.flush();
      RawMqtt5.Packet disconnect = RawMqtt5.read(in);
      assertThat(disconnect.type()).as("DISCONNECT").isEqualTo(0xE0);
      assertThat(disconnect.body()[0] & 0xFF).as("0x93 receive maximum exceeded").isEqualTo(0x93);
      assertThatThrownBy(() -> RawMqtt5.read(in))
          .as("the server closes the connection after it")
          .isInstanceOf(IOException.class);
    }
    assertThat(storage.counters.rejectedByReason())
        .containsEntry("ingest:receive-maximum.exceeded", 1L);
  }

  /**
   * MQTT 5 packets written and read by hand (MQTT 5.0, section 3), for a client that misbehaves.
   */
  private static final class RawMqtt5 {

    record Packet(int type, byte[] body) {}

    static byte[] connect(String clientId, String username, String password) {
      Bytes variable = new Bytes();
      variable.string("MQTT").raw(5).raw(0b1100_0010).raw(0).raw(60).raw(0);
      variable.string(clientId).string(username).string(password);
      return packet(0x10, variable);
    }

    static byte[] publishQos1(String topic, int packetId, String payload) {
      Bytes variable = new Bytes();
      variable.string(topic).raw(packetId >> 8).raw(packetId & 0xFF).raw(0);
      variable.bytes(payload.getBytes(StandardCharsets.UTF_8));
      return packet(0x32, variable);
    }

    static Packet read(DataInputStream in) throws IOException {
      int first = in.read();
      if (first < 0) {
        throw new EOFException("connection closed");
      }
      int length = 0;
      int shift = 0;
      int next;
      do {
        next = in.readUnsignedByte();
        length |= (next & 0x7F) << shift;
        shift += 7;
      } while ((next & 0x80) != 0);
      byte[] body = new byte[length];
      in.readFully(body);
      return new Packet(first & 0xF0, body);
    }

    private static byte[] packet(int header, Bytes variable) {
      byte[] body = variable.toByteArray();
      Bytes whole = new Bytes().raw(header);
      int length = body.length;
      do {
        int digit = length % 128;
        length /= 128;
        whole.raw(length > 0 ? digit | 0x80 : digit);
      } while (length > 0);
      return whole.bytes(body).toByteArray();
    }

    private static final class Bytes extends java.io.ByteArrayOutputStream {
      Bytes raw(int b) {
        write(b);
        return this;
      }

      Bytes string(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return raw(utf8.length >> 8).raw(utf8.length & 0xFF).bytes(utf8);
      }

      Bytes bytes(byte[] more) {
        write(more, 0, more.length);
        return this;
      }
    }
  }

  private MqttAsyncClient connect5() throws Exception {
    MqttAsyncClient device =
        new MqttAsyncClient(
            "tcp://127.0.0.1:" + port,
            "flow-control",
            new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    device.connect(options5()).waitForCompletion(10_000);
    return device;
  }

  private static MqttConnectionOptions options5() {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setUserName("wlg-1@water");
    options.setPassword(PASSWORD.getBytes(StandardCharsets.UTF_8));
    return options;
  }

  private static IMqttToken publish(MqttAsyncClient device, String payload) throws Exception {
    return device.publish(
        "telemetry", new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), 1, false, null));
  }

  private static org.eclipse.paho.client.mqttv3.MqttMessage message311(String payload) {
    org.eclipse.paho.client.mqttv3.MqttMessage message =
        new org.eclipse.paho.client.mqttv3.MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(1);
    return message;
  }

  private static int reasonCode(IMqttToken token) {
    return token.getReasonCodes() == null ? 0 : token.getReasonCodes()[0];
  }

  /** The PUBACK's reason code, a refusal's included (Paho reports those as exceptions). */
  private static int awaitReasonCode(IMqttToken token) {
    try {
      token.waitForCompletion(10_000);
    } catch (MqttException refused) {
      return refused.getReasonCode();
    }
    return reasonCode(token);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
