package org.citytwin.launcher.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.citytwin.history.Bucket;
import org.citytwin.history.BucketQuery;
import org.citytwin.history.HistoryStore;
import org.citytwin.history.HistoryVerticle;
import org.citytwin.history.PostgresSettings;
import org.citytwin.history.Storage;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.things.model.ThingId;

/**
 * History's benchmark: a district's gauges at 1 Hz loaded into DuckDB and PostgreSQL, measuring
 * append rows per second (in commits of {@link HistoryVerticle#MAX_ROWS_PER_COMMIT}, the history
 * verticle's group-commit bound), bytes per reading on disk, one-thing one-day bucket latency, and
 * the same range answered as JSON and as an Arrow stream. Results are printed as a Markdown table.
 */
public final class HistoryBenchmark {

  private static final Instant DAY = Instant.parse("2026-07-14T00:00:00Z");
  private static final int BUCKET_QUERIES = 300;
  private static final int ANSWER_QUERIES = 20;

  private final Path work;
  private final int devices;
  private final int hours;
  private final int summaryDays;
  private final Optional<PostgresSettings> postgres;
  private final List<String[]> rows = new ArrayList<>();

  /**
   * @param devices how many gauges report once a second
   * @param hours how many hours of their readings are loaded (from 2026-07-14 00:00 UTC)
   * @param summaryDays how many days before the loaded one to hold as minute summaries (expired
   *     days, whose samples are gone), as a year of history leaves them; 0 for none
   * @param postgres the server to measure too, in a schema of its own dropped afterwards
   */
  public HistoryBenchmark(
      Path work, int devices, int hours, int summaryDays, Optional<PostgresSettings> postgres) {
    this.work = work;
    this.devices = devices;
    this.hours = hours;
    this.summaryDays = summaryDays;
    this.postgres = postgres;
  }

  /** Runs every measurement; returns the Markdown table of results. */
  public String run() throws Exception {
    Path file = work.resolve("history.duckdb");
    long loaded;
    Storage.openDuckDb(file).close();
    long summaryBytes = 0;
    if (summaryDays > 0) {
      try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file)) {
        addSummaryDays("DuckDB", connection);
      }
      summaryBytes = Files.size(file);
    }
    try (Storage duckdb = Storage.openDuckDb(file)) {
      load("DuckDB", duckdb.readings());
      loaded = duckdb.readings().count();
    }
    // Closing checkpoints: the file then holds everything, the write-ahead log nothing.
    bytesPerReading("DuckDB", "as appended", Files.size(file) - summaryBytes, loaded);
    try (Storage duckdb = Storage.openDuckDb(file)) {
      query("DuckDB", duckdb.readings());
    }
    bytesPerReading("DuckDB", "compacted", Files.size(file) - summaryBytes, loaded);
    smallCommits("DuckDB", work.resolve("small-commits.duckdb"));
    if (postgres.isPresent()) {
      if (summaryDays > 0) {
        Storage.openPostgres(postgres.get()).close();
        try (Connection connection = postgresConnection()) {
          addSummaryDays("PostgreSQL", connection);
        }
      }
      try (Storage pg = Storage.openPostgres(postgres.get())) {
        load("PostgreSQL", pg.readings());
        try (Connection connection = postgresConnection();
            Statement sql = connection.createStatement()) {
          sql.execute("VACUUM ANALYZE");
        }
        bytesPerReading("PostgreSQL", "as appended", postgresBytes(), pg.readings().count());
        query("PostgreSQL", pg.readings());
        bytesPerReading("PostgreSQL", "compacted", postgresBytes(), pg.readings().count());
      } finally {
        dropPostgresSchema();
      }
    }
    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            Locale.ROOT,
            "Data: %,d gauges x %d h at 1 Hz = %,d readings per backend.%n%n",
            devices,
            hours,
            (long) devices * hours * 3600));
    table.append("| Backend | Measure | Result |\n|---|---|---|\n");
    for (String[] row : rows) {
      table.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    return table.toString();
  }

  /**
   * Writes minute summaries of every gauge for the {@link #summaryDays} days before the loaded one,
   * day by day in series order as compaction writes them, and records the days as expired. They are
   * what a bucket query of a summarised day searches among; the samples of other days, which such a
   * query does not read, are not loaded. Runs before the storage is opened for the load, so the
   * store reads the days as its own at its next opening.
   */
  private void addSummaryDays(String backend, Connection connection) throws Exception {
    long started = System.nanoTime();
    boolean duckdb = backend.equals("DuckDB");
    connection.setAutoCommit(false);
    try (Statement sql = connection.createStatement()) {
      for (int day = summaryDays; day >= 1; day--) {
        String minute =
            duckdb
                ? "TIMESTAMP '2026-07-14 00:00:00' - INTERVAL (%d) DAY + to_minutes(m)"
                    .formatted(day)
                : "TIMESTAMPTZ '2026-07-14 00:00:00Z' - INTERVAL '%d days' + m * INTERVAL '1 minute'"
                    .formatted(day);
        String gauges = duckdb ? "range(0, %d) AS s(s)" : "generate_series(0, %d - 1) AS s";
        String minutes = duckdb ? "range(0, 1440) AS m(m)" : "generate_series(0, 1439) AS m";
        sql.execute(
            ("INSERT INTO sample_minutes SELECT s::INTEGER, %1$s, 60, 0.0, 0.5, 15.0, 0.25, %1$s"
                    + " FROM %2$s, %3$s ORDER BY s, m")
                .formatted(minute, gauges.formatted(devices), minutes));
        sql.execute(
            "INSERT INTO minute_days VALUES (DATE '2026-07-14' - %d, false)".formatted(day));
        connection.commit();
      }
    } finally {
      connection.setAutoCommit(true);
    }
    long took = System.nanoTime() - started;
    row(
        backend,
        "minute summaries of the days before, as expired history",
        String.format(
            Locale.ROOT,
            "%d days x %,d gauges x 1,440 = %,d rows, written in %.1f s",
            summaryDays,
            devices,
            (long) summaryDays * devices * 1440,
            took / 1e9));
  }

  private void load(String backend, HistoryStore store) {
    long total = (long) devices * hours * 3600;
    long appendNanos = 0;
    List<Reading> batch = new ArrayList<>(HistoryVerticle.MAX_ROWS_PER_COMMIT);
    for (long second = 0; second < hours * 3600L; second++) {
      Instant at = DAY.plusSeconds(second);
      for (int device = 0; device < devices; device++) {
        batch.add(
            new Reading(
                gauge(device),
                "waterlogging",
                "depth",
                ((second + device) % 500) / 1000.0,
                CanonicalUnit.METRE,
                at));
        if (batch.size() == HistoryVerticle.MAX_ROWS_PER_COMMIT) {
          appendNanos += timed(store, batch);
          batch = new ArrayList<>(HistoryVerticle.MAX_ROWS_PER_COMMIT);
        }
      }
    }
    if (!batch.isEmpty()) {
      appendNanos += timed(store, batch);
    }
    row(backend, "append, commits of 50,000", perSecond(total, appendNanos) + " rows/s");
  }

  /** Rows in each commit of {@link #smallCommits}: one gateway batch of the ingest benchmarks. */
  private static final int SMALL_COMMIT_ROWS = 500;

  private static final Duration SMALL_COMMITS_WARM_UP = Duration.ofSeconds(5);
  private static final Duration SMALL_COMMITS_MEASURED = Duration.ofSeconds(10);

  /**
   * Appends commits of {@value #SMALL_COMMIT_ROWS} rows into a database of their own for a fixed
   * time: under a steady load the history verticle commits what arrived during the commit before, a
   * few hundred rows, so a commit's fixed cost matters as much as its cost per row.
   */
  private void smallCommits(String backend, Path file) {
    try (Storage storage = Storage.openDuckDb(file)) {
      long second = 0;
      long rows = 0;
      long commits = 0;
      long measuredFrom = System.nanoTime() + SMALL_COMMITS_WARM_UP.toNanos();
      long end = measuredFrom + SMALL_COMMITS_MEASURED.toNanos();
      long appendNanos = 0;
      while (System.nanoTime() < end) {
        List<Reading> batch = new ArrayList<>(SMALL_COMMIT_ROWS);
        for (int i = 0; i < SMALL_COMMIT_ROWS; i++, second++) {
          batch.add(
              new Reading(
                  gauge((int) (second % devices)),
                  "waterlogging",
                  "depth",
                  (second % 500) / 1000.0,
                  CanonicalUnit.METRE,
                  DAY.plusMillis(second)));
        }
        long took = timed(storage.readings(), batch);
        if (System.nanoTime() >= measuredFrom) {
          appendNanos += took;
          rows += SMALL_COMMIT_ROWS;
          commits++;
        }
      }
      row(
          backend,
          String.format(
              Locale.ROOT,
              "append, commits of %d (%d s after %d s of warm-up)",
              SMALL_COMMIT_ROWS,
              SMALL_COMMITS_MEASURED.toSeconds(),
              SMALL_COMMITS_WARM_UP.toSeconds()),
          String.format(
              Locale.ROOT,
              "%s rows/s, %.2f ms a commit",
              perSecond(rows, appendNanos),
              appendNanos / 1e6 / Math.max(1, commits)));
    }
  }

  private void compact(String backend, HistoryStore store) {
    long total = store.count();
    long started = System.nanoTime();
    Instant loadedDaysClosed =
        DAY.plus(Duration.ofDays(hours / 24 + 1)).plus(HistoryStore.DAY_CLOSES_AFTER);
    int days = store.compact(loadedDaysClosed);
    long took = System.nanoTime() - started;
    row(
        backend,
        "compaction of the closed days (rewrite in series order, minute summaries)",
        String.format(
            Locale.ROOT,
            "%d day(s) in %.1f s, %s rows/s",
            days,
            took / 1e9,
            perSecond(total, took)));
  }

  private void bytesPerReading(String backend, String when, long bytes, long readings) {
    row(
        backend,
        "bytes per reading on disk, indexes included: " + when,
        String.format(Locale.ROOT, "%.1f", (double) bytes / readings));
  }

  private void query(String backend, HistoryStore store) throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    long[] before = bucketLatencies(store, random.ints(BUCKET_QUERIES + 20, 0, devices).toArray());
    List<List<Bucket>> appended = sampleDays(store);
    compact(backend, store);
    int[] gauges = random.ints(BUCKET_QUERIES + 20, 0, devices).toArray();
    long[] after = bucketLatencies(store, gauges);
    // The same gauges again: the blocks the first pass loaded are in memory now.
    long[] again = bucketLatencies(store, gauges);
    if (!sameAnswers(appended, sampleDays(store))) {
      throw new IllegalStateException(
          backend + ": the compacted days' buckets differ from the appended days'");
    }
    row(
        backend,
        "one gauge, one day by minute, p50 / p99: as appended",
        millis(before[BUCKET_QUERIES / 2]) + " / " + millis(before[BUCKET_QUERIES * 99 / 100]));
    row(
        backend,
        "one gauge, one day by minute, p50 / p99: compacted and summarised",
        millis(after[BUCKET_QUERIES / 2])
            + " / "
            + millis(after[BUCKET_QUERIES * 99 / 100])
            + String.format(
                Locale.ROOT,
                " (p99 %.1fx faster)",
                (double) before[BUCKET_QUERIES * 99 / 100] / after[BUCKET_QUERIES * 99 / 100]));
    row(
        backend,
        "the same gauges again, their blocks in memory: p50 / p99",
        millis(again[BUCKET_QUERIES / 2]) + " / " + millis(again[BUCKET_QUERIES * 99 / 100]));
    answers(backend, store, random);
  }

  /** A few gauges' day by the minute, to compare before and after compaction. */
  private List<List<Bucket>> sampleDays(HistoryStore store) {
    List<List<Bucket>> days = new ArrayList<>();
    for (int device = 0; device < devices; device += Math.max(1, devices / 5)) {
      days.add(
          store.buckets(
              new BucketQuery(
                  gauge(device),
                  "waterlogging",
                  "depth",
                  DAY,
                  DAY.plus(Duration.ofDays(1)),
                  Duration.ofMinutes(1))));
    }
    return days;
  }

  private static boolean sameAnswers(List<List<Bucket>> expected, List<List<Bucket>> actual) {
    if (expected.size() != actual.size()) {
      return false;
    }
    for (int day = 0; day < expected.size(); day++) {
      List<Bucket> want = expected.get(day);
      List<Bucket> got = actual.get(day);
      if (want.size() != got.size()) {
        return false;
      }
      for (int i = 0; i < want.size(); i++) {
        Bucket a = want.get(i);
        Bucket b = got.get(i);
        if (!a.start().equals(b.start())
            || a.count() != b.count()
            || a.min() != b.min()
            || a.max() != b.max()
            || a.last() != b.last()
            || Math.abs(a.avg() - b.avg()) > 1e-9) {
          return false;
        }
      }
    }
    return true;
  }

  /** Times one bucket query per gauge of {@code gauges}, the first 20 to warm up. */
  private long[] bucketLatencies(HistoryStore store, int[] gauges) {
    // The load's garbage (tens of millions of readings) is not the queries' to collect.
    System.gc();
    long[] latencies = new long[BUCKET_QUERIES];
    for (int i = -20; i < BUCKET_QUERIES; i++) {
      BucketQuery query =
          new BucketQuery(
              gauge(gauges[i + 20]),
              "waterlogging",
              "depth",
              DAY,
              DAY.plus(Duration.ofDays(1)),
              Duration.ofMinutes(1));
      long started = System.nanoTime();
      int buckets = store.buckets(query).size();
      if (buckets != Math.min(1440, hours * 60)) {
        throw new IllegalStateException("expected a bucket per loaded minute, got " + buckets);
      }
      if (i >= 0) {
        latencies[i] = System.nanoTime() - started;
      }
    }
    Arrays.sort(latencies);
    return latencies;
  }

  /** The same raw range through the history verticle as JSON (encoded) and as an Arrow stream. */
  private void answers(String backend, HistoryStore store, SplittableRandom random)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      vertx
          .deployVerticle(new HistoryVerticle(store))
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      int rowsPerAnswer = (int) Math.min(86_400, hours * 3600L);
      long[] jsonNanos = {0};
      long[] arrowNanos = {0};
      for (int i = -5; i < ANSWER_QUERIES; i++) {
        JsonObject query =
            new JsonObject()
                .put("thingId", gauge(random.nextInt(devices)).toString())
                .put("feature", "waterlogging")
                .put("property", "depth")
                .put("from", DAY.toString())
                .put("to", DAY.plus(Duration.ofDays(1)).toString())
                .put("limit", 100_000);
        long started = System.nanoTime();
        Object json = ask(vertx, query.copy());
        String text = ((JsonObject) json).encode();
        long jsonTook = System.nanoTime() - started;
        started = System.nanoTime();
        Buffer arrow =
            (Buffer) ask(vertx, query.copy().put(EventBusAddresses.HISTORY_FORMAT, "arrow"));
        long arrowTook = System.nanoTime() - started;
        if (text.isEmpty() || arrow.length() == 0) {
          throw new IllegalStateException("empty answer");
        }
        if (i >= 0) {
          jsonNanos[0] += jsonTook;
          arrowNanos[0] += arrowTook;
        }
      }
      long answered = (long) rowsPerAnswer * ANSWER_QUERIES;
      row(
          backend,
          "range answer as JSON (read + encode)",
          perSecond(answered, jsonNanos[0]) + " rows/s");
      row(
          backend,
          "range answer as Arrow stream (read + encode)",
          perSecond(answered, arrowNanos[0])
              + String.format(
                  Locale.ROOT, " rows/s (%.1fx JSON)", (double) jsonNanos[0] / arrowNanos[0]));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Object ask(Vertx vertx, JsonObject query) throws Exception {
    return vertx
        .eventBus()
        .request(EventBusAddresses.HISTORY_RANGE, query)
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS)
        .body();
  }

  private static long timed(HistoryStore store, List<Reading> batch) {
    long started = System.nanoTime();
    store.append(batch);
    return System.nanoTime() - started;
  }

  private static ThingId gauge(int device) {
    return ThingId.of("water", String.format(Locale.ROOT, "wlg-%05d", device));
  }

  private long postgresBytes() throws Exception {
    try (Connection connection = postgresConnection();
        Statement sql = connection.createStatement();
        ResultSet size =
            sql.executeQuery(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                    + " AND (c.relname = 'series' OR c.relname LIKE 'samples\\_d%')")) {
      size.next();
      return size.getLong(1);
    }
  }

  private Connection postgresConnection() throws Exception {
    PostgresSettings settings = postgres.orElseThrow();
    java.util.Properties properties = new java.util.Properties();
    properties.setProperty("user", settings.user());
    properties.setProperty("currentSchema", settings.schema());
    return DriverManager.getConnection(settings.url(), properties);
  }

  private void dropPostgresSchema() throws Exception {
    try (Connection connection = postgresConnection();
        Statement sql = connection.createStatement()) {
      sql.execute("DROP SCHEMA IF EXISTS " + postgres.orElseThrow().schema() + " CASCADE");
    }
  }

  private void row(String backend, String measure, String result) {
    rows.add(new String[] {backend, measure, result});
    System.err.println(backend + ": " + measure + ": " + result);
  }

  private static String perSecond(long count, long nanos) {
    return String.format(Locale.ROOT, "%,.0f", count / (nanos / 1e9));
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }
}
