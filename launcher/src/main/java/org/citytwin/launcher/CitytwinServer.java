package org.citytwin.launcher;

import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.citytwin.api.ApiVerticle;
import org.citytwin.api.TwinServiceVerticle;
import org.citytwin.fusion.FusionEngine;
import org.citytwin.fusion.FusionVerticle;
import org.citytwin.fusion.RuleLoader;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.history.HistoryStore;
import org.citytwin.history.HistoryVerticle;
import org.citytwin.ingest.DeviceHttpIngest;
import org.citytwin.ingest.DeviceRegistry;
import org.citytwin.ingest.IngestCounters;
import org.citytwin.ingest.ReadingPipeline;
import org.citytwin.ingest.VendorFormats;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.TwinProtocol;
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
  private final HistoryStore history;
  private final ApiVerticle api;

  private CitytwinServer(Vertx vertx, HistoryStore history, ApiVerticle api) {
    this.vertx = vertx;
    this.history = history;
    this.api = api;
  }

  /**
   * Builds and starts a server, blocking the calling thread until it listens. Call it from a plain
   * thread (a main method or a test), never from an event loop.
   *
   * @throws IllegalArgumentException if the configuration or the district files are invalid
   * @throws IllegalStateException if a part fails to start (for example, the port is taken)
   */
  public static CitytwinServer start(CitytwinConfig config, Clock clock) {
    ThingStore things = new ThingStore(clock);
    DeviceRegistry devices = new DeviceRegistry(new SecureRandom());
    ZoneIndex zones = new ZoneIndex(List.of());
    if (config.districtDir().isPresent()) {
      DistrictFiles district = DistrictFiles.read(config.districtDir().get());
      zones = ZoneIndex.fromGeoJson(district.zones());
      district.things().forEach(things::put);
      int registered = devices.importJson(district.devices());
      LOG.info(
          "district {}: {} zones, {} twins, {} devices",
          config.districtDir().get(),
          zones.all().size(),
          things.size(),
          registered);
    }
    FusionEngine fusion = new FusionEngine(zones, new RuleLoader().loadShipped(), clock);
    HistoryStore history = HistoryStore.openDuckDb(config.dataDir().resolve(HISTORY_FILE));
    Vertx vertx = Vertx.vertx();
    try {
      TwinProtocol protocol = new TwinProtocol();
      IngestCounters counters = new IngestCounters();
      DeviceHttpIngest deviceIngest =
          new DeviceHttpIngest(
              devices,
              VendorFormats.builtIn(),
              new ReadingPipeline(vertx, protocol, counters),
              counters,
              clock);
      ApiVerticle api =
          new ApiVerticle(
              new ApiVerticle.Listen(config.httpHost(), config.httpPort()),
              things,
              deviceIngest,
              counters,
              clock);
      vertx
          .deployVerticle(new HistoryVerticle(history))
          .compose(id -> vertx.deployVerticle(new TwinServiceVerticle(things, protocol)))
          .compose(id -> vertx.deployVerticle(new FusionVerticle(fusion)))
          .compose(id -> vertx.deployVerticle(api))
          .toCompletionStage()
          .toCompletableFuture()
          .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return new CitytwinServer(vertx, history, api);
    } catch (Exception e) {
      closeQuietly(vertx, history);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("citytwin did not start: " + rootMessage(e), e);
    }
  }

  /** The port the HTTP server listens on. */
  public int port() {
    return api.actualPort();
  }

  /** The Vert.x instance the server runs on, for companions such as the demo's rainstorm. */
  public Vertx vertx() {
    return vertx;
  }

  /** Stops the HTTP server and every verticle, then closes history. Blocks until done. */
  @Override
  public void close() {
    closeQuietly(vertx, history);
  }

  private static void closeQuietly(Vertx vertx, HistoryStore history) {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly", e);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      history.close();
    } catch (RuntimeException e) {
      LOG.warn("history did not close cleanly", e);
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
