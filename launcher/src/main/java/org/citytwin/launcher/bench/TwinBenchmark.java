package org.citytwin.launcher.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.citytwin.api.TwinServiceVerticle;
import org.citytwin.history.Storage;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.GeoFilter;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ThingChange;
import org.citytwin.twin.ThingChanges;
import org.citytwin.twin.ThingJournal;
import org.citytwin.twin.ThingQuery;
import org.citytwin.twin.ThingSearch;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.Twin;
import org.citytwin.twin.TwinCommandBatch;
import org.citytwin.twin.TwinProtocol;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.modify.MergeThing;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKTReader;

/**
 * The twin layer's benchmark, at the scale of one district: 170,000 managed objects in 8 categories
 * and 34,000 devices of 15 kinds. It measures heap per twin, feature-property updates per second
 * (in the store with events built, and through the twin service with the DuckDB journal and events
 * published), indexed and geo search latency for pages of 50, and cold start from snapshot plus
 * journal. Results are printed as a Markdown table.
 */
public final class TwinBenchmark {

  private static final String[][] CATEGORIES = {
    {"lamp-post", "urban", "60000"},
    {"vehicle", "traffic", "40000"},
    {"road-segment", "traffic", "25000"},
    {"waterlogging-point", "water", "20000"},
    {"river-section", "water", "8000"},
    {"bridge", "traffic", "6000"},
    {"construction-site", "construction", "6000"},
    {"drone-flight", "urban", "5000"}
  };

  private static final String[][] DEVICES = {
    {"lamp-controller", "urban", "lamp", "brightness"},
    {"gps-tracker", "traffic", "position", "speed"},
    {"waterlogging-gauge", "water", "waterlogging", "depth"},
    {"water-level-gauge", "water", "level", "level"},
    {"rain-gauge", "water", "rain", "intensity"},
    {"strain-gauge", "traffic", "strain", "strain"},
    {"tilt-sensor", "traffic", "tilt", "x"},
    {"ai-camera", "urban", "detection", "confidence"},
    {"drone-detector", "urban", "detection", "confidence"},
    {"water-quality-station", "environment", "quality", "ph"},
    {"air-noise-sensor", "environment", "air", "pm25"},
    {"manhole-cover-sensor", "urban", "sewer", "level"},
    {"smart-meter", "energy", "energy", "power"},
    {"weather-station", "emergency", "weather", "temperature"},
    {"pv-inspection", "energy", "inspection", "maxTemperatureRise"}
  };

  private static final int DEVICES_PER_KIND = 34_000 / DEVICES.length;

  /**
   * Two journal transactions' worth ({@link TwinServiceVerticle#MAX_CHANGES_PER_COMMIT} changes
   * each), so that the next one is ready while one commits, as it is under ingest, which keeps up
   * to 200,000 readings in flight; with one transaction's worth, every stage waits for the one
   * before.
   */
  private static final int BATCHES_IN_FLIGHT =
      Integer.getInteger("citytwin.bench.batches-in-flight", 80);

  private static final int BATCH_SIZE = 500;

  private static final long BATCH_WARM_UP_SECONDS = 3;

  /** The measurements besides heap, which is always taken. */
  public static final List<String> PARTS = List.of("store", "search", "service", "cold");

  private final List<String> rows = new ArrayList<>();
  private final Path workDirectory;
  private final java.util.Set<String> parts;

  /**
   * @param parts which of {@link #PARTS} to run
   */
  public TwinBenchmark(Path workDirectory, java.util.Set<String> parts) {
    this.workDirectory = workDirectory;
    this.parts = java.util.Set.copyOf(parts);
    if (!PARTS.containsAll(parts)) {
      throw new IllegalArgumentException("benchmark parts are " + PARTS + ", not " + parts);
    }
  }

  public static void main(String[] args) throws Exception {
    Path work = java.nio.file.Files.createTempDirectory("citytwin-bench");
    System.out.println(new TwinBenchmark(work, java.util.Set.copyOf(PARTS)).run());
  }

  /** Runs every measurement; returns the Markdown table of results. */
  public String run() throws Exception {
    Clock clock = Clock.systemUTC();
    // The baseline is taken before the things are built: the Ditto things are most of a twin's
    // heap, and measuring after building them counted only the store's own structures.
    long before = usedHeapAfterGc();
    List<Thing> twins = syntheticDistrict(42);
    List<ThingId> devices =
        twins.stream()
            .map(t -> t.getEntityId().orElseThrow())
            .filter(id -> id.getName().startsWith("dev-"))
            .toList();
    ThingStore store = new ThingStore(clock);
    twins.forEach(store::restore);
    twins = null;
    long after = usedHeapAfterGc();
    row(
        "twins held",
        String.format(Locale.ROOT, "%,d (%,d devices)", store.size(), devices.size()),
        "");
    row(
        "heap per twin, every thing built, indexes included",
        String.format(Locale.ROOT, "%,d bytes", (after - before) / store.size()),
        "target < 2,048");
    // The server's sweep: the first call finds every twin just used, the second releases them.
    store.releaseIdle();
    int idle = store.releaseIdle();
    long afterSweep = usedHeapAfterGc();
    row(
        "heap per twin, idle twins held as JSON, indexes included",
        String.format(Locale.ROOT, "%,d bytes", (afterSweep - before) / store.size()),
        String.format(Locale.ROOT, "target < 2,048; %,d idle; later parts run on them", idle));

    // Each part starts after a full collection, so that one part's garbage does not slow the next.
    if (parts.contains("store")) {
      usedHeapAfterGc();
      storeUpdates(store, devices);
    }
    if (parts.contains("search")) {
      usedHeapAfterGc();
      searches(store);
    }
    if (parts.contains("service")) {
      usedHeapAfterGc();
      serviceUpdates(store, devices, clock);
      // No sweep since the sweep above: what readings and their events leave behind, as a district
      // under load holds its devices.
      row(
          "heap per twin after the twin-service updates above (readings and events; no sweep since)",
          String.format(Locale.ROOT, "%,d bytes", (usedHeapAfterGc() - before) / store.size()),
          "target < 2,048");
    }
    if (parts.contains("cold")) {
      usedHeapAfterGc();
      coldStart(store, devices, clock);
    }
    return "| measurement | result | note |\n| --- | --- | --- |\n"
        + String.join("\n", rows)
        + "\n";
  }

  private void row(String what, String result, String note) {
    rows.add("| " + what + " | " + result + " | " + note + " |");
    System.err.println(what + ": " + result + " " + note);
  }

  /** Feature-property merges on two threads, each building the Ditto event a subscriber gets. */
  private void storeUpdates(ThingStore store, List<ThingId> devices) throws InterruptedException {
    TwinProtocol protocol = new TwinProtocol();
    AtomicLong updates = new AtomicLong();
    long durationNanos = TimeUnit.SECONDS.toNanos(8);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int offset = t;
      threads.add(
          new Thread(
              () -> {
                SplittableRandom random = new SplittableRandom(offset);
                long end = System.nanoTime() + durationNanos;
                long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                long done = 0;
                while (System.nanoTime() < end) {
                  ThingId id = devices.get(random.nextInt(devices.size()));
                  ThingChange change =
                      store.merge(
                          id,
                          JsonPointer.of("features/" + featureOf(id) + "/properties/value"),
                          JsonValue.of(random.nextDouble()));
                  if (protocol.eventText(change).isEmpty()) {
                    throw new IllegalStateException("no event");
                  }
                  if (System.nanoTime() > warmupEnd) {
                    done++;
                  }
                }
                updates.addAndGet(done);
              }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    row(
        "feature-property updates, store + Ditto event text, 2 threads",
        String.format(Locale.ROOT, "%,d /s", updates.get() / 5),
        "target >= 200,000");
  }

  /**
   * Merge commands through the twin service (event bus, DuckDB journal with group commit, events
   * published and received): first one Ditto Protocol text command per message, then the same
   * readings in batches of Ditto command objects, as ingest sends them.
   */
  private void serviceUpdates(ThingStore store, List<ThingId> devices, Clock clock)
      throws Exception {
    Path file = workDirectory.resolve("service.duckdb");
    try (Storage storage = Storage.openDuckDb(file)) {
      Vertx vertx = Vertx.vertx();
      try {
        TwinProtocol protocol = new TwinProtocol();
        await(
            vertx.deployVerticle(
                new TwinServiceVerticle(
                    store, storage.things(), protocol, clock, 0, Long.MAX_VALUE)));
        AtomicLong events = new AtomicLong();
        vertx
            .eventBus()
            .<org.citytwin.twin.TwinEventBatch>consumer(
                EventBusAddresses.TWIN_EVENTS,
                message -> events.addAndGet(message.body().events().size()));
        SplittableRandom random = new SplittableRandom(7);
        List<MergeThing> merges = new ArrayList<>();
        // A batch for every lane, so that no two lanes send the same one.
        int updatesSent = Math.max(20_000, BATCHES_IN_FLIGHT * BATCH_SIZE);
        for (int i = 0; i < updatesSent; i++) {
          ThingId id = devices.get(random.nextInt(devices.size()));
          Reading reading =
              new Reading(
                  id,
                  featureOf(id),
                  "value",
                  random.nextDouble(),
                  CanonicalUnit.DIMENSIONLESS,
                  Instant.now());
          merges.add(protocol.merge(id, List.of(reading)));
        }
        List<Object> texts = new ArrayList<>();
        merges.forEach(merge -> texts.add(protocol.command(merge).toString()));
        long seconds = 10;
        long textUpdates = drive(vertx, texts, 4_000, seconds, reply -> 1) / seconds;
        long textEvents = events.getAndSet(0);
        List<Object> batches = new ArrayList<>();
        for (int i = 0; i < merges.size(); i += BATCH_SIZE) {
          batches.add(
              new TwinCommandBatch(
                  List.copyOf(merges.subList(i, Math.min(merges.size(), i + BATCH_SIZE)))));
        }
        // Uncounted first: the batch path's own code is compiled in its first seconds, and the
        // figure is the service's steady rate.
        drive(
            vertx, batches, BATCHES_IN_FLIGHT, BATCH_WARM_UP_SECONDS, TwinBenchmark::acknowledged);
        events.set(0);
        long batchUpdates =
            drive(vertx, batches, BATCHES_IN_FLIGHT, seconds, TwinBenchmark::acknowledged)
                / seconds;
        long batchEvents = events.get();
        row(
            "feature-property updates, twin service, one Ditto Protocol text command per message",
            String.format(Locale.ROOT, "%,d /s (%,d events received)", textUpdates, textEvents),
            "4,000 commands in flight; DuckDB journal; events published");
        row(
            "feature-property updates, twin service, batches of " + BATCH_SIZE + " Ditto commands",
            String.format(
                Locale.ROOT,
                "%,d /s (%,d events received); %.1f x the text path",
                batchUpdates,
                batchEvents,
                (double) batchUpdates / textUpdates),
            "target >= 200,000; "
                + BATCHES_IN_FLIGHT
                + " batches in flight after "
                + BATCH_WARM_UP_SECONDS
                + " s uncounted; DuckDB journal; events published");
      } finally {
        await(vertx.close());
      }
    }
  }

  private static int acknowledged(Object reply) {
    return (int)
        ((TwinCommandBatch.Outcomes) reply)
            .outcomes().stream().filter(TwinCommandBatch.Outcome::succeeded).count();
  }

  /**
   * Sends {@code messages} round robin to the twin service for {@code seconds}, keeping {@code
   * inFlight} requests outstanding; returns the updates the replies acknowledged.
   */
  private static long drive(
      Vertx vertx,
      List<Object> messages,
      int inFlight,
      long seconds,
      ToIntFunction<Object> updatesIn)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong updates = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(inFlight);
    for (int lane = 0; lane < inFlight; lane++) {
      int start = lane;
      vertx.runOnContext(
          v -> sendNext(vertx, messages, start, inFlight, end, updates, updatesIn, finished));
    }
    finished.await(seconds + 30, TimeUnit.SECONDS);
    return updates.get();
  }

  private static void sendNext(
      Vertx vertx,
      List<Object> messages,
      int index,
      int stride,
      long end,
      AtomicLong updates,
      ToIntFunction<Object> updatesIn,
      CountDownLatch finished) {
    if (System.nanoTime() > end) {
      finished.countDown();
      return;
    }
    vertx
        .eventBus()
        .request(EventBusAddresses.TWIN_COMMANDS, messages.get(index % messages.size()))
        .onComplete(
            reply -> {
              if (reply.succeeded()) {
                updates.addAndGet(updatesIn.applyAsInt(reply.result().body()));
              }
              sendNext(vertx, messages, index + stride, stride, end, updates, updatesIn, finished);
            });
  }

  private void searches(ThingStore store) throws Exception {
    ThingSearch search = new ThingSearch(store);
    GeometryFactory wgs84 = new GeometryFactory();
    WKTReader wkt = new WKTReader(wgs84);
    measure(
        search,
        "RQL on indexed definition and grid, page of 50",
        () ->
            ThingQuery.parse(
                "and(eq(definition,\"citytwin:lamp-post:1.0.0\"),eq(attributes/hierarchy/grid,\"grid-0042\"))",
                null,
                "size(50)",
                Optional.empty()));
    measure(
        search,
        "RQL on indexed street + numeric range, page of 50, sorted",
        () ->
            ThingQuery.parse(
                "and(eq(attributes/hierarchy/street,\"street-03\"),gt(attributes/rank,500))",
                null,
                "size(50),sort(-attributes/rank)",
                Optional.empty()));
    measure(
        search,
        "RQL numeric range alone (1 % of twins), page of 50",
        () -> ThingQuery.parse("gt(attributes/rank,989)", null, "size(50)", Optional.empty()));
    measure(
        search,
        "geo within a 500 m square + RQL, page of 50",
        () -> {
          try {
            return ThingQuery.parse(
                "eq(attributes/category,\"lamp-post\")",
                null,
                "size(50)",
                Optional.of(
                    GeoFilter.within(
                        wkt.read(
                            "POLYGON((120.150 30.310, 120.155 30.310, 120.155 30.3145, 120.150 30.3145, 120.150 30.310))"))));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    measure(
        search,
        "geo near a point (300 m), page of 50",
        () ->
            ThingQuery.parse(
                null,
                null,
                "size(50)",
                Optional.of(GeoFilter.near(new WgsPoint(120.142, 30.318), 300, wgs84))));
    measure(
        search,
        "namespace + unindexed attribute (scans the namespace), page of 50",
        () ->
            ThingQuery.parse(
                "like(attributes/name,\"Bridge 1*\")", "traffic", "size(50)", Optional.empty()));
  }

  private void measure(ThingSearch search, String what, Supplier<ThingQuery> query) {
    long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    for (int i = 0; i < 200 && System.nanoTime() < warmupEnd; i++) {
      search.search(query.get());
    }
    // Up to 1,000 runs, or as many as fit in 10 s for a search that scans.
    long[] measured = new long[1_000];
    int runs = 0;
    int hits = 0;
    long budgetEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (runs < measured.length && (runs < 50 || System.nanoTime() < budgetEnd)) {
      long start = System.nanoTime();
      hits = search.search(query.get()).items().size();
      measured[runs++] = System.nanoTime() - start;
    }
    long[] nanos = Arrays.copyOf(measured, runs);
    Arrays.sort(nanos);
    row(
        "search: " + what,
        String.format(
            Locale.ROOT,
            "p50 %.2f ms, p99 %.2f ms (%d hits)",
            nanos[runs / 2] / 1e6,
            nanos[runs * 99 / 100] / 1e6,
            hits),
        "target p99 < 10 ms");
  }

  /** Snapshot the district, journal 100,000 changes after it, then recover into a new store. */
  private void coldStart(ThingStore store, List<ThingId> devices, Clock clock)
      throws InterruptedException {
    Path file = workDirectory.resolve("cold.duckdb");
    List<Twin> all = store.twins();
    try (Storage storage = Storage.openDuckDb(file)) {
      ThingJournal journal = storage.things();
      long snapshotStart = System.nanoTime();
      journal.snapshot(all, 0);
      row(
          "snapshot of every twin (DuckDB)",
          String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - snapshotStart) / 1e9),
          "");
      SplittableRandom random = new SplittableRandom(3);
      java.util.Map<ThingId, Twin> current = new java.util.HashMap<>();
      List<ThingChange> batch = new ArrayList<>();
      for (int i = 0; i < 100_000; i++) {
        ThingId id = devices.get(random.nextInt(devices.size()));
        Twin base = current.computeIfAbsent(id, k -> store.twin(k).orElseThrow());
        ThingChange change =
            ThingChanges.merge(
                id,
                base,
                JsonPointer.of("features/" + featureOf(id) + "/properties/value"),
                JsonValue.of(i),
                clock.instant());
        current.put(id, change.twin());
        batch.add(change);
        if (batch.size() == 10_000) {
          journal.append(batch);
          batch.clear();
        }
      }
    }
    all = null;
    long heapBefore = usedHeapAfterGc();
    long start = System.nanoTime();
    try (Storage storage = Storage.openDuckDb(file)) {
      ThingStore recovered = new ThingStore(clock);
      ThingJournal.Recovery recovery = storage.things().recover();
      recovery.twins().parallelStream().forEach(recovered::restore);
      row(
          "cold start: recover "
              + String.format(Locale.ROOT, "%,d", recovered.size())
              + " twins from snapshot + 100,000 journaled changes, indexes built",
          String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9),
          "target < 10 s");
      recovery = null;
      // A restarted server holds recovered twins, not built ones: their heap is the one it runs on.
      row(
          "heap per recovered twin, indexes included",
          String.format(
              Locale.ROOT,
              "%,d bytes",
              (usedHeapAfterGc() - heapBefore) / Math.max(1, recovered.size())),
          "target < 2,048");
    }
  }

  private static String featureOf(ThingId device) {
    return DEVICES[Integer.parseInt(device.getName().substring(4, 6))][2];
  }

  /** The district's twins, deterministic from the seed. */
  static List<Thing> syntheticDistrict(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Thing> things = new ArrayList<>(204_000);
    for (String[] category : CATEGORIES) {
      int count = Integer.parseInt(category[2]);
      for (int i = 0; i < count; i++) {
        things.add(
            twin(
                random,
                category[1] + ":" + category[0] + "-" + i,
                "citytwin:" + category[0] + ":1.0.0",
                category[0],
                i,
                null,
                null));
      }
    }
    for (int kind = 0; kind < DEVICES.length; kind++) {
      String[] device = DEVICES[kind];
      for (int i = 0; i < DEVICES_PER_KIND; i++) {
        things.add(
            twin(
                random,
                device[1] + ":" + String.format(Locale.ROOT, "dev-%02d-%05d", kind, i),
                "citytwin:" + device[0] + ":1.0.0",
                device[0],
                i,
                device[2],
                device[3]));
      }
    }
    return things;
  }

  private static Thing twin(
      SplittableRandom random,
      String id,
      String definition,
      String category,
      int number,
      String feature,
      String property) {
    WgsPoint location =
        new WgsPoint(120.10 + 0.10 * random.nextDouble(), 30.27 + 0.09 * random.nextDouble());
    int street = random.nextInt(10);
    int community = street * 10 + random.nextInt(10);
    int grid = community * 20 + random.nextInt(20);
    var builder =
        ThingsModelFactory.newThingBuilder()
            .setId(ThingId.of(id))
            .setDefinition(ThingsModelFactory.newDefinition(definition))
            .setAttribute(JsonPointer.of("location"), location.toGeoJson())
            .setAttribute(
                JsonPointer.of("hierarchy"),
                JsonFactory.newObjectBuilder()
                    .set("district", "gongshu")
                    .set("street", String.format(Locale.ROOT, "street-%02d", street))
                    .set("community", String.format(Locale.ROOT, "community-%03d", community))
                    .set("grid", String.format(Locale.ROOT, "grid-%04d", grid))
                    .build())
            .setAttribute(JsonPointer.of("category"), JsonValue.of(category))
            .setAttribute(
                JsonPointer.of("name"),
                JsonValue.of(
                    Character.toUpperCase(category.charAt(0))
                        + category.substring(1).replace('-', ' ')
                        + " "
                        + number))
            .setAttribute(JsonPointer.of("rank"), JsonValue.of(random.nextInt(1000)));
    if (feature != null) {
      builder
          .setAttribute(
              JsonPointer.of("observes"), JsonValue.of("water:waterlogging-point-" + number))
          .setFeatureProperty(feature, JsonPointer.of(property), JsonValue.of(random.nextDouble()))
          .setFeatureProperty(feature, JsonPointer.of("value"), JsonValue.of(0.0));
    }
    return builder.build();
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
