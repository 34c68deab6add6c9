package org.citytwin.ingest;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.citytwin.twin.CitytwinException;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes readings from a city's existing MQTT broker, for devices that already publish there: it
 * subscribes with QoS 1 and maps each topic to a registered device by a pattern such as {@code
 * sensors/{tenant}/{device}/up} ({@code +} and literal levels allowed; a pattern without {@code
 * {tenant}} is written {@code water@gauges/{device}/data}).
 *
 * <p>The broker has authenticated its devices; the bridge trusts it, so devices need no citytwin
 * password, only a registration. A message is acknowledged to the broker only once its readings are
 * durable, in a persistent session ({@code cleanSession=false}): if storage fails or is behind, the
 * bridge drops the connection instead of acknowledging, and the broker delivers the message again
 * after the bridge reconnects. A message that can never be taken (unknown device, malformed
 * payload) is acknowledged, counted and reported, so that it does not come back forever.
 */
public final class MqttBridge extends AbstractVerticle {

  /**
   * Where the broker is and what to take from it.
   *
   * @param topics topic patterns, as in the class comment
   */
  public record Settings(
      String host,
      int port,
      Optional<String> username,
      Optional<String> password,
      String clientId,
      List<String> topics) {

    public Settings {
      Objects.requireNonNull(host, "host");
      topics = List.copyOf(topics);
      if (topics.isEmpty()) {
        throw new IllegalArgumentException("the MQTT bridge needs at least one topic pattern");
      }
      topics.forEach(TopicPattern::parse);
    }
  }

  /** A topic pattern: its subscription filter and where tenant and device sit in a topic. */
  record TopicPattern(String filter, String[] levels, Optional<String> fixedTenant) {

    static TopicPattern parse(String pattern) {
      Optional<String> tenant = Optional.empty();
      String topic = pattern;
      int at = pattern.indexOf('@');
      if (at > 0) {
        tenant = Optional.of(pattern.substring(0, at));
        topic = pattern.substring(at + 1);
      }
      String[] levels = topic.split("/", -1);
      List<String> names = List.of(levels);
      if (!names.contains("{device}") || (tenant.isEmpty() && !names.contains("{tenant}"))) {
        throw new IllegalArgumentException(
            "topic pattern " + pattern + " needs {device} and {tenant} (or tenant@ in front)");
      }
      String filter =
          String.join(
              "/", names.stream().map(level -> level.startsWith("{") ? "+" : level).toList());
      return new TopicPattern(filter, levels, tenant);
    }

    /** The device a topic names, if the topic fits this pattern. */
    Optional<DeviceId> deviceOf(String topic) {
      String[] parts = topic.split("/", -1);
      if (parts.length != levels.length) {
        return Optional.empty();
      }
      String tenant = fixedTenant.orElse(null);
      String device = null;
      for (int i = 0; i < levels.length; i++) {
        switch (levels[i]) {
          case "{tenant}" -> tenant = parts[i];
          case "{device}" -> device = parts[i];
          case "+" -> {}
          default -> {
            if (!levels[i].equals(parts[i])) {
              return Optional.empty();
            }
          }
        }
      }
      return tenant == null || tenant.isEmpty() || device == null || device.isEmpty()
          ? Optional.empty()
          : Optional.of(new DeviceId(tenant, device));
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(MqttBridge.class);
  private static final long MAX_RECONNECT_DELAY_MILLIS = 30_000;

  private final Settings settings;
  private final List<TopicPattern> patterns;
  private final DeviceAccess access;
  private final ReadingPipeline pipeline;
  private final IngestCounters counters;
  private final DeadLetters deadLetters;
  private final Clock clock;
  private MqttClient client;
  private boolean stopped;
  private long reconnectDelayMillis = 500;

  public MqttBridge(Settings settings, IngestServices services) {
    this.settings = settings;
    this.patterns = settings.topics().stream().map(TopicPattern::parse).toList();
    this.access = services.access();
    this.pipeline = services.pipeline();
    this.counters = services.counters();
    this.deadLetters = services.deadLetters();
    this.clock = services.clock();
  }

  /** Connects and subscribes; started once subscribed, failed if the first try fails. */
  @Override
  public void start(Promise<Void> started) {
    connect().onComplete(started);
  }

  /** Stops reconnecting and leaves the broker, which keeps the session for the next start. */
  @Override
  public void stop(Promise<Void> stoppedPromise) {
    stopped = true;
    (client == null || !client.isConnected() ? Future.<Void>succeededFuture() : client.disconnect())
        .onComplete(done -> stoppedPromise.complete());
  }

  private Future<Void> connect() {
    MqttClientOptions options =
        new MqttClientOptions().setClientId(settings.clientId()).setCleanSession(false);
    options.setAutoAck(false);
    settings.username().ifPresent(options::setUsername);
    settings.password().ifPresent(options::setPassword);
    client = MqttClient.create(vertx, options);
    MqttClient connecting = client;
    connecting.publishHandler(message -> onMessage(connecting, message));
    connecting.closeHandler(closed -> reconnectLater());
    Map<String, Integer> filters = new LinkedHashMap<>();
    patterns.forEach(pattern -> filters.put(pattern.filter(), MqttQoS.AT_LEAST_ONCE.value()));
    return connecting
        .connect(settings.port(), settings.host())
        .compose(connected -> connecting.subscribe(filters))
        .onSuccess(
            subscribed -> {
              reconnectDelayMillis = 500;
              LOG.info(
                  "MQTT bridge subscribed to {} at {}:{}",
                  filters.keySet(),
                  settings.host(),
                  settings.port());
            })
        .mapEmpty();
  }

  private void reconnectLater() {
    if (stopped) {
      return;
    }
    long delay = reconnectDelayMillis;
    reconnectDelayMillis = Math.min(MAX_RECONNECT_DELAY_MILLIS, reconnectDelayMillis * 2);
    LOG.warn(
        "MQTT bridge lost {}:{}; reconnecting in {} ms", settings.host(), settings.port(), delay);
    vertx.setTimer(
        delay,
        timer ->
            connect()
                .onFailure(
                    failure -> {
                      LOG.warn("MQTT bridge could not reconnect: {}", failure.getMessage());
                      reconnectLater();
                    }));
  }

  private void onMessage(MqttClient from, MqttPublishMessage message) {
    Future<Void> stored;
    try {
      DeviceId id =
          patterns.stream()
              .map(pattern -> pattern.deviceOf(message.topicName()))
              .flatMap(Optional::stream)
              .findFirst()
              .orElseThrow(
                  () ->
                      IngestErrors.TOPIC_INVALID.toException(
                          "No bridge pattern fits " + message.topicName() + "."));
      Device device = access.registered(id);
      stored =
          pipeline.accept(
              access.normalise(
                  device, DeviceAccess.jsonObject(message.payload()), clock.instant()));
    } catch (DittoRuntimeException e) {
      stored = Future.failedFuture(e);
    }
    stored.onComplete(
        result -> {
          if (result.succeeded()) {
            acknowledge(message);
          } else if (IngestErrors.isTransient(result.cause())) {
            // Not acknowledged: the broker sends it again once the bridge is back.
            counters.rejected(((CitytwinException) result.cause()).getErrorCode());
            from.disconnect();
          } else {
            String code =
                result.cause() instanceof DittoRuntimeException ditto
                    ? ditto.getErrorCode()
                    : "internal";
            counters.rejected(code);
            deadLetters.report(
                "mqtt-bridge",
                message.topicName(),
                result.cause(),
                message.payload().toString(java.nio.charset.StandardCharsets.UTF_8));
            acknowledge(message);
          }
        });
  }

  private static void acknowledge(MqttPublishMessage message) {
    if (message.qosLevel() == MqttQoS.AT_LEAST_ONCE) {
      message.ack();
    }
  }
}
