package org.citytwin.api;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.Optional;
import org.citytwin.api.http.AccessRoutes;
import org.citytwin.api.http.ApiAuthentication;
import org.citytwin.api.http.ApiErrors;
import org.citytwin.api.http.DeadLetterRoutes;
import org.citytwin.api.http.DeviceRoutes;
import org.citytwin.api.http.DittoWebSocket;
import org.citytwin.api.http.HistoryRoutes;
import org.citytwin.api.http.IncidentRoutes;
import org.citytwin.api.http.LiveFeeds;
import org.citytwin.api.http.ModelRoutes;
import org.citytwin.api.http.OpenApiRoute;
import org.citytwin.api.http.OperationsRoutes;
import org.citytwin.api.http.ScreenRoutes;
import org.citytwin.api.http.SearchRoutes;
import org.citytwin.api.http.ThingAccess;
import org.citytwin.api.http.ThingWriteRoutes;
import org.citytwin.api.http.ThingsRoutes;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.ingest.DeviceHttpIngest;
import org.citytwin.ingest.DeviceRegistry;
import org.citytwin.ingest.IngestCounters;
import org.citytwin.twin.ThingModelCatalogue;
import org.citytwin.twin.ThingSearch;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.TwinProtocol;

/**
 * citytwin's HTTP server: the device endpoints of ingest at the root ({@code /telemetry}, {@code
 * /event}), and the API under {@code /api} ({@code /api/2/things}, {@code /api/incidents}, {@code
 * /api/history}), Ditto's WebSocket at {@code /ws/2}, the flood-warning screen at {@code
 * /screen/flood}, plus {@code /health} and {@code /metrics}. Every error is answered with a
 * Ditto-style JSON body.
 *
 * <p>With a token secret, every request under {@code /api} must bring a bearer token from {@link
 * ApiTokens}, and each department sees its own namespace and the incidents it is involved in;
 * without one the API is open to every caller.
 *
 * <p>{@link #start(Promise)} completes once the server listens; {@link #actualPort()} then tells
 * the port (useful when configured as 0).
 */
public final class ApiVerticle extends AbstractVerticle {

  /** Where the server listens. */
  public record Listen(String host, int port) {}

  private final Listen listen;
  private final ThingStore things;
  private final DeviceHttpIngest deviceIngest;
  private final DeviceRegistry devices;
  private final IngestCounters ingestCounters;
  private final ZoneIndex zones;
  private final ThingModelCatalogue models;
  private final Clock clock;
  private final Optional<String> tokenSecret;
  private final TwinProtocol protocol = new TwinProtocol();
  private final OpenApiRoute openApi = new OpenApiRoute();
  private HttpServer server;
  private Router router;

  public ApiVerticle(
      Listen listen,
      ThingStore things,
      DeviceHttpIngest deviceIngest,
      DeviceRegistry devices,
      IngestCounters ingestCounters,
      ZoneIndex zones,
      ThingModelCatalogue models,
      Clock clock,
      Optional<String> tokenSecret) {
    this.listen = listen;
    this.things = things;
    this.deviceIngest = deviceIngest;
    this.devices = devices;
    this.ingestCounters = ingestCounters;
    this.zones = zones;
    this.models = models;
    this.clock = clock;
    this.tokenSecret = tokenSecret;
  }

  @Override
  public void start(Promise<Void> started) {
    router = Router.router(vertx);
    deviceIngest.mount(router);
    ApiAuthentication authentication =
        new ApiAuthentication(
            tokenSecret.map(secret -> new ApiTokens(vertx, secret)::authenticate));
    openApi.mount(router); // public: before /api's authentication
    router.route("/api/*").handler(authentication);
    router.route("/ws/2").handler(authentication);
    LiveFeeds feeds = LiveFeeds.listen(vertx);
    new ScreenRoutes().mount(router);
    ThingAccess access = new ThingAccess(things, clock);
    new ThingsRoutes(vertx, things, access, feeds).mount(router);
    new ThingWriteRoutes(vertx, protocol).mount(router);
    new AccessRoutes(vertx, access, protocol).mount(router);
    ThingSearch search = new ThingSearch(things);
    DittoWebSocket webSocket = new DittoWebSocket(vertx, things, search, feeds, protocol, access);
    webSocket.mount(router);
    new SearchRoutes(vertx, search, zones, access).mount(router);
    new ModelRoutes(models).mount(router);
    new IncidentRoutes(vertx, zones, feeds).mount(router);
    new DeadLetterRoutes(vertx).mount(router);
    new DeviceRoutes(vertx, devices).mount(router);
    new HistoryRoutes(vertx, clock, search, zones, access).mount(router);
    new OperationsRoutes(ingestCounters, things, authentication, webSocket).mount(router);
    router.route().failureHandler(ApiErrors::handleFailure);
    router.errorHandler(404, ApiErrors::handleFailure);
    router.errorHandler(405, ApiErrors::handleFailure);
    vertx
        .createHttpServer(new HttpServerOptions().setHost(listen.host()).setPort(listen.port()))
        .requestHandler(router)
        .listen()
        .onSuccess(listening -> server = listening)
        .<Void>mapEmpty()
        .onComplete(started);
  }

  /**
   * Every operation routed to an exact path, as {@code "GET /api/2/things/{thingId}"} (path
   * parameters in OpenAPI's braces): what the OpenAPI document must describe. Gates that only let
   * requests on, static files under a prefix and pattern routes are left out.
   */
  public java.util.SortedSet<String> routedOperations() {
    java.util.SortedSet<String> operations = new java.util.TreeSet<>();
    for (io.vertx.ext.web.Route route : router.getRoutes()) {
      String path = route.getPath();
      if (path == null || route.isRegexPath() || !route.isExactPath() || route.methods() == null) {
        continue;
      }
      String openApiPath = path.replaceAll(":([A-Za-z]+)", "{$1}");
      route.methods().forEach(method -> operations.add(method.name() + " " + openApiPath));
    }
    return operations;
  }

  /** The port the server listens on; only meaningful once started. */
  public int actualPort() {
    if (server == null) {
      throw new IllegalStateException("the API server has not started");
    }
    return server.actualPort();
  }
}
