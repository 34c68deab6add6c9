package org.citytwin.ingest;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device-facing HTTP endpoints, following Eclipse Hono's HTTP adapter: {@code POST /telemetry}
 * and {@code POST /event}, the device identified by HTTP Basic credentials {@code auth-id@tenant},
 * answered {@code 202 Accepted} once the readings are durable.
 *
 * <p>Every refusal is a Ditto-style JSON error with a stable code, counted in {@link
 * IngestCounters}; a refused request changes nothing.
 */
public final class DeviceHttpIngest {

  public static final int MAX_BODY_BYTES = 64 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(DeviceHttpIngest.class);

  private final DeviceRegistry registry;
  private final VendorFormats formats;
  private final ReadingPipeline pipeline;
  private final IngestCounters counters;
  private final Clock clock;

  public DeviceHttpIngest(
      DeviceRegistry registry,
      VendorFormats formats,
      ReadingPipeline pipeline,
      IngestCounters counters,
      Clock clock) {
    this.registry = registry;
    this.formats = formats;
    this.pipeline = pipeline;
    this.counters = counters;
    this.clock = clock;
  }

  /** Adds the device endpoints, with their own error handling, to the server's root router. */
  public void mount(Router router) {
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    router
        .post("/telemetry")
        .handler(bodies)
        .handler(this::onReading)
        .failureHandler(this::onFailure);
    router.post("/event").handler(bodies).handler(this::onReading).failureHandler(this::onFailure);
  }

  private void onReading(RoutingContext context) {
    Device device = authenticate(context.request().getHeader(HttpHeaders.AUTHORIZATION));
    JsonObject payload = jsonPayload(context);
    VendorFormat format =
        formats
            .find(device.vendorFormat())
            .orElseThrow(
                () ->
                    IngestErrors.FORMAT_UNKNOWN.toException(
                        "Device "
                            + device.id()
                            + " is registered with unknown format '"
                            + device.vendorFormat()
                            + "'."));
    List<Reading> readings = format.normalise(payload, device, clock.instant());
    pipeline
        .accept(readings)
        .onSuccess(done -> context.response().setStatusCode(202).end())
        .onFailure(context::fail);
  }

  private Device authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw IngestErrors.UNAUTHENTICATED.toException("The request carries no Basic credentials.");
    }
    String credentials;
    try {
      credentials =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).trim()),
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw IngestErrors.UNAUTHENTICATED.toException("The Basic credentials are not Base64.");
    }
    int colon = credentials.indexOf(':');
    int at = colon < 0 ? -1 : credentials.lastIndexOf('@', colon);
    if (at <= 0) {
      throw IngestErrors.UNAUTHENTICATED.toException("The user name must be 'auth-id@tenant'.");
    }
    String authId = credentials.substring(0, at);
    String tenant = credentials.substring(at + 1, colon);
    String password = credentials.substring(colon + 1);
    Device device =
        registry
            .find(tenant, authId)
            .filter(found -> found.password().matches(password))
            .orElseThrow(
                () ->
                    IngestErrors.UNAUTHENTICATED.toException("Unknown device or wrong password."));
    if (!device.enabled()) {
      throw IngestErrors.DEVICE_DISABLED.toException("Device " + device.id() + " is disabled.");
    }
    return device;
  }

  private static JsonObject jsonPayload(RoutingContext context) {
    String contentType = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
      throw IngestErrors.CONTENT_TYPE_UNSUPPORTED.toException(
          "Content-Type '" + contentType + "' is not application/json.");
    }
    if (context.body() == null || context.body().isEmpty()) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException("The request has no body.");
    }
    try {
      Object parsed = context.body().buffer().toJsonValue();
      if (parsed instanceof JsonObject object) {
        return object;
      }
      throw IngestErrors.PAYLOAD_MALFORMED.toException("The body must be one JSON object.");
    } catch (DecodeException e) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException("The body is not valid JSON.");
    }
  }

  private void onFailure(RoutingContext context) {
    DittoRuntimeException error;
    if (context.failure() instanceof DittoRuntimeException known) {
      error = known;
    } else if (context.statusCode() == 413) {
      error =
          IngestErrors.PAYLOAD_TOO_LARGE.toException(
              "The body exceeds " + MAX_BODY_BYTES + " bytes.");
    } else {
      LOG.error("unexpected failure ingesting {}", context.request().path(), context.failure());
      counters.rejected("internal");
      context.response().setStatusCode(500).end();
      return;
    }
    counters.rejected(error.getErrorCode());
    var response =
        context
            .response()
            .setStatusCode(error.getHttpStatus().getCode())
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (error instanceof CitytwinException c
        && c.errorCode().equals(IngestErrors.UNAUTHENTICATED)) {
      response.putHeader("WWW-Authenticate", "Basic realm=\"citytwin devices\"");
    }
    response.end(error.toJson().toString());
  }
}
