package org.citytwin.api;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.citytwin.api.http.AccessRoutes;
import org.citytwin.api.http.ApiAuthentication;
import org.citytwin.api.http.ApiErrors;
import org.citytwin.api.http.ApiRefusals;
import org.citytwin.api.http.Caller;
import org.citytwin.api.http.DeadLetterRoutes;
import org.citytwin.api.http.DeviceRoutes;
import org.citytwin.api.http.DittoWebSocket;
import org.citytwin.api.http.HistoryRoutes;
import org.citytwin.api.http.IncidentRoutes;
import org.citytwin.api.http.LiveFeeds;
import org.citytwin.api.http.ModelRoutes;
import org.citytwin.api.http.OpenApiRoute;
import org.citytwin.api.http.OperationsRoutes;
import org.citytwin.api.http.RateLimits;
import org.citytwin.api.http.Readiness;
import org.citytwin.api.http.ScreenRoutes;
import org.citytwin.api.http.SearchRoutes;
import org.citytwin.api.http.ThingAccess;
import org.citytwin.api.http.ThingWriteRoutes;
import org.citytwin.api.http.ThingsRoutes;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.ingest.DeviceHttpIngest;
import org.citytwin.ingest.DeviceRegistry;
import org.citytwin.ingest.IngestCounters;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.ThingModelCatalogue;
import org.citytwin.twin.ThingSearch;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * citytwin's HTTP server: the device endpoints of ingest at the root ({@code /telemetry}, {@code
 * /event}), and the API under {@code /api} ({@code /api/2/things}, {@code /api/incidents}, {@code
 * /api/history}), Ditto's WebSocket at {@code /ws/2}, the flood-warning screen at {@code
 * /screen/flood}, plus {@code /health} and {@code /metrics}. Every error is answered with a
 * Ditto-style JSON body.
 *
 * <p>With a token secret (or API keys), every request under {@code /api} must bring a bearer token
 * from {@link ApiTokens} or a service's key from {@link ApiKeys}, and each department sees its own
 * namespace, what it was lent and the incidents it is involved in; without either the API is open
 * to every caller. Each client's request rate is limited ({@link RateLimits}). {@code /ready} asks
 * every part whether the server should be sent traffic ({@link Readiness}).
 *
 * <p>{@link #start(Promise)} completes once the server listens; {@link #actualPort()} then tells
 * the port (useful when configured as 0).
 */
public final class ApiVerticle extends AbstractVerticle {

  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);

  /** Where the server listens. */
  public record Listen(String host, int port) {}

  /**
   * Who may call the API and how much.
   *
   * @param tokenSecret the secret users' bearer tokens are signed with, if the API takes them
   * @param apiKeysFile where services' API keys are kept ({@link ApiKeys}); re-read when it
   *     changes. The API takes keys when it takes tokens, or when the file holds keys at start.
   * @param requestsPerSecond each client's sustained request rate; 0 for no limit
   * @param requestBurst how many requests a client may send at once
   * @throws IllegalArgumentException for a negative rate, or a limit that lets nothing through
   */
  public record Security(
      Optional<String> tokenSecret,
      Optional<Path> apiKeysFile,
      double requestsPerSecond,
      int requestBurst) {

    public Security {
      rateLimit(requestsPerSecond, requestBurst);
    }

    /** No authentication, no limits: tests and a laptop. */
    public static Security open() {
      return new Security(Optional.empty(), Optional.empty(), 0, 0);
    }

    RateLimits.Limit rateLimit() {
      return rateLimit(requestsPerSecond, requestBurst);
    }

    private static RateLimits.Limit rateLimit(double perSecond, int burst) {
      return new RateLimits.Limit(perSecond, burst);
    }
  }

  /** How often the API key file is looked at for changes. */
  static final Duration API_KEYS_CHECK_EVERY = Duration.ofSeconds(2);

  /** How often the grants' uses are written to their twins: what a crash may lose of them. */
  static final Duration GRANT_USES_KEPT_EVERY = Duration.ofSeconds(10);

  /**
   * The longest request line read: room for an RQL filter of a few hundred thing ids (Vert.x reads
   * 4,096 bytes by default). Longer ones are answered {@code api:uri.too-long}.
   */
  public static final int MAX_REQUEST_LINE_BYTES = 16 * 1024;

  /** How long a part may take to answer {@code /ready}. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(2);

  private final Listen listen;
  private final ThingStore things;
  private final DeviceHttpIngest deviceIngest;
  private final DeviceRegistry devices;
  private final IngestCounters ingestCounters;
  private final ZoneIndex zones;
  private final ThingModelCatalogue models;
  private final Clock clock;
  private final Security security;
  private final Map<String, Supplier<Future<String>>> moreReadyChecks;
  private final TwinProtocol protocol = new TwinProtocol();
  private final OpenApiRoute openApi = new OpenApiRoute();
  private HttpServer server;
  private Router router;
  private LiveFeeds feeds;
  // Replaced whole when the key file changes; read on the event loops.
  private volatile ApiKeys apiKeys = ApiKeys.none();
  private volatile Optional<FileTime> apiKeysSeen = Optional.empty();

  /**
   * @param moreReadyChecks what else {@code /ready} asks, by name (ingest's back-pressure, for
   *     one): each succeeds with a note on the part's state or fails saying why it is not fit
   */
  public ApiVerticle(
      Listen listen,
      ThingStore things,
      DeviceHttpIngest deviceIngest,
      DeviceRegistry devices,
      IngestCounters ingestCounters,
      ZoneIndex zones,
      ThingModelCatalogue models,
      Clock clock,
      Security security,
      Map<String, Supplier<Future<String>>> moreReadyChecks) {
    this.listen = listen;
    this.things = things;
    this.deviceIngest = deviceIngest;
    this.devices = devices;
    this.ingestCounters = ingestCounters;
    this.zones = zones;
    this.models = models;
    this.clock = clock;
    this.security = security;
    this.moreReadyChecks = Map.copyOf(moreReadyChecks);
  }

  @Override
  public void start(Promise<Void> started) {
    vertx
        .executeBlocking(() -> readApiKeys(), false)
        .compose(
            keys -> {
              apiKeys = keys.keys();
              apiKeysSeen = keys.modified();
              return listen();
            })
        .onComplete(started);
  }

  private Future<Void> listen() {
    router = Router.router(vertx);
    ApiRefusals refusals = new ApiRefusals();
    refusals.mount(router);
    deviceIngest.mount(vertx, router);
    boolean takesApiKeys =
        security.apiKeysFile().isPresent()
            && (security.tokenSecret().isPresent() || !apiKeys.all().isEmpty());
    ApiAuthentication authentication =
        new ApiAuthentication(
            security.tokenSecret().map(secret -> new ApiTokens(vertx, secret)::authenticate),
            takesApiKeys ? Optional.of(this::checkApiKey) : Optional.empty());
    if (takesApiKeys) {
      vertx.setPeriodic(API_KEYS_CHECK_EVERY.toMillis(), tick -> rereadApiKeysIfChanged());
    }
    RateLimits rateLimits = new RateLimits(security.rateLimit(), System::nanoTime);
    vertx.setPeriodic(Duration.ofMinutes(1).toMillis(), tick -> rateLimits.forgetIdle());
    openApi.mount(router); // public: before /api's authentication
    router.route("/api/*").handler(authentication).handler(rateLimits);
    router.route("/ws/2").handler(authentication).handler(rateLimits);
    feeds = LiveFeeds.listen(vertx);
    new ScreenRoutes().mount(router);
    ThingAccess access = new ThingAccess(things, clock);
    vertx.setPeriodic(GRANT_USES_KEPT_EVERY.toMillis(), tick -> keepGrantUses(access));
    new ThingsRoutes(vertx, things, access, feeds).mount(router);
    new ThingWriteRoutes(vertx, protocol, access).mount(router);
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
    new OperationsRoutes(
            vertx,
            ingestCounters,
            things,
            authentication,
            rateLimits,
            webSocket,
            readiness(),
            feeds,
            refusals)
        .mount(router);
    router.route().failureHandler(ApiErrors::handleFailure);
    router.errorHandler(400, ApiErrors::handleFailure);
    router.errorHandler(404, ApiErrors::handleFailure);
    router.errorHandler(405, ApiErrors::handleFailure);
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                .setHost(listen.host())
                .setPort(listen.port())
                .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES))
        .requestHandler(ApiErrors.refusingUndecodable(router, refusals))
        .invalidRequestHandler(ApiErrors.invalidRequestHandler(refusals))
        .listen()
        .onSuccess(listening -> server = listening)
        .mapEmpty();
  }

  @Override
  public void stop() {
    // What the feeds hold outside the heap is freed here, not left to the collector.
    if (feeds != null) {
      feeds.close();
    }
  }

  /** The parts {@code /ready} asks: the twin service, history, fusion, and what the caller adds. */
  private Readiness readiness() {
    List<Readiness.Probe> probes = new ArrayList<>();
    probes.add(Readiness.eventBus(vertx, "twins", EventBusAddresses.TWIN_READY, READY_TIMEOUT));
    probes.add(
        Readiness.eventBus(vertx, "history", EventBusAddresses.HISTORY_READY, READY_TIMEOUT));
    DeliveryOptions timeout = new DeliveryOptions().setSendTimeout(READY_TIMEOUT.toMillis());
    probes.add(
        new Readiness.Probe(
            "fusion",
            () ->
                vertx
                    .eventBus()
                    .<JsonObject>request(EventBusAddresses.RULE_LIST, new JsonObject(), timeout)
                    .map(
                        reply ->
                            reply.body().getJsonArray("rules", new JsonArray()).size()
                                + " rules")));
    moreReadyChecks.forEach((name, check) -> probes.add(new Readiness.Probe(name, check)));
    return new Readiness(probes, READY_TIMEOUT);
  }

  private record KeysRead(ApiKeys keys, Optional<FileTime> modified) {}

  private KeysRead readApiKeys() throws IOException {
    if (security.apiKeysFile().isEmpty()) {
      return new KeysRead(ApiKeys.none(), Optional.empty());
    }
    Path file = security.apiKeysFile().get();
    if (!Files.exists(file)) {
      return new KeysRead(ApiKeys.none(), Optional.empty());
    }
    FileTime modified = Files.getLastModifiedTime(file);
    return new KeysRead(ApiKeys.read(file), Optional.of(modified));
  }

  /** Writes the grants' uses counted since the last round to their twins, through the service. */
  private void keepGrantUses(ThingAccess access) {
    for (org.eclipse.ditto.things.model.Thing uses : access.usesToKeep()) {
      ThingId usesId = uses.getEntityId().orElseThrow();
      vertx
          .eventBus()
          .request(
              EventBusAddresses.TWIN_COMMANDS,
              protocol.command(ModifyThing.of(usesId, uses, null, DittoHeaders.empty())).toString())
          .onFailure(
              failure -> {
                LOG.warn(
                    "the uses of {} were not kept, trying again: {}", usesId, failure.getMessage());
                access.keepAgain(usesId);
              });
    }
  }

  private void rereadApiKeysIfChanged() {
    vertx
        .executeBlocking(
            () -> {
              Path file = security.apiKeysFile().get();
              Optional<FileTime> modified =
                  Files.exists(file)
                      ? Optional.of(Files.getLastModifiedTime(file))
                      : Optional.empty();
              return modified.equals(apiKeysSeen) ? null : readApiKeys();
            },
            false)
        .onSuccess(
            read -> {
              if (read != null) {
                apiKeys = read.keys();
                apiKeysSeen = read.modified();
                LOG.info("API keys re-read: {} kept", apiKeys.all().size());
              }
            })
        // A broken file keeps the keys read before: better than locking every service out.
        .onFailure(failure -> LOG.warn("API key file not re-read: {}", failure.getMessage()));
  }

  private Future<Caller> checkApiKey(String key) {
    try {
      return Future.succeededFuture(apiKeys.authenticate(key, clock.instant()));
    } catch (IllegalArgumentException refused) {
      return Future.failedFuture(refused);
    }
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
