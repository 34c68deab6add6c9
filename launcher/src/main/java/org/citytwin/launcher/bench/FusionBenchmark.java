package org.citytwin.launcher.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.citytwin.fusion.FusionEngine;
import org.citytwin.fusion.IncidentBook;
import org.citytwin.fusion.Observation;
import org.citytwin.fusion.PatrolTeam;
import org.citytwin.fusion.RuleLoader;
import org.citytwin.fusion.SlaPolicy;
import org.citytwin.fusion.Zone;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.sim.ZoneFeatures;
import org.citytwin.twin.AttributesText;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObjectBuilder;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;
import org.locationtech.jts.io.WKTWriter;

/**
 * Fusion's benchmark: the full shipped rule pack against a district of about 10,000 zones (the five
 * levels, 2,500 grids and 2,500 catchments, roads and embankments buffered in metres, PV farms,
 * construction sites, patrol areas) and 34,000 devices of the rules' ten kinds, fed a realistic mix
 * of readings with about 1 % over some line. It reports, on one thread (the engine is confined to
 * one event loop): readings evaluated per second, from parsed changes and from Ditto Protocol event
 * text; point-in-zone lookups per second per core; and, where the PostgreSQL given has PostGIS, the
 * same lookups answered by PostGIS, with the ratio measured in the same run.
 */
public final class FusionBenchmark {

  private static final double WEST = 120.00;
  private static final double EAST = 120.30;
  private static final double SOUTH = 30.20;
  private static final double NORTH = 30.45;

  private static final String[][] KINDS = {
    // definition, value path, share of readings in %, normal low, normal high, anomalous
    {"waterlogging-gauge", "features/waterlogging/properties/depth", "30", "0", "0.10", "0.35"},
    {"rain-gauge", "features/rain/properties/intensity", "10", "0", "8", "30"},
    {"water-level-gauge", "features/level/properties/aboveWarning", "5", "-1.5", "-0.2", "0.3"},
    {"strain-gauge", "features/strain/properties/strain", "10", "100", "600", "1300"},
    {"lamp-controller", "features/lamp/properties/fault", "15", "", "", "lamp-failure"},
    {"gps-tracker", "features/position/properties/longitude", "15", "", "", ""},
    {"ai-camera", "features/detection/properties/scene", "5", "", "", "region-intrusion"},
    {"drone-detector", "features/detection/properties/kind", "2", "", "", "region-intrusion"},
    {"pv-inspection", "features/inspection/properties/hotSpots", "1", "0", "0", "3"},
    {"water-quality-station", "features/quality/properties/ammoniaNitrogen", "7", "0.2", "1.5", "3"}
  };

  private static final int DEVICES = 34_000;

  private final int readings;
  private final Optional<String> postgresUrl;
  private final List<String> rows = new ArrayList<>();

  /**
   * @param readings how many readings to evaluate (a third more are used to warm up)
   * @param postgresUrl a PostgreSQL to compare point-in-zone lookups with, as user postgres; its
   *     PostGIS extension is created if it can be
   */
  public FusionBenchmark(int readings, Optional<String> postgresUrl) {
    this.readings = readings;
    this.postgresUrl = postgresUrl;
  }

  /** A device; its attributes as the twin service holds them for its events: their text. */
  private record Device(
      ThingId id, String definition, int kind, WgsPoint location, String attributesText) {}

  /**
   * What both halves of the fusion benchmark measure (this harness and {@link FusionJmh}): the
   * district's zones, its devices' readings in time order, and points to look up, the same for the
   * same sizes.
   *
   * @param geoJson the zones as the server imports them
   * @param zones them indexed
   * @param zonesSeconds how long indexing took
   * @param observations the readings, as the fusion verticle hands them to the engine
   * @param points longitude and latitude pairs spread over the district
   */
  public record Workload(
      JsonObject geoJson,
      ZoneIndex zones,
      double zonesSeconds,
      List<Observation> observations,
      double[][] points) {

    /** {@code observations} readings and {@code points} points, from the benchmark's one seed. */
    public static Workload generate(int observations, int points) {
      SplittableRandom random = new SplittableRandom(42);
      JsonObject geoJson = district(random);
      long zonesStart = System.nanoTime();
      ZoneIndex zones = ZoneIndex.fromGeoJson(geoJson);
      double zonesSeconds = (System.nanoTime() - zonesStart) / 1e9;
      List<Observation> stream = readings(random, devices(random), observations);
      return new Workload(geoJson, zones, zonesSeconds, stream, randomPoints(random, points));
    }

    /** A fresh engine with the shipped rule pack over these zones and their patrol teams. */
    public FusionEngine engine() {
      return FusionBenchmark.engine(zones, geoJson);
    }
  }

  /** Runs every measurement; returns the Markdown table of results. */
  public String run() throws Exception {
    int warmUp = readings / 3;
    Workload workload = Workload.generate(warmUp + readings, 1_000_000);
    ZoneIndex zones = workload.zones();
    JsonObject geoJson = workload.geoJson();
    row(
        "zones indexed (buffers in metres included)",
        String.format(Locale.ROOT, "%,d in %.1f s", zones.all().size(), workload.zonesSeconds()),
        "");
    List<Observation> stream = workload.observations();

    FusionEngine engine = engine(zones, geoJson);
    evaluate(engine, stream, 0, warmUp);
    long start = System.nanoTime();
    long touched = evaluate(engine, stream, warmUp, warmUp + readings);
    double seconds = (System.nanoTime() - start) / 1e9;
    row(
        "readings evaluated, full rule pack, parsed changes, 1 thread",
        String.format(Locale.ROOT, "%,.0f /s", readings / seconds),
        "target 200,000 /s on 2 cores; the fusion verticle's path (its reader turns the twin"
            + " service's read events into observations on another loop)");
    row(
        "incidents touched (raised or merged into) by those readings",
        String.format(
            Locale.ROOT, "%,d touches, %,d incidents open", touched, openIncidents(engine)),
        "");

    List<Observation> storm = storm(stream, warmUp + readings);
    int stormWarmUp = Math.min(warmUp, storm.size());
    FusionEngine stormy = engine(zones, geoJson);
    evaluate(stormy, storm, 0, stormWarmUp);
    long stormStart = System.nanoTime();
    long stormTouched = evaluate(stormy, storm, stormWarmUp, storm.size());
    double stormSeconds = (System.nanoTime() - stormStart) / 1e9;
    row(
        "readings evaluated in a storm, full rule pack, parsed changes, 1 thread",
        String.format(
            Locale.ROOT,
            "%,.0f /s (%,d touches, %,d incidents open)",
            (storm.size() - stormWarmUp) / stormSeconds,
            stormTouched,
            openIncidents(stormy)),
        "the waterlogging gauges' readings above, each now over the flood lines: nearly every one"
            + " confirms its catchment's open incident");

    int textCount = Math.min(readings, 500_000);
    List<String> texts = eventTexts(stream.subList(warmUp, warmUp + textCount));
    FusionEngine fresh = engine(zones, geoJson);
    evaluateTexts(fresh, texts.subList(0, Math.min(texts.size(), 100_000)));
    long textStart = System.nanoTime();
    evaluateTexts(fresh, texts);
    double textSeconds = (System.nanoTime() - textStart) / 1e9;
    row(
        "readings evaluated from Ditto Protocol event text (parse included), 1 thread",
        String.format(Locale.ROOT, "%,.0f /s", texts.size() / textSeconds),
        "what a consumer given only the text pays");

    FusionEngine piped = engine(zones, geoJson);
    evaluateTexts(piped, texts.subList(0, Math.min(texts.size(), 100_000)));
    double pipelined = pipelined(piped, texts);
    row(
        "readings evaluated from event text, read on one thread and evaluated on another",
        String.format(
            Locale.ROOT,
            "%,.0f /s (%.2fx one thread)",
            pipelined,
            pipelined / (texts.size() / textSeconds)),
        "the text read on one thread, evaluated on another");

    double[][] points = workload.points();
    double perCore = lookups(zones, points, 1);
    double twoCores = lookups(zones, points, 2);
    row(
        "point-in-zone lookups (all zones a point is in), 1 thread",
        String.format(Locale.ROOT, "%,.0f /s", perCore),
        "");
    row(
        "point-in-zone lookups, 2 threads",
        String.format(Locale.ROOT, "%,.0f /s (%.2fx)", twoCores, twoCores / perCore),
        "");
    if (postgresUrl.isPresent()) {
      postgis(zones, points, perCore);
    }
    StringBuilder table =
        new StringBuilder("| measurement | result | note |\n| --- | --- | --- |\n");
    rows.forEach(r -> table.append(r).append('\n'));
    return table.toString();
  }

  private static FusionEngine engine(ZoneIndex zones, JsonObject geoJson) {
    List<PatrolTeam> teams = PatrolTeam.fromGeoJson(geoJson);
    return new FusionEngine(
        zones,
        new IncidentBook(zones, teams, SlaPolicy.defaults()),
        new RuleLoader().loadShipped(),
        Clock.systemUTC());
  }

  private static long evaluate(FusionEngine engine, List<Observation> stream, int from, int to) {
    long touched = 0;
    for (int i = from; i < to; i++) {
      touched += engine.observe(stream.get(i)).size();
    }
    return touched;
  }

  private static void evaluateTexts(FusionEngine engine, List<String> texts) {
    for (String text : texts) {
      engine.onTwinEvent(JsonFactory.newObject(text));
    }
  }

  /**
   * Reads event text on this thread and evaluates on another, handing batches of 256 over a bounded
   * queue, as {@code TwinEventReader} hands them to the fusion verticle.
   */
  private static double pipelined(FusionEngine engine, List<String> texts) throws Exception {
    java.util.concurrent.BlockingQueue<List<Observation>> handOver =
        new java.util.concurrent.ArrayBlockingQueue<>(64);
    List<Observation> end = List.of();
    Thread evaluator =
        new Thread(
            () -> {
              try {
                for (List<Observation> batch = handOver.take();
                    batch != end;
                    batch = handOver.take()) {
                  batch.forEach(engine::observe);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Clock clock = Clock.systemUTC();
    long start = System.nanoTime();
    evaluator.start();
    List<Observation> batch = new ArrayList<>(256);
    for (String text : texts) {
      Observation.read(JsonFactory.newObject(text), clock).ifPresent(batch::add);
      if (batch.size() == 256) {
        handOver.put(batch);
        batch = new ArrayList<>(256);
      }
    }
    handOver.put(batch);
    handOver.put(end);
    evaluator.join();
    return texts.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** The events as the twin service publishes them: a merge of one property, enriched. */
  private static List<String> eventTexts(List<Observation> observations) {
    List<String> texts = new ArrayList<>(observations.size());
    long revision = 1;
    for (Observation observation : observations) {
      JsonPointer changed = leaf(observation.changes());
      JsonValue value = observation.changes().getValue(changed).orElseThrow();
      texts.add(
          JsonFactory.newObjectBuilder()
              .set(
                  "topic",
                  observation.thingId().getNamespace()
                      + "/"
                      + observation.thingId().getName()
                      + "/things/twin/events/merged")
              .set("headers", JsonFactory.newObject())
              .set("path", changed.toString())
              .set("value", value)
              .set("revision", revision++)
              .set("timestamp", observation.at().toString())
              .set(
                  "extra",
                  JsonFactory.newObjectBuilder()
                      .set("definition", observation.definition())
                      .set("attributes", observation.attributes().object())
                      .build())
              .build()
              .toString());
    }
    return texts;
  }

  private static JsonPointer leaf(org.eclipse.ditto.json.JsonObject changes) {
    JsonPointer pointer = JsonPointer.empty();
    JsonValue current = changes;
    while (current.isObject() && !current.asObject().isEmpty()) {
      var field = current.asObject().iterator().next();
      pointer = pointer.addLeaf(field.getKey());
      current = field.getValue();
    }
    return pointer;
  }

  private static double lookups(ZoneIndex zones, double[][] points, int threads)
      throws InterruptedException {
    AtomicLong found = new AtomicLong();
    for (int warm = 0; warm < 100_000; warm++) {
      zones.containing(new WgsPoint(points[warm][0], points[warm][1]));
    }
    List<Thread> workers = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int offset = t;
      Thread worker =
          new Thread(
              () -> {
                long mine = 0;
                for (int i = offset; i < points.length; i += threads) {
                  mine += zones.containing(new WgsPoint(points[i][0], points[i][1])).size();
                }
                found.addAndGet(mine);
              });
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (found.get() == 0) {
      throw new IllegalStateException("no point fell in any zone: the benchmark is broken");
    }
    return points.length / seconds;
  }

  /** The same lookups answered by PostGIS (GiST index, ST_Covers), one by one and as one join. */
  private void postgis(ZoneIndex zones, double[][] points, double jtsPerCore) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", "postgres");
    properties.setProperty("socketTimeout", "600");
    String schema = "citytwin_fusion_bench_" + ProcessHandle.current().pid();
    try (Connection db = DriverManager.getConnection(postgresUrl.get(), properties);
        Statement sql = db.createStatement()) {
      try {
        sql.execute("CREATE EXTENSION IF NOT EXISTS postgis");
      } catch (SQLException e) {
        row("PostGIS comparison", "skipped: " + e.getMessage().lines().findFirst().orElse(""), "");
        return;
      }
      sql.execute("CREATE SCHEMA " + schema);
      try {
        sql.execute(
            "CREATE TABLE "
                + schema
                + ".zones (id text PRIMARY KEY, type text, geom geometry(Geometry, 4326))");
        WKTWriter wkt = new WKTWriter();
        try (PreparedStatement insert =
            db.prepareStatement(
                "INSERT INTO " + schema + ".zones VALUES (?, ?, ST_GeomFromText(?, 4326))")) {
          for (Zone zone : zones.all()) {
            insert.setString(1, zone.id());
            insert.setString(2, zone.type());
            insert.setString(3, wkt.write(zone.geometry()));
            insert.addBatch();
          }
          insert.executeBatch();
        }
        sql.execute("CREATE INDEX ON " + schema + ".zones USING gist (geom)");
        sql.execute("ANALYZE " + schema + ".zones");
        int sample = 20_000;
        int[] postgisCounts = new int[sample];
        long start = System.nanoTime();
        try (PreparedStatement lookup =
            db.prepareStatement(
                "SELECT count(*) FROM "
                    + schema
                    + ".zones WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(?, ?), 4326))")) {
          for (int i = 0; i < sample; i++) {
            lookup.setDouble(1, points[i][0]);
            lookup.setDouble(2, points[i][1]);
            try (ResultSet result = lookup.executeQuery()) {
              result.next();
              postgisCounts[i] = result.getInt(1);
            }
          }
        }
        double oneByOne = sample / ((System.nanoTime() - start) / 1e9);
        // Compared after the clock stops, so PostGIS's rate does not carry JTS's lookups.
        long mismatches = 0;
        for (int i = 0; i < sample; i++) {
          int jtsCount =
              zones.containing(new WgsPoint(points[i][0], points[i][1])).values().stream()
                  .mapToInt(List::size)
                  .sum();
          if (postgisCounts[i] != jtsCount) {
            mismatches++;
          }
        }
        int batch = 200_000;
        Double[] longitudes = new Double[batch];
        Double[] latitudes = new Double[batch];
        for (int i = 0; i < batch; i++) {
          longitudes[i] = points[i][0];
          latitudes[i] = points[i][1];
        }
        long joinStart = System.nanoTime();
        try (PreparedStatement join =
            db.prepareStatement(
                "SELECT count(*) FROM unnest(?::float8[], ?::float8[]) AS p(lon, lat) JOIN "
                    + schema
                    + ".zones z ON ST_Covers(z.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))")) {
          join.setArray(1, db.createArrayOf("float8", longitudes));
          join.setArray(2, db.createArrayOf("float8", latitudes));
          try (ResultSet result = join.executeQuery()) {
            result.next();
          }
        }
        double joined = batch / ((System.nanoTime() - joinStart) / 1e9);
        row(
            "PostGIS lookups, one query per point (GiST, ST_Covers)",
            String.format(
                Locale.ROOT,
                "%,.0f /s: JTS is %.0fx faster (%d of %,d answers differ)",
                oneByOne,
                jtsPerCore / oneByOne,
                mismatches,
                sample),
            "same points, same run");
        row(
            "PostGIS lookups, 200,000 points in one join",
            String.format(
                Locale.ROOT,
                "%,.0f /s: JTS on one thread is %.1fx faster",
                joined,
                jtsPerCore / joined),
            "PostGIS's best case");
      } finally {
        sql.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  private void row(String what, String result, String note) {
    rows.add("| " + what + " | " + result + " | " + note + " |");
  }

  private static boolean isMuckTruck(int device) {
    return KINDS[device % KINDS.length][0].equals("gps-tracker") && device % 3 == 0;
  }

  private static double[][] randomPoints(SplittableRandom random, int count) {
    double[][] points = new double[count][];
    for (int i = 0; i < count; i++) {
      points[i] =
          new double[] {
            WEST + (EAST - WEST) * random.nextDouble(),
            SOUTH + (NORTH - SOUTH) * random.nextDouble()
          };
    }
    return points;
  }

  private static List<Device> devices(SplittableRandom random) {
    List<Device> devices = new ArrayList<>(DEVICES);
    for (int i = 0; i < DEVICES; i++) {
      int kind = i % KINDS.length;
      WgsPoint location =
          new WgsPoint(
              WEST + (EAST - WEST) * random.nextDouble(),
              SOUTH + (NORTH - SOUTH) * random.nextDouble());
      JsonObjectBuilder attributes =
          JsonFactory.newObjectBuilder().set("location", location.toGeoJson());
      switch (KINDS[kind][0]) {
        case "strain-gauge" -> attributes.set("observes", "traffic:bridge-" + (i % 600));
        case "water-quality-station" ->
            attributes.set("observes", "water:river-section-" + (i % 800));
        case "gps-tracker" ->
            attributes
                .set("observes", "traffic:vehicle-" + i)
                .set("vehicleKind", isMuckTruck(i) ? "muck-truck" : "bus");
        default -> {}
      }
      devices.add(
          new Device(
              ThingId.of("bench", KINDS[kind][0] + "-" + i),
              "citytwin:" + KINDS[kind][0] + ":1.0.0",
              kind,
              location,
              attributes.build().toString()));
    }
    return devices;
  }

  /** Readings in time order, one every 2 ms of district time (500 a second across the devices). */
  private static List<Observation> readings(
      SplittableRandom random, List<Device> devices, int count) {
    int[] cumulative = new int[KINDS.length];
    int total = 0;
    for (int k = 0; k < KINDS.length; k++) {
      total += Integer.parseInt(KINDS[k][2]);
      cumulative[k] = total;
    }
    List<List<Device>> byKind = new ArrayList<>();
    for (int k = 0; k < KINDS.length; k++) {
      int kind = k;
      byKind.add(devices.stream().filter(d -> d.kind() == kind).toList());
    }
    Map<ThingId, double[]> vehiclePositions = new java.util.HashMap<>();
    Instant start = Instant.parse("2026-07-14T12:00:00Z");
    List<Observation> stream = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int pick = random.nextInt(total);
      int kind = 0;
      while (cumulative[kind] <= pick) {
        kind++;
      }
      String[] spec = KINDS[kind];
      List<Device> ofKind = byKind.get(kind);
      Device device = ofKind.get(random.nextInt(ofKind.size()));
      boolean anomalous = random.nextInt(100) == 0;
      Instant at = start.plus(Duration.ofMillis(2L * i));
      JsonValue value;
      WgsPoint location = device.location();
      if (spec[0].equals("gps-tracker")) {
        double[] position =
            vehiclePositions.computeIfAbsent(
                device.id(),
                id -> new double[] {device.location().longitude(), device.location().latitude()});
        position[0] =
            Math.max(WEST, Math.min(EAST, position[0] + (random.nextDouble() - 0.5) * 0.002));
        position[1] =
            Math.max(SOUTH, Math.min(NORTH, position[1] + (random.nextDouble() - 0.5) * 0.002));
        location = new WgsPoint(position[0], position[1]);
        org.eclipse.ditto.json.JsonObject changes =
            JsonFactory.newObject()
                .setValue(JsonPointer.of("features/position/properties/longitude"), position[0])
                .setValue(JsonPointer.of("features/position/properties/latitude"), position[1]);
        stream.add(
            new Observation(
                device.id(),
                device.definition(),
                Optional.of(location),
                AttributesText.ofText(device.attributesText()),
                changes,
                at));
        continue;
      }
      if (spec[3].isEmpty()) {
        value = JsonValue.of(anomalous ? spec[5] : "");
      } else {
        double low = Double.parseDouble(spec[3]);
        double high = Double.parseDouble(spec[4]);
        value =
            JsonValue.of(
                anomalous ? Double.parseDouble(spec[5]) : low + (high - low) * random.nextDouble());
      }
      stream.add(
          new Observation(
              device.id(),
              device.definition(),
              Optional.of(location),
              AttributesText.ofText(device.attributesText()),
              JsonFactory.newObject().setValue(JsonPointer.of(spec[1]), value),
              at));
    }
    return stream;
  }

  private static long openIncidents(FusionEngine engine) {
    return engine.incidents().all().stream().filter(i -> i.state().open()).count();
  }

  private static final JsonPointer DEPTH = JsonPointer.of(KINDS[0][1]);

  /**
   * {@code count} readings of the waterlogging gauges in {@code stream} (cycled), in time order,
   * each now at the anomalous depth: the peak of a storm, when the readings that reach fusion are
   * mostly evidence for incidents already open rather than readings under every line.
   */
  static List<Observation> storm(List<Observation> stream, int count) {
    List<Observation> gauges =
        stream.stream().filter(reading -> reading.changed(DEPTH).isPresent()).toList();
    JsonValue deep = JsonValue.of(Double.parseDouble(KINDS[0][5]));
    Instant start = Instant.parse("2026-07-14T12:00:00Z");
    List<Observation> storm = new ArrayList<>(count);
    for (int i = 0; i < count && !gauges.isEmpty(); i++) {
      Observation gauge = gauges.get(i % gauges.size());
      storm.add(
          new Observation(
              gauge.thingId(),
              gauge.definition(),
              gauge.location(),
              gauge.attributes(),
              JsonFactory.newObject().setValue(DEPTH, deep),
              start.plus(Duration.ofMillis(2L * i))));
    }
    return storm;
  }

  /** About 10,000 zones over a district of 29 x 28 km. */
  private static JsonObject district(SplittableRandom random) {
    JsonArray features = new JsonArray();
    features.add(box("district-1", "district", WEST, SOUTH, EAST, NORTH, new JsonObject()));
    grid(features, "street", 10, 1, new JsonObject());
    grid(features, "community", 10, 10, new JsonObject());
    grid(features, "grid", 50, 50, new JsonObject());
    grid(features, "catchment", 50, 50, new JsonObject());
    grid(features, "patrol-area", 40, 50, new JsonObject());
    for (int i = 0; i < 1_600; i++) {
      double x = WEST + (EAST - WEST) * random.nextDouble();
      double y = SOUTH + (NORTH - SOUTH) * random.nextDouble();
      boolean northward = i % 2 == 0;
      features.add(
          ZoneFeatures.line(
              "road-" + i,
              "road",
              "road-" + i,
              List.of(
                  new double[] {x, y},
                  new double[] {
                    northward ? x : Math.min(EAST, x + 0.02),
                    northward ? Math.min(NORTH, y + 0.02) : y
                  }),
              20));
    }
    for (int i = 0; i < 400; i++) {
      double x = WEST + (EAST - WEST) * random.nextDouble();
      double y = SOUTH + (NORTH - SOUTH) * random.nextDouble();
      features.add(
          ZoneFeatures.line(
              "embankment-" + i,
              "embankment",
              "embankment-" + i,
              List.of(new double[] {x, y}, new double[] {Math.min(EAST, x + 0.03), y + 0.005}),
              50));
    }
    for (int i = 0; i < 300; i++) {
      double x = WEST + (EAST - WEST - 0.01) * random.nextDouble();
      double y = SOUTH + (NORTH - SOUTH - 0.01) * random.nextDouble();
      features.add(box("pv-farm-" + i, "pv-farm", x, y, x + 0.005, y + 0.004, new JsonObject()));
    }
    for (int i = 0; i < 200; i++) {
      double x = WEST + (EAST - WEST - 0.01) * random.nextDouble();
      double y = SOUTH + (NORTH - SOUTH - 0.01) * random.nextDouble();
      // Nearly every muck truck is approved at some site: one in a hundred is not.
      JsonArray approved = new JsonArray();
      for (int vehicle = i; vehicle < DEVICES; vehicle += 200) {
        if (isMuckTruck(vehicle) && vehicle % 100 != 1) {
          approved.add("traffic:vehicle-" + vehicle);
        }
      }
      features.add(
          box(
              "site-" + i,
              "construction-site",
              x,
              y,
              x + 0.003,
              y + 0.003,
              new JsonObject()
                  .put("workingHours", "20:00-06:00")
                  .put("approvedVehicles", approved)
                  .put("enterprise", "enterprise-" + (i % 60))));
    }
    for (int i = 0; i < 40; i++) {
      features.add(
          ZoneFeatures.patrolTeam(
              "team-" + i,
              new String[] {"urban", "water", "energy", "construction"}[i % 4],
              WEST + (EAST - WEST) * random.nextDouble(),
              SOUTH + (NORTH - SOUTH) * random.nextDouble()));
    }
    return new JsonObject().put("type", "FeatureCollection").put("features", features);
  }

  private static void grid(
      JsonArray features, String type, int columns, int rows, JsonObject extra) {
    double width = (EAST - WEST) / columns;
    double height = (NORTH - SOUTH) / rows;
    for (int row = 0; row < rows; row++) {
      for (int column = 0; column < columns; column++) {
        features.add(
            box(
                type + "-" + row + "-" + column,
                type,
                WEST + column * width,
                SOUTH + row * height,
                WEST + (column + 1) * width,
                SOUTH + (row + 1) * height,
                extra));
      }
    }
  }

  private static JsonObject box(
      String id,
      String type,
      double west,
      double south,
      double east,
      double north,
      JsonObject extra) {
    return ZoneFeatures.rectangle(id, type, id, west, south, east - west, north - south, extra);
  }
}
