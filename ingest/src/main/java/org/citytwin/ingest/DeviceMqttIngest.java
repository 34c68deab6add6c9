package org.citytwin.ingest;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device-facing MQTT server, following Eclipse Hono's MQTT adapter: a device connects with user
 * name {@code auth-id@tenant} and its password, and publishes to {@code telemetry} or {@code event}
 * (short forms {@code t}, {@code e}); a gateway publishes to {@code telemetry/{tenant}/{device}}
 * for a device that lists it in {@code via}. QoS 0 and 1; a QoS 1 message is acknowledged (PUBACK)
 * only once its readings are durable in history.
 *
 * <p>A message that cannot be taken is refused as the protocol version allows. MQTT 5 clients get a
 * PUBACK with a reason code: 0x99 payload format invalid (malformed or implausible), 0x87 not
 * authorised (gateway not allowed, device disabled), 0x90 topic name invalid, 0x97 quota exceeded
 * (storage behind: send again later), 0x80 unspecified error (storage failed). MQTT 3.1.1 has no
 * negative acknowledgement, so a refused QoS 1 message closes the connection, as Hono does: the
 * device reconnects and resends, and nothing it was not told was taken is lost. Refused QoS 0
 * messages are dropped. Every refusal is counted by its error code.
 *
 * <p>Flow control ({@link FlowControl}): when storage falls behind, messages are held, unanswered,
 * and offered to storage again, rather than refused: a device may have only so many QoS 1 messages
 * awaiting their PUBACK (MQTT 5's Receive Maximum, announced in the CONNACK; a 3.1.1 client's own
 * in-flight window), so a device whose PUBACKs are late stops sending until they come. What is held
 * is bounded across all connections; beyond that bound, or after holding a message for the time
 * allowed, it is refused as above (0x97 quota exceeded). An MQTT 5 client that sends past the
 * Receive Maximum is disconnected with 0x93, as the protocol says.
 */
public final class DeviceMqttIngest {

  private static final Logger LOG = LoggerFactory.getLogger(DeviceMqttIngest.class);
  private static final int MQTT_5 = 5;
  private static final long FIRST_RETRY_MILLIS = 50;
  private static final long LAST_RETRY_MILLIS = 1_000;

  /**
   * The largest MQTT packet read (announced to MQTT 5 clients as their Maximum Packet Size): a
   * payload of the largest size a reading may have, plus 4 KiB for its topic and headers. A larger
   * packet closes the connection, as MQTT prescribes; a payload over the reading limit within it is
   * refused with its PUBACK.
   */
  public static final int MAX_PACKET_BYTES = DeviceHttpIngest.MAX_BODY_BYTES + 4 * 1024;

  /**
   * How devices are paced while storage is behind.
   *
   * @param receiveMaximum QoS 1 messages an MQTT 5 client may have awaiting their PUBACK at once,
   *     announced in the CONNACK (MQTT 5, 3.3.4 and 4.9)
   * @param maxHeldReadings readings held back for storage across all connections; a message that
   *     would go beyond is refused as storage being behind
   * @param holdFor how long a message is held and offered again before it is refused
   */
  public record FlowControl(int receiveMaximum, int maxHeldReadings, Duration holdFor) {

    /**
     * 256 messages a connection: far more than a device sending every second needs, and a gateway
     * or a device catching up gets a wide window; 100,000 readings held (tens of MB) while history
     * catches up; 10 s, less than the keep-alive most devices use.
     */
    public static final FlowControl DEFAULT = new FlowControl(256, 100_000, Duration.ofSeconds(10));

    public FlowControl {
      if (receiveMaximum < 1 || receiveMaximum > 65_535) {
        throw new IllegalArgumentException("receiveMaximum must be 1 to 65,535");
      }
      if (maxHeldReadings < 0 || holdFor.isNegative()) {
        throw new IllegalArgumentException("maxHeldReadings and holdFor must not be negative");
      }
    }
  }

  private final Vertx vertx;
  private final DeviceAccess access;
  private final ReadingPipeline pipeline;
  private final IngestCounters counters;
  private final DeadLetters deadLetters;
  private final Clock clock;
  private final FlowControl flowControl;
  private final AtomicInteger heldReadings = new AtomicInteger();
  private MqttServer server;

  public DeviceMqttIngest(Vertx vertx, IngestServices services) {
    this(vertx, services, FlowControl.DEFAULT);
  }

  public DeviceMqttIngest(Vertx vertx, IngestServices services, FlowControl flowControl) {
    this.vertx = vertx;
    this.access = services.access();
    this.pipeline = services.pipeline();
    this.counters = services.counters();
    this.deadLetters = services.deadLetters();
    this.clock = services.clock();
    this.flowControl = flowControl;
  }

  /** Readings held back now, waiting for storage to catch up. */
  public int heldReadings() {
    return heldReadings.get();
  }

  /** Starts listening; the future completes once the port is bound. */
  public Future<Integer> listen(String host, int port) {
    server =
        MqttServer.create(
            vertx,
            // The decoder's limit is on the whole packet: room for a payload of the largest size
            // citytwin takes plus its topic, so that a payload over that size is refused with
            // its PUBACK (checked per message below) rather than by closing the connection.
            new MqttServerOptions()
                .setHost(host)
                .setPort(port)
                .setMaxMessageSize(MAX_PACKET_BYTES));
    return server
        .endpointHandler(this::onConnect)
        .exceptionHandler(failure -> LOG.debug("MQTT connection failed: {}", failure.toString()))
        .listen()
        .map(MqttServer::actualPort);
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void onConnect(MqttEndpoint endpoint) {
    Device device;
    try {
      device =
          access.authenticate(
              endpoint.auth() == null ? null : endpoint.auth().getUsername(),
              endpoint.auth() == null ? null : endpoint.auth().getPassword());
    } catch (CitytwinException e) {
      counters.rejected(e.getErrorCode());
      boolean mqtt5 = endpoint.protocolVersion() == MQTT_5;
      boolean disabled = e.errorCode().equals(IngestErrors.DEVICE_DISABLED);
      endpoint.reject(
          disabled
              ? (mqtt5
                  ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                  : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)
              : (mqtt5
                  ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                  : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD));
      return;
    }
    endpoint.exceptionHandler(
        failure -> LOG.warn("MQTT connection of {} failed: {}", device.id(), failure.toString()));
    endpoint.publishAutoAck(false);
    Connection connection = new Connection(endpoint);
    endpoint.publishHandler(message -> onPublish(connection, device, message));
    if (endpoint.protocolVersion() == MQTT_5) {
      MqttProperties properties = new MqttProperties();
      properties.add(
          new MqttProperties.IntegerProperty(
              MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(),
              flowControl.receiveMaximum()));
      // An MQTT 5 client must not send a larger packet (MQTT 5, 3.2.2.3.6); one that does loses
      // its connection, as a 3.1.1 client does.
      properties.add(
          new MqttProperties.IntegerProperty(
              MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), MAX_PACKET_BYTES));
      endpoint.accept(false, properties);
    } else {
      endpoint.accept(false);
    }
  }

  /** One device connection: its QoS 1 messages not yet answered, and its group being gathered. */
  private final class Connection {
    final MqttEndpoint endpoint;
    final ReadingGroup group = new ReadingGroup();
    int unanswered;
    // Set once the server disconnected it: messages of the same read that follow are ignored.
    boolean dropped;

    Connection(MqttEndpoint endpoint) {
      this.endpoint = endpoint;
    }
  }

  private void onPublish(Connection connection, Device sender, MqttPublishMessage message) {
    MqttEndpoint endpoint = connection.endpoint;
    boolean atLeastOnce = message.qosLevel() == MqttQoS.AT_LEAST_ONCE;
    if (connection.dropped) {
      return;
    }
    if (atLeastOnce
        && ++connection.unanswered > flowControl.receiveMaximum()
        && endpoint.protocolVersion() == MQTT_5) {
      // MQTT 5, 3.3.4: a client sending past the Receive Maximum is disconnected with 0x93. Its
      // unanswered messages are not acknowledged: it resends them after reconnecting.
      connection.dropped = true;
      counters.rejected(IngestErrors.RECEIVE_MAXIMUM_EXCEEDED.code());
      endpoint.disconnect(
          MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED, MqttProperties.NO_PROPERTIES);
      return;
    }
    ReadingGroup group = connection.group;
    Future<Void> stored;
    try {
      Device device = sender;
      String[] topic = message.topicName().split("/", -1);
      if (!List.of("telemetry", "t", "event", "e").contains(topic[0])
          || (topic.length != 1 && topic.length != 3)) {
        throw IngestErrors.TOPIC_INVALID.toException(
            "Publish to telemetry, event or telemetry/{tenant}/{device}, not "
                + message.topicName()
                + ".");
      }
      if (topic.length == 3 && !(topic[1].isEmpty() && topic[2].isEmpty())) {
        device =
            access.sendingFor(
                sender,
                new DeviceId(
                    topic[1].isEmpty() ? sender.id().tenant() : topic[1],
                    topic[2].isEmpty() ? sender.id().device() : topic[2]));
      }
      if (message.payload().length() > DeviceHttpIngest.MAX_BODY_BYTES) {
        throw IngestErrors.PAYLOAD_TOO_LARGE.toException(
            "A message may carry at most " + DeviceHttpIngest.MAX_BODY_BYTES + " bytes.");
      }
      List<Reading> readings =
          access.normalise(device, DeviceAccess.jsonObject(message.payload()), clock.instant());
      stored = group.add(readings);
    } catch (DittoRuntimeException e) {
      stored = Future.failedFuture(e);
    }
    stored.onComplete(
        result -> {
          if (atLeastOnce) {
            connection.unanswered--;
          }
          if (!endpoint.isConnected()) {
            // The device left before the answer; it resends what it was not told was taken.
            return;
          }
          if (result.succeeded()) {
            if (atLeastOnce) {
              endpoint.publishAcknowledge(message.messageId());
            }
            return;
          }
          refuse(endpoint, message, atLeastOnce, result.cause());
        });
  }

  /**
   * The readings of one connection's messages that arrive together (decoded from one network read)
   * go to storage in one pipeline call; each message is acknowledged when the group is durable.
   * Why: a message is one reading, and a history request and a twin command per reading cost far
   * more than the reading itself.
   */
  private final class ReadingGroup {
    private List<Reading> readings = new java.util.ArrayList<>();
    private io.vertx.core.Promise<Void> stored;

    /** Adds readings to the group being gathered; the future completes when it is stored. */
    Future<Void> add(List<Reading> more) {
      if (stored == null) {
        stored = io.vertx.core.Promise.promise();
        // Runs after the other messages of this read are handled, on this connection's thread.
        vertx.getOrCreateContext().runOnContext(flush -> store());
      }
      readings.addAll(more);
      return stored.future();
    }

    private void store() {
      List<Reading> group = readings;
      io.vertx.core.Promise<Void> done = stored;
      readings = new java.util.ArrayList<>();
      stored = null;
      offer(group, done, clock.instant().plus(flowControl.holdFor()), FIRST_RETRY_MILLIS, false);
    }

    /**
     * Offers the group to storage; while storage is behind, holds it (unanswered, which is what
     * paces the device) and offers it again, backing off, until {@code until}.
     */
    private void offer(
        List<Reading> group,
        io.vertx.core.Promise<Void> done,
        java.time.Instant until,
        long retryMillis,
        boolean held) {
      pipeline
          .accept(group)
          .onComplete(
              result -> {
                boolean behind =
                    result.failed()
                        && result.cause() instanceof CitytwinException refusal
                        && refusal.errorCode().equals(IngestErrors.OVERLOADED);
                if (behind && clock.instant().isBefore(until) && (held || hold(group.size()))) {
                  vertx.setTimer(
                      retryMillis,
                      again ->
                          offer(
                              group,
                              done,
                              until,
                              Math.min(retryMillis * 2, LAST_RETRY_MILLIS),
                              true));
                  return;
                }
                if (held) {
                  heldReadings.addAndGet(-group.size());
                }
                done.handle(result);
              });
    }
  }

  /** Takes room for {@code readings} in the held budget; whether there was room. */
  private boolean hold(int readings) {
    if (heldReadings.addAndGet(readings) > flowControl.maxHeldReadings()) {
      heldReadings.addAndGet(-readings);
      return false;
    }
    counters.held(readings);
    return true;
  }

  private void refuse(
      MqttEndpoint endpoint, MqttPublishMessage message, boolean atLeastOnce, Throwable failure) {
    String code =
        failure instanceof DittoRuntimeException ditto ? ditto.getErrorCode() : "internal";
    counters.rejected(code);
    deadLetters.report(
        "mqtt",
        message.topicName(),
        failure,
        message.payload().toString(java.nio.charset.StandardCharsets.UTF_8));
    LOG.debug("refused MQTT message on {}: {}", message.topicName(), failure.getMessage());
    if (!atLeastOnce) {
      return;
    }
    if (endpoint.protocolVersion() == MQTT_5) {
      endpoint.publishAcknowledge(
          message.messageId(), reasonCode(code), MqttProperties.NO_PROPERTIES);
    } else {
      endpoint.close();
    }
  }

  private static MqttPubAckReasonCode reasonCode(String errorCode) {
    if (errorCode.equals(IngestErrors.OVERLOADED.code())) {
      return MqttPubAckReasonCode.QUOTA_EXCEEDED;
    }
    if (errorCode.equals(IngestErrors.TOPIC_INVALID.code())) {
      return MqttPubAckReasonCode.TOPIC_NAME_INVALID;
    }
    if (errorCode.equals(IngestErrors.GATEWAY_UNAUTHORIZED.code())
        || errorCode.equals(IngestErrors.DEVICE_DISABLED.code())
        || errorCode.equals(IngestErrors.DEVICE_NOT_FOUND.code())) {
      return MqttPubAckReasonCode.NOT_AUTHORIZED;
    }
    if (errorCode.equals(IngestErrors.PAYLOAD_TOO_LARGE.code())) {
      return MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID;
    }
    if (errorCode.equals(IngestErrors.PAYLOAD_MALFORMED.code())
        || errorCode.equals(IngestErrors.READING_IMPLAUSIBLE.code())) {
      return MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID;
    }
    if (errorCode.equals(IngestErrors.FORMAT_UNKNOWN.code())
        || errorCode.equals(IngestErrors.DEVICE_MISCONFIGURED.code())) {
      return MqttPubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;
    }
    return MqttPubAckReasonCode.UNSPECIFIED_ERROR;
  }
}
