package org.citytwin.ingest;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.eclipse.hono.application.client.DownstreamMessage;
import org.eclipse.hono.application.client.MessageConsumer;
import org.eclipse.hono.application.client.amqp.AmqpMessageContext;
import org.eclipse.hono.application.client.amqp.ProtonBasedApplicationClient;
import org.eclipse.hono.client.ClientErrorException;
import org.eclipse.hono.client.ServerErrorException;
import org.eclipse.hono.client.amqp.config.ClientConfigProperties;
import org.eclipse.hono.client.amqp.connection.HonoConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the telemetry and events of configured tenants from an Eclipse Hono installation's
 * northbound AMQP 1.0 API, through Hono's own application client: for districts whose devices
 * already connect to Hono's protocol adapters.
 *
 * <p>Hono has authenticated the devices, so a device needs a citytwin registration (for its vendor
 * format and twin), not a password. Each message is settled only when its fate is known:
 *
 * <ul>
 *   <li><em>accepted</em> once its readings are committed to history;
 *   <li><em>rejected</em> when it can never be taken (unknown or disabled device, bad payload):
 *       counted and dead-lettered, so that it is not delivered again and again;
 *   <li><em>released</em>, after a pause, when storage is behind or failing: the messaging network
 *       delivers it again (events; telemetry too where the network keeps it).
 * </ul>
 *
 * <p>Hono's empty notifications (a device saying it is ready for commands) carry no reading and are
 * accepted as they are. The connection reconnects by itself, and the consumers are opened again
 * after each reconnect.
 */
public final class HonoNorthbound extends AbstractVerticle {

  /** Hono's content type for a notification without payload. */
  static final String EMPTY_NOTIFICATION = "application/vnd.eclipse-hono-empty-notification";

  /** How long a message that storage could not take waits before it is released. */
  static final long RELEASE_DELAY_MILLIS = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(HonoNorthbound.class);

  /**
   * Where Hono's northbound API is and which tenants to consume.
   *
   * @param tenants the Hono tenants (citytwin's departments) whose telemetry and events to take
   */
  public record Settings(
      String host,
      int port,
      Optional<String> username,
      Optional<String> password,
      List<String> tenants) {

    public Settings {
      Objects.requireNonNull(host, "host");
      tenants = List.copyOf(tenants);
      if (tenants.isEmpty()) {
        throw new IllegalArgumentException("the Hono northbound needs at least one tenant");
      }
    }
  }

  private final Settings settings;
  private final IngestServices services;
  private final DeviceAccess access;
  private ProtonBasedApplicationClient client;

  public HonoNorthbound(Settings settings, IngestServices services) {
    this.settings = settings;
    this.services = services;
    this.access = services.access();
  }

  /**
   * Starts connecting and returns: Hono may be down when citytwin starts, and the consumers open
   * whenever the connection comes up (each failure is logged and retried).
   */
  @Override
  public void start(Promise<Void> started) {
    ClientConfigProperties properties = new ClientConfigProperties();
    properties.setName("citytwin");
    properties.setHost(settings.host());
    properties.setPort(settings.port());
    settings.username().ifPresent(properties::setUsername);
    settings.password().ifPresent(properties::setPassword);
    // Keep trying for as long as citytwin runs: a district's Hono may restart at any time.
    properties.setReconnectAttempts(-1);
    properties.setReconnectMaxDelay(30_000);
    HonoConnection connection = HonoConnection.newConnection(vertx, properties);
    client = new ProtonBasedApplicationClient(connection);
    connection.addReconnectListener(
        reconnected ->
            openConsumers()
                .onSuccess(opened -> LOG.info("Hono consumers reopened after reconnect"))
                .onFailure(
                    failure ->
                        LOG.warn(
                            "Hono consumers not reopened after reconnect: {}",
                            failure.getMessage())));
    client
        .connect()
        .compose(connected -> openConsumers())
        .onSuccess(
            opened ->
                LOG.info(
                    "consuming Hono telemetry and events of {} at {}:{}",
                    settings.tenants(),
                    settings.host(),
                    settings.port()))
        .onFailure(failure -> LOG.warn("Hono consumers not opened: {}", failure.getMessage()));
    started.complete();
  }

  @Override
  public void stop(Promise<Void> stopped) {
    if (client == null) {
      stopped.complete();
      return;
    }
    // Disconnecting also ends reconnect attempts; the client was connected, never start()ed.
    client.disconnect(done -> stopped.complete());
  }

  private Future<Void> openConsumers() {
    List<Future<MessageConsumer>> opening = new ArrayList<>();
    for (String tenant : settings.tenants()) {
      // The asynchronous form: a message is settled when its future completes, not on return.
      Function<DownstreamMessage<AmqpMessageContext>, Future<Void>> telemetry =
          message -> take(tenant, "telemetry", message);
      Function<DownstreamMessage<AmqpMessageContext>, Future<Void>> events =
          message -> take(tenant, "event", message);
      opening.add(client.createTelemetryConsumer(tenant, telemetry, this::onConsumerClosed));
      opening.add(client.createEventConsumer(tenant, events, this::onConsumerClosed));
    }
    return Future.all(opening).mapEmpty();
  }

  private void onConsumerClosed(Throwable cause) {
    // A consumer closed by the peer without the connection going down would stay closed: log it,
    // the reconnect listener reopens consumers when the connection itself comes back.
    LOG.warn("a Hono consumer was closed: {}", cause == null ? "by the peer" : cause.getMessage());
  }

  /** Settles the message by the future's outcome (see the class comment). */
  private Future<Void> take(
      String tenant, String endpoint, DownstreamMessage<AmqpMessageContext> message) {
    if (EMPTY_NOTIFICATION.equals(message.getContentType())) {
      return Future.succeededFuture();
    }
    String place = endpoint + "/" + tenant + "/" + message.getDeviceId();
    Future<Void> stored;
    try {
      Device device = access.registered(new DeviceId(tenant, deviceIdOf(message)));
      stored =
          services
              .pipeline()
              .accept(
                  access.normalise(
                      device,
                      DeviceAccess.jsonObject(message.getPayload()),
                      services.clock().instant()));
    } catch (DittoRuntimeException e) {
      stored = Future.failedFuture(e);
    }
    return stored.recover(failure -> settleFailure(place, message, failure));
  }

  private static String deviceIdOf(DownstreamMessage<AmqpMessageContext> message) {
    String deviceId = message.getDeviceId();
    if (deviceId == null || deviceId.isEmpty()) {
      throw IngestErrors.DEVICE_NOT_FOUND.toException(
          "The message names no device (application property device_id).");
    }
    return deviceId;
  }

  private Future<Void> settleFailure(
      String place, DownstreamMessage<AmqpMessageContext> message, Throwable failure) {
    String code =
        failure instanceof DittoRuntimeException ditto ? ditto.getErrorCode() : "internal";
    services.counters().rejected(code);
    if (IngestErrors.isTransient(failure)) {
      Promise<Void> released = Promise.promise();
      vertx.setTimer(
          RELEASE_DELAY_MILLIS,
          timer -> released.fail(new ServerErrorException(503, failure.getMessage())));
      return released.future();
    }
    services
        .deadLetters()
        .report(
            "hono",
            place,
            failure,
            message.getPayload() == null
                ? ""
                : message.getPayload().toString(StandardCharsets.UTF_8));
    int status =
        failure instanceof DittoRuntimeException ditto ? ditto.getHttpStatus().getCode() : 400;
    return Future.failedFuture(
        new ClientErrorException(status < 500 ? status : 400, failure.getMessage()));
  }
}
