package org.citytwin.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device-facing HTTP endpoints, following Eclipse Hono's HTTP adapter:
 *
 * <ul>
 *   <li>{@code POST /telemetry} and {@code POST /event}: one reading of the device identified by
 *       HTTP Basic credentials {@code auth-id@tenant};
 *   <li>{@code PUT /telemetry/{tenant}/{device}} and {@code PUT /event/{tenant}/{device}}: a
 *       gateway sending for a device that lists it in its {@code via};
 *   <li>{@code POST /telemetry/batch} (citytwin's own): many readings in one request, as a JSON
 *       array or NDJSON of {@code {"device": id, "payload": {...}}} items ({@code device} left out
 *       for the signed-in device itself), for gateways and bulk loads.
 * </ul>
 *
 * <p>A reading is answered {@code 202 Accepted} once it is durable in history. Telemetry sent with
 * Hono's {@code QoS-Level: 0} is answered as soon as it is valid, without waiting (and may be lost
 * in a crash); events always wait. When storage falls behind, requests are refused with 503 and
 * {@code Retry-After} before anything is taken.
 *
 * <p>Every refusal is a Ditto-style JSON error with a stable code, counted in {@link
 * IngestCounters}; a refused request changes nothing. In a batch, each bad item is refused alone,
 * with its index, and the good ones are taken.
 */
public final class DeviceHttpIngest {

  public static final int MAX_BODY_BYTES = 64 * 1024;
  public static final int MAX_BATCH_BYTES = 4 * 1024 * 1024;
  public static final int MAX_BATCH_ITEMS = 10_000;

  /** Seconds a refused sender is asked to wait: about one group commit under load. */
  static final int RETRY_AFTER_SECONDS = 1;

  private static final Logger LOG = LoggerFactory.getLogger(DeviceHttpIngest.class);
  private static final String NDJSON = "application/x-ndjson";

  private final DeviceAccess access;
  private final ReadingPipeline pipeline;
  private final IngestCounters counters;
  private final DeadLetters deadLetters;
  private final Clock clock;
  private WorkerExecutor batchWorkers;

  public DeviceHttpIngest(IngestServices services) {
    this.access = services.access();
    this.pipeline = services.pipeline();
    this.counters = services.counters();
    this.deadLetters = services.deadLetters();
    this.clock = services.clock();
  }

  /**
   * Adds the device endpoints, with their own error handling, to the server's root router. Batches
   * are parsed on a pool of workers, one per core, that belongs to the calling verticle and closes
   * with it.
   */
  public void mount(Vertx vertx, Router router) {
    batchWorkers =
        vertx.createSharedWorkerExecutor(
            "citytwin-device-batches", Runtime.getRuntime().availableProcessors());
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    BodyHandler batches = BodyHandler.create(false).setBodyLimit(MAX_BATCH_BYTES);
    router
        .post("/telemetry/batch")
        .handler(batches)
        .handler(this::onBatch)
        .failureHandler(context -> onFailure(context, MAX_BATCH_BYTES));
    for (String kind : List.of("telemetry", "event")) {
      boolean event = kind.equals("event");
      router
          .post("/" + kind)
          .handler(bodies)
          .handler(context -> onReading(context, event, false))
          .failureHandler(context -> onFailure(context, MAX_BODY_BYTES));
      router
          .put("/" + kind + "/:tenant/:device")
          .handler(bodies)
          .handler(context -> onReading(context, event, true))
          .failureHandler(context -> onFailure(context, MAX_BODY_BYTES));
    }
  }

  private void onReading(RoutingContext context, boolean event, boolean forAnotherDevice) {
    boolean waitForStorage = event || waitsForStorage(context);
    Device sender = authenticate(context.request().getHeader(HttpHeaders.AUTHORIZATION));
    Device device =
        forAnotherDevice
            ? access.sendingFor(
                sender, new DeviceId(context.pathParam("tenant"), context.pathParam("device")))
            : sender;
    requireBody(context, "application/json");
    JsonObject payload = DeviceAccess.jsonObject(context.body().buffer());
    List<Reading> readings = access.normalise(device, payload, clock.instant());
    Future<Void> stored = pipeline.accept(readings);
    if (waitForStorage) {
      stored
          .onSuccess(done -> context.response().setStatusCode(202).end())
          .onFailure(context::fail);
    } else {
      stored.onFailure(
          failure ->
              LOG.warn("QoS 0 readings of {} not stored: {}", device.id(), failure.getMessage()));
      if (stored.failed() && isOverloaded(stored.cause())) {
        context.fail(stored.cause());
      } else {
        context.response().setStatusCode(202).end();
      }
    }
  }

  private void onBatch(RoutingContext context) {
    Device sender = authenticate(context.request().getHeader(HttpHeaders.AUTHORIZATION));
    String contentType = contentType(context);
    String body =
        requireBody(context, contentType.startsWith(NDJSON) ? NDJSON : "application/json");
    String path = context.request().path();
    batchWorkers
        .executeBlocking(() -> take(sender, contentType, body, path), false)
        .onSuccess(
            taken -> {
              if (taken.refusedAll().isPresent()) {
                answer(
                    context,
                    taken.refusedAll().get(),
                    new JsonObject().put("rejected", taken.rejected()));
                return;
              }
              taken
                  .stored()
                  .onSuccess(
                      done ->
                          context
                              .response()
                              .setStatusCode(taken.rejected().isEmpty() ? 202 : 200)
                              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                              .end(
                                  new JsonObject()
                                      .put("accepted", taken.accepted())
                                      .put("readings", taken.readings())
                                      .put("rejected", taken.rejected())
                                      .encode()))
                  .onFailure(context::fail);
            })
        .onFailure(context::fail);
  }

  /**
   * What became of a batch: its good items handed to the pipeline ({@code stored} completes when
   * they are durable), or, when no item was good, the first item's error.
   */
  private record BatchTaken(
      int accepted,
      int readings,
      JsonArray rejected,
      Optional<DittoRuntimeException> refusedAll,
      Future<Void> stored) {}

  /**
   * Parses, normalises and hands over a batch. Runs on a worker: a batch of thousands of items is
   * milliseconds of work that would otherwise hold up every request and live stream sharing the
   * event loop.
   */
  private BatchTaken take(Device sender, String contentType, String body, String path) {
    List<Object> items = batchItems(body, contentType);
    List<Reading> readings = new ArrayList<>();
    JsonArray rejected = new JsonArray();
    DittoRuntimeException firstError = null;
    for (int index = 0; index < items.size(); index++) {
      try {
        if (!(items.get(index) instanceof JsonObject item)
            || !(item.getValue("payload") instanceof JsonObject payload)) {
          throw IngestErrors.PAYLOAD_MALFORMED.toException(
              "A batch item is {\"device\": id, \"payload\": {...}}.");
        }
        Object deviceId = item.getValue("device");
        Device device;
        if (deviceId == null) {
          device = sender;
        } else if (deviceId instanceof String id) {
          device = access.sendingFor(sender, new DeviceId(sender.id().tenant(), id));
        } else {
          throw IngestErrors.PAYLOAD_MALFORMED.toException("'device' must be a device id.");
        }
        // Each item its own arrival: items without a time of their own are distinct readings.
        readings.addAll(access.normalise(device, payload, clock.instant()));
      } catch (DittoRuntimeException e) {
        counters.rejected(e.getErrorCode());
        deadLetters.report("http", path + "[" + index + "]", e, String.valueOf(items.get(index)));
        firstError = firstError == null ? e : firstError;
        rejected.add(
            new JsonObject()
                .put("index", index)
                .put("status", e.getHttpStatus().getCode())
                .put("error", e.getErrorCode())
                .put("message", e.getMessage()));
      }
    }
    if (readings.isEmpty() && firstError != null) {
      return new BatchTaken(0, 0, rejected, Optional.of(firstError), Future.succeededFuture());
    }
    return new BatchTaken(
        items.size() - rejected.size(),
        readings.size(),
        rejected,
        Optional.empty(),
        pipeline.accept(readings));
  }

  private static List<Object> batchItems(String body, String contentType) {
    List<Object> items = new ArrayList<>();
    if (contentType.startsWith(NDJSON)) {
      for (String line : body.split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        try {
          items.add(new JsonObject(line));
        } catch (DecodeException e) {
          // Kept as text so that the line is refused with its index, not the whole batch.
          items.add(line);
        }
        requireBatchSize(items.size());
      }
    } else {
      JsonArray array;
      try {
        array = new JsonArray(body);
      } catch (DecodeException e) {
        throw IngestErrors.PAYLOAD_MALFORMED.toException(
            "A batch is a JSON array or NDJSON (" + NDJSON + ").");
      }
      requireBatchSize(array.size());
      // getValue, not getList: it gives nested objects as JsonObject.
      for (int i = 0; i < array.size(); i++) {
        items.add(array.getValue(i));
      }
    }
    return items;
  }

  private static void requireBatchSize(int items) {
    if (items > MAX_BATCH_ITEMS) {
      throw IngestErrors.PAYLOAD_TOO_LARGE.toException(
          "A batch may carry at most " + MAX_BATCH_ITEMS + " items.");
    }
  }

  /** Hono's QoS-Level header: 0 answers without waiting for storage, 1 (the default) waits. */
  private static boolean waitsForStorage(RoutingContext context) {
    String level = context.request().getHeader("QoS-Level");
    if (level == null || level.equals("1")) {
      return true;
    }
    if (level.equals("0")) {
      return false;
    }
    throw IngestErrors.HEADER_INVALID.toException("QoS-Level '" + level + "' is not 0 or 1.");
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
    if (colon < 0) {
      throw IngestErrors.UNAUTHENTICATED.toException("The Basic credentials need a password.");
    }
    return access.authenticate(credentials.substring(0, colon), credentials.substring(colon + 1));
  }

  private static String contentType(RoutingContext context) {
    String contentType = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
    return contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
  }

  /** The body as text, after checking its content type. */
  private static String requireBody(RoutingContext context, String expectedType) {
    if (!contentType(context).startsWith(expectedType)) {
      throw IngestErrors.CONTENT_TYPE_UNSUPPORTED.toException(
          "Content-Type '"
              + context.request().getHeader(HttpHeaders.CONTENT_TYPE)
              + "' is not "
              + expectedType
              + ".");
    }
    if (context.body() == null || context.body().isEmpty()) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException("The request has no body.");
    }
    return context.body().asString(StandardCharsets.UTF_8.name());
  }

  private static boolean isOverloaded(Throwable failure) {
    return failure instanceof CitytwinException c && c.errorCode().equals(IngestErrors.OVERLOADED);
  }

  private void onFailure(RoutingContext context, int bodyLimit) {
    DittoRuntimeException error;
    if (context.failure() instanceof DittoRuntimeException known) {
      error = known;
    } else if (context.statusCode() == 413) {
      error =
          IngestErrors.PAYLOAD_TOO_LARGE.toException("The body exceeds " + bodyLimit + " bytes.");
    } else {
      LOG.error("unexpected failure ingesting {}", context.request().path(), context.failure());
      counters.rejected("internal");
      context.response().setStatusCode(500).end();
      return;
    }
    counters.rejected(error.getErrorCode());
    if (error.getHttpStatus().getCode() != 413) {
      deadLetters.report(
          "http",
          context.request().path(),
          error,
          context.body() == null || context.body().buffer() == null
              ? ""
              : context.body().asString(StandardCharsets.UTF_8.name()));
    }
    answer(context, error, new JsonObject());
  }

  private static void answer(RoutingContext context, DittoRuntimeException error, JsonObject more) {
    var response =
        context
            .response()
            .setStatusCode(error.getHttpStatus().getCode())
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (error instanceof CitytwinException c) {
      if (c.errorCode().equals(IngestErrors.UNAUTHENTICATED)) {
        response.putHeader("WWW-Authenticate", "Basic realm=\"citytwin devices\"");
      } else if (c.errorCode().equals(IngestErrors.OVERLOADED)) {
        response.putHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
      }
    }
    JsonObject body = new JsonObject(error.toJson().toString());
    more.forEach(field -> body.put(field.getKey(), field.getValue()));
    response.end(body.encode());
  }
}
