package org.citytwin.api.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.citytwin.ingest.Device;
import org.citytwin.ingest.DeviceId;
import org.citytwin.ingest.DeviceRegistry;
import org.citytwin.ingest.IngestErrors;

/**
 * The device registry over HTTP, shaped after Hono's device registry management API:
 *
 * <ul>
 *   <li>{@code GET /api/devices/{tenant}?size=&after=}: the tenant's devices by id, a page at a
 *       time ({@code after} is the last id of the previous page);
 *   <li>{@code GET|PUT|DELETE /api/devices/{tenant}/{device}}: one registration (credentials only
 *       as their hash); PUT creates (201) or replaces (204);
 *   <li>{@code PUT /api/devices/{tenant}/{device}/enabled} with {@code true} or {@code false};
 *   <li>{@code POST /api/devices}: bulk import, all or none, as a JSON array, CSV ({@code
 *       text/csv}) or a GeoJSON FeatureCollection ({@code application/geo+json}).
 * </ul>
 *
 * Changes are stored before they are answered; that JDBC work runs on worker threads.
 */
public final class DeviceRoutes {

  /** Enough for a district's 34,000 devices in one CSV. */
  static final int MAX_IMPORT_BYTES = 32 * 1024 * 1024;

  static final int MAX_REGISTRATION_BYTES = 64 * 1024;
  static final int DEFAULT_PAGE = 200;
  static final int MAX_PAGE = 10_000;

  private final Vertx vertx;
  private final DeviceRegistry registry;

  public DeviceRoutes(Vertx vertx, DeviceRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  public void mount(Router router) {
    BodyHandler registration = BodyHandler.create(false).setBodyLimit(MAX_REGISTRATION_BYTES);
    BodyHandler imports = BodyHandler.create(false).setBodyLimit(MAX_IMPORT_BYTES);
    // An import may register devices of any tenant. (Vert.x wants a body handler first.)
    router
        .post("/api/devices")
        .handler(imports)
        .handler(ApiErrors::onlyWholeDistrict)
        .handler(this::onImport);
    router.routeWithRegex("/api/devices/([^/]+)(/.*)?").handler(DeviceRoutes::onlyOwnTenant);
    router.get("/api/devices/:tenant").handler(this::onList);
    router.get("/api/devices/:tenant/:device").handler(this::onGet);
    router.put("/api/devices/:tenant/:device").handler(registration).handler(this::onPut);
    router.delete("/api/devices/:tenant/:device").handler(this::onDelete);
    router
        .put("/api/devices/:tenant/:device/enabled")
        .handler(registration)
        .handler(this::onEnabled);
  }

  /**
   * Lets the request on only for the tenant the caller's department owns (a tenant is a
   * department); another tenant's devices are answered as if it had none.
   */
  private static void onlyOwnTenant(RoutingContext context) {
    String tenant = context.pathParam("param0");
    if (ApiAuthentication.caller(context).owns(tenant)) {
      context.next();
    } else if (context.pathParam("param1") == null || context.pathParam("param1").equals("/")) {
      json(context, 200, new JsonObject().put("items", new JsonArray()).encode());
    } else {
      throw IngestErrors.REGISTRATION_NOT_FOUND.toException("No such device is registered.");
    }
  }

  private void onList(RoutingContext context) {
    String tenant = context.pathParam("tenant");
    int size = size(context.request().getParam("size"));
    String after = context.request().getParam("after", "");
    List<Device> devices =
        registry.inTenant(tenant).stream()
            .filter(device -> device.id().device().compareTo(after) > 0)
            .limit(size + 1L)
            .toList();
    JsonArray items = new JsonArray();
    devices.stream().limit(size).forEach(device -> items.add(DeviceRegistry.toJson(device)));
    JsonObject page = new JsonObject().put("items", items);
    if (devices.size() > size) {
      page.put("after", devices.get(size - 1).id().device());
    }
    json(context, 200, page.encode());
  }

  private void onGet(RoutingContext context) {
    DeviceId id = id(context);
    Device device =
        registry
            .find(id)
            .orElseThrow(
                () ->
                    IngestErrors.REGISTRATION_NOT_FOUND.toException(
                        "No device " + id + " is registered."));
    json(context, 200, DeviceRegistry.toJson(device).encode());
  }

  private void onPut(RoutingContext context) {
    DeviceId id = id(context);
    JsonObject registration = jsonObject(context);
    blocking(context, () -> registry.put(id, registration))
        .onSuccess(created -> context.response().setStatusCode(created ? 201 : 204).end());
  }

  private void onEnabled(RoutingContext context) {
    DeviceId id = id(context);
    String body = bodyText(context).strip();
    if (!body.equals("true") && !body.equals("false")) {
      throw ApiErrors.BODY_MISSING.toException("Send true or false.");
    }
    blocking(context, () -> registry.setEnabled(id, Boolean.parseBoolean(body)))
        .onSuccess(device -> context.response().setStatusCode(204).end());
  }

  private void onDelete(RoutingContext context) {
    DeviceId id = id(context);
    blocking(
            context,
            () -> {
              registry.remove(id);
              return id;
            })
        .onSuccess(removed -> context.response().setStatusCode(204).end());
  }

  private void onImport(RoutingContext context) {
    String type =
        context.request().getHeader(HttpHeaders.CONTENT_TYPE) == null
            ? ""
            : context
                .request()
                .getHeader(HttpHeaders.CONTENT_TYPE)
                .split(";")[0]
                .strip()
                .toLowerCase(Locale.ROOT);
    String body = bodyText(context);
    Callable<Integer> work =
        switch (type) {
          case "application/json" -> {
            JsonArray devices = jsonArray(body);
            yield () -> registry.importJson(devices);
          }
          case "text/csv" -> () -> registry.importCsv(body);
          case "application/geo+json" -> {
            JsonObject collection = parseObject(body);
            yield () -> registry.importGeoJson(collection);
          }
          default ->
              throw ApiErrors.CONTENT_TYPE_UNSUPPORTED.toException(
                  "Import devices as application/json (an array), text/csv or application/geo+json,"
                      + " not '"
                      + type
                      + "'.");
        };
    blocking(context, work)
        .onSuccess(count -> json(context, 200, new JsonObject().put("imported", count).encode()));
  }

  /** Runs registry work off the event loop; its errors become the request's failure. */
  private <T> Future<T> blocking(RoutingContext context, Callable<T> work) {
    return vertx.<T>executeBlocking(work, false).onFailure(context::fail);
  }

  private static DeviceId id(RoutingContext context) {
    try {
      return new DeviceId(context.pathParam("tenant"), context.pathParam("device"));
    } catch (IllegalArgumentException e) {
      throw IngestErrors.REGISTRATION_INVALID.toException(e.getMessage());
    }
  }

  private static int size(String given) {
    if (given == null) {
      return DEFAULT_PAGE;
    }
    try {
      int size = Integer.parseInt(given);
      if (size >= 1 && size <= MAX_PAGE) {
        return size;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiErrors.PARAMETER_INVALID.toException(
        "size must be a whole number from 1 to " + MAX_PAGE + ".");
  }

  private static JsonObject jsonObject(RoutingContext context) {
    return parseObject(bodyText(context));
  }

  /** The body as text; empty when there is none (Vert.x gives null for an empty body). */
  private static String bodyText(RoutingContext context) {
    String text = context.body() == null ? null : context.body().asString();
    return text == null ? "" : text;
  }

  private static JsonObject parseObject(String body) {
    try {
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw ApiErrors.BODY_MISSING.toException("The body must be one JSON object.");
    }
  }

  private static JsonArray jsonArray(String body) {
    try {
      return new JsonArray(body);
    } catch (DecodeException | ClassCastException e) {
      throw ApiErrors.BODY_MISSING.toException("The body must be a JSON array of registrations.");
    }
  }

  /** Answers {@code body} as JSON with {@code status}. */
  static void json(RoutingContext context, int status, String body) {
    context
        .response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body);
  }
}
