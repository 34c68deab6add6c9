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
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import java.time.Clock;
import java.util.List;
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
 */
public final class DeviceMqttIngest {

  private static final Logger LOG = LoggerFactory.getLogger(DeviceMqttIngest.class);
  private static final int MQTT_5 = 5;

  private final Vertx vertx;
  private final DeviceAccess access;
  private final ReadingPipeline pipeline;
  private final IngestCounters counters;
  private final DeadLetters deadLetters;
  private final Clock clock;
  private MqttServer server;

  public DeviceMqttIngest(Vertx vertx, IngestServices services) {
    this.vertx = vertx;
    this.access = services.access();
    this.pipeline = services.pipeline();
    this.counters = services.counters();
    this.deadLetters = services.deadLetters();
    this.clock = services.clock();
  }

  /** Starts listening; the future completes once the port is bound. */
  public Future<Integer> listen(String host, int port) {
    server =
        MqttServer.create(
            vertx,
            // No setMaxMessageSize: with it, Netty's MQTT decoder (4.1, via Vert.x 4.5.27) closed
            // busy connections, reporting 27-byte messages as longer than the limit. The size is
            // checked per message below instead.
            new MqttServerOptions().setHost(host).setPort(port));
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
    ReadingGroup group = new ReadingGroup();
    endpoint.publishHandler(message -> onPublish(endpoint, device, message, group));
    endpoint.accept(false);
  }

  private void onPublish(
      MqttEndpoint endpoint, Device sender, MqttPublishMessage message, ReadingGroup group) {
    boolean atLeastOnce = message.qosLevel() == MqttQoS.AT_LEAST_ONCE;
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
      pipeline.accept(group).onComplete(done);
    }
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
