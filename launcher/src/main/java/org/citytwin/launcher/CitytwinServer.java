package org.citytwin.launcher;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.citytwin.api.ApiVerticle;
import org.citytwin.api.TwinServiceVerticle;
import org.citytwin.fusion.FusionEngine;
import org.citytwin.fusion.FusionVerticle;
import org.citytwin.fusion.Incident;
import org.citytwin.fusion.IncidentBook;
import org.citytwin.fusion.PatrolTeam;
import org.citytwin.fusion.RuleLoader;
import org.citytwin.fusion.SlaPolicy;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.fusion.rules.Rule;
import org.citytwin.history.DeadLetterVerticle;
import org.citytwin.history.HistoryVerticle;
import org.citytwin.history.Storage;
import org.citytwin.ingest.DeadLetters;
import org.citytwin.ingest.DeviceHttpIngest;
import org.citytwin.ingest.DeviceMqttIngest;
import org.citytwin.ingest.DeviceRegistry;
import org.citytwin.ingest.HonoNorthbound;
import org.citytwin.ingest.IngestCounters;
import org.citytwin.ingest.IngestServices;
import org.citytwin.ingest.MqttBridge;
import org.citytwin.ingest.ReadingPipeline;
import org.citytwin.ingest.VendorFormats;
import org.citytwin.ingest.clean.CleaningRules;
import org.citytwin.ingest.clean.ReadingCleaner;
import org.citytwin.twin.ThingChange;
import org.citytwin.twin.ThingChanges;
import org.citytwin.twin.ThingJournal;
import org.citytwin.twin.ThingModelCatalogue;
import org.citytwin.twin.ThingModels;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.Twin;
import org.citytwin.twin.TwinProtocol;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.things.model.Thing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running citytwin: every part built from one configuration and wired here, and nowhere else.
 *
 * <p>Start order follows the data: history first (so nothing is acknowledged before it can be
 * stored), then the twin service, fusion, and last the HTTP server, which is what lets the world
 * in. {@link #close()} stops in the reverse order.
 */
public final class CitytwinServer implements AutoCloseable {

  static final String HISTORY_FILE = "history.duckdb";

  private static final Logger LOG = LoggerFactory.getLogger(CitytwinServer.class);
  private static final long START_TIMEOUT_SECONDS = 60;

  private final Vertx vertx;
  private final Storage storage;
  private final ThingStore things;
  private final TwinServiceVerticle twins;
  private final ApiVerticle api;
  private final int mqttPort;

  private CitytwinServer(
      Vertx vertx,
      Storage storage,
      ThingStore things,
      TwinServiceVerticle twins,
      ApiVerticle api,
      int mqttPort) {
    this.vertx = vertx;
    this.storage = storage;
    this.things = things;
    this.twins = twins;
    this.api = api;
    this.mqttPort = mqttPort;
  }

  /**
   * Builds and starts a server, blocking the calling thread until it listens. Call it from a plain
   * thread (a main method or a test), never from an event loop.
   *
   * <p>Twins are recovered from the journal first; a district's things are created (and journaled)
   * only when the journal is empty, so a restart keeps every change made since, deletions included.
   *
   * @throws IllegalArgumentException if the configuration or the district files are invalid
   * @throws IllegalStateException if a part fails to start (for example, the port is taken)
   */
  public static CitytwinServer start(CitytwinConfig config, Clock clock) {
    DistrictFiles district = config.districtDir().map(DistrictFiles::read).orElse(null);
    ZoneIndex zones =
        district == null ? new ZoneIndex(List.of()) : ZoneIndex.fromGeoJson(district.zones());
    List<PatrolTeam> teams =
        district == null ? List.of() : PatrolTeam.fromGeoJson(district.zones());
    ThingModelCatalogue models = ThingModelCatalogue.shipped();
    RuleLoader ruleLoader = new RuleLoader();
    List<Rule> shippedRules = ruleLoader.loadShipped();
    // A bad rule file stops the start with its file and line; while running, it is only refused.
    List<Rule> rules =
        config
            .rulesDir()
            .map(dir -> FusionVerticle.combine(shippedRules, ruleLoader.loadDirectory(dir)))
            .orElse(shippedRules);
    Storage storage = openStorage(config);
    Vertx vertx = null;
    try {
      ThingStore things = new ThingStore(clock);
      long lastSequence = recover(storage, things, district, clock);
      FusionEngine fusion = fusionEngine(zones, teams, rules, things, clock);
      VendorFormats shipped = VendorFormats.builtIn(models);
      VendorFormats formats = config.formatsDir().map(shipped::withDirectory).orElse(shipped);
      DeviceRegistry devices =
          new DeviceRegistry(
              new SecureRandom(),
              models,
              formats,
              new StoredDeviceRegistrations(storage.devices()));
      loadDevices(devices, district);
      LOG.info(
          "{}: {} twins, {} devices, {} zones",
          storage.describe(),
          things.size(),
          devices.all().size(),
          zones.all().size());
      vertx = Vertx.vertx();
      TwinProtocol protocol = new TwinProtocol();
      IngestCounters counters = new IngestCounters();
      ReadingPipeline pipeline =
          new ReadingPipeline(
              vertx, protocol, counters, new ReadingCleaner(CleaningRules.shipped()), clock);
      IngestServices ingest =
          new IngestServices(
              devices, formats, pipeline, counters, new DeadLetters(vertx, clock), clock);
      DeviceHttpIngest deviceIngest = new DeviceHttpIngest(ingest);
      DeviceMqttIngest mqtt =
          new DeviceMqttIngest(
              vertx,
              ingest,
              new DeviceMqttIngest.FlowControl(
                  config.mqttReceiveMaximum(),
                  DeviceMqttIngest.FlowControl.DEFAULT.maxHeldReadings(),
                  DeviceMqttIngest.FlowControl.DEFAULT.holdFor()));
      TwinServiceVerticle twins =
          new TwinServiceVerticle(
              things, storage.things(), protocol, clock, lastSequence, config.snapshotEvery());
      ApiVerticle api =
          new ApiVerticle(
              new ApiVerticle.Listen(config.httpHost(), config.httpPort()),
              things,
              deviceIngest,
              devices,
              counters,
              zones,
              models,
              clock,
              new ApiVerticle.Security(
                  config.apiTokenSecret(),
                  Optional.of(config.apiKeysFile()),
                  config.apiRequestsPerSecond(),
                  config.apiRequestBurst()),
              Map.of("ingest", () -> ingestPressure(pipeline)));
      Vertx running = vertx;
      running
          .deployVerticle(
              new HistoryVerticle(storage.readings(), Optional.of(config.retention()), clock))
          .compose(id -> running.deployVerticle(new DeadLetterVerticle(storage.deadLetters())))
          .compose(id -> running.deployVerticle(twins))
          .compose(
              id ->
                  running.deployVerticle(
                      new FusionVerticle(
                          fusion,
                          FusionVerticle.Settings.defaults(shippedRules, config.rulesDir()),
                          clock)))
          .compose(id -> running.deployVerticle(api))
          .toCompletionStage()
          .toCompletableFuture()
          .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      // Devices are let in last, once everything their readings go to is running.
      int mqttPort =
          mqtt.listen(config.httpHost(), config.mqttPort())
              .toCompletionStage()
              .toCompletableFuture()
              .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      LOG.info("device MQTT on {}:{}", config.httpHost(), mqttPort);
      if (config.mqttBridge().isPresent()) {
        vertx
            .deployVerticle(new MqttBridge(config.mqttBridge().get(), ingest))
            .toCompletionStage()
            .toCompletableFuture()
            .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
      if (config.hono().isPresent()) {
        // Started without waiting for Hono: it connects (and reconnects) in the background.
        vertx
            .deployVerticle(new HonoNorthbound(config.hono().get(), ingest))
            .toCompletionStage()
            .toCompletableFuture()
            .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
      return new CitytwinServer(vertx, storage, things, twins, api, mqttPort);
    } catch (Exception e) {
      closeQuietly(vertx, storage);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("citytwin did not start: " + rootMessage(e), e);
    }
  }

  /** Ingest is fit while it takes readings: not when it pushes back for storage falling behind. */
  private static Future<String> ingestPressure(ReadingPipeline pipeline) {
    int inFlight = pipeline.readingsInFlight();
    int most = pipeline.maxReadingsInFlight();
    String detail = inFlight + " of at most " + most + " readings waiting for storage";
    // Nine tenths: a server about to refuse readings should leave the rotation before it does.
    return inFlight < most * 0.9
        ? Future.succeededFuture(detail)
        : Future.failedFuture("pushing back: " + detail);
  }

  /**
   * Loads the stored registry. Like its twins, a district's devices are seed data: registered only
   * into an empty registry, so that devices removed or changed since stay so after a restart.
   */
  private static void loadDevices(DeviceRegistry devices, DistrictFiles district) {
    int stored = devices.loadStored();
    if (stored > 0) {
      LOG.info(
          "loaded {} device registrations; the district's devices are not imported again", stored);
    } else if (district != null) {
      devices.importJson(district.devices());
    }
  }

  static Storage openStorage(CitytwinConfig config) {
    return config.historyBackend().equals("postgresql")
        ? Storage.openPostgres(config.postgres())
        : Storage.openDuckDb(config.dataDir().resolve(HISTORY_FILE));
  }

  /**
   * Builds fusion over the recovered twins: incidents kept as twins are taken back into the book
   * (open ones go on escalating), and twins that rules measure distances to are placed.
   */
  private static FusionEngine fusionEngine(
      ZoneIndex zones, List<PatrolTeam> teams, List<Rule> rules, ThingStore things, Clock clock) {
    IncidentBook book = new IncidentBook(zones, teams, SlaPolicy.defaults());
    FusionEngine fusion = new FusionEngine(zones, book, rules, clock);
    int incidents = 0;
    // From the indexes, not a walk over every thing: a recovered twin is built only when used.
    for (Twin twin : things.inNamespace(Incident.NAMESPACE)) {
      Optional<Incident> incident = FusionVerticle.fromThing(twin.thing());
      if (incident.isPresent()) {
        book.recover(incident.get());
        incidents++;
      }
    }
    for (String definition : fusion.definitionsMeasuredTo()) {
      for (Twin twin : things.withDefinition(definition)) {
        twin.thing()
            .getAttributes()
            .flatMap(attributes -> attributes.getValue(ThingModels.LOCATION))
            .ifPresent(
                location ->
                    fusion.know(twin.thingId(), definition, WgsPoint.fromGeoJson(location)));
      }
    }
    LOG.info(
        "fusion: {} rules, {} teams, {} incidents recovered",
        rules.size(),
        teams.size(),
        incidents);
    return fusion;
  }

  /**
   * Restores the journal's twins. A district's twins are seed data: they are created (and
   * journaled) only into an empty store, so that a twin deleted or changed since is never brought
   * back by a restart.
   */
  private static long recover(
      Storage storage, ThingStore things, DistrictFiles district, Clock clock) {
    ThingJournal.Recovery recovery = storage.things().recover();
    recovery.twins().parallelStream().forEach(things::restore);
    long lastSequence = recovery.lastSequence();
    if (district == null) {
      return lastSequence;
    }
    if (!recovery.twins().isEmpty()) {
      LOG.info(
          "recovered {} twins from the journal; the district's twins are not imported again",
          recovery.twins().size());
      return lastSequence;
    }
    List<ThingChange> created = new ArrayList<>();
    for (Thing thing : district.things()) {
      created.add(ThingChanges.put(null, thing, clock.instant()));
    }
    if (!created.isEmpty()) {
      lastSequence = storage.things().append(created);
      created.forEach(things::apply);
    }
    LOG.info("empty journal: created {} twins from the district", created.size());
    return lastSequence;
  }

  /** The port the device MQTT server listens on. */
  public int mqttPort() {
    return mqttPort;
  }

  /** The HTTP operations the server routes (for checking the OpenAPI document against). */
  public java.util.SortedSet<String> routedOperations() {
    return api.routedOperations();
  }

  /** The port the HTTP server listens on. */
  public int port() {
    return api.actualPort();
  }

  /** The Vert.x instance the server runs on, for companions such as the demo's rainstorm. */
  public Vertx vertx() {
    return vertx;
  }

  /**
   * Stops the HTTP server and every verticle, snapshots the twins (so the next start replays no
   * journal) and closes storage. Blocks until done.
   */
  @Override
  public void close() {
    closeVertx(vertx);
    try {
      storage.things().snapshot(things.twins(), twins.appliedSequence());
    } catch (RuntimeException e) {
      LOG.warn("no snapshot at shutdown; the journal still holds every change", e);
    }
    closeStorage(storage);
  }

  private static void closeQuietly(Vertx vertx, Storage storage) {
    if (vertx != null) {
      closeVertx(vertx);
    }
    closeStorage(storage);
  }

  private static void closeVertx(Vertx vertx) {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly", e);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeStorage(Storage storage) {
    try {
      storage.close();
    } catch (RuntimeException e) {
      LOG.warn("storage did not close cleanly", e);
    }
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
