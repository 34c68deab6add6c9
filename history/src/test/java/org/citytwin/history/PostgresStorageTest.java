package org.citytwin.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.citytwin.twin.Reading;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The storage contract on the real PostgreSQL server named by {@code CITYTWIN_TEST_POSTGRES_URL}
 * (the build sets 127.0.0.1:5432/test). Each test works in a schema of its own and drops it. With
 * {@code CI=true} an unreachable server fails the tests; elsewhere it skips them.
 */
class PostgresStorageTest extends StorageContract {

  private final String schema =
      "citytwin_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  static PostgresSettings settings(String schema) {
    String url =
        System.getenv()
            .getOrDefault("CITYTWIN_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    return new PostgresSettings(
        url, System.getenv().getOrDefault("CITYTWIN_TEST_POSTGRES_USER", "postgres"), "", schema);
  }

  @Override
  Storage open() {
    try {
      return Storage.openPostgres(settings(schema));
    } catch (HistoryUnavailableException e) {
      if (!"true".equals(System.getenv("CI"))) {
        Assumptions.abort("PostgreSQL is not reachable here: " + e.getMessage());
      }
      throw e;
    }
  }

  @Override
  Storage reopen() {
    storage.close();
    return open();
  }

  private List<String> partitions() throws Exception {
    PostgresSettings settings = settings(schema);
    List<String> names = new ArrayList<>();
    try (Connection connection =
            DriverManager.getConnection(settings.url(), settings.user(), null);
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                    + " JOIN pg_class p ON p.oid = i.inhparent"
                    + " JOIN pg_namespace n ON n.oid = p.relnamespace"
                    + " WHERE n.nspname = '"
                    + schema
                    + "' AND p.relname = 'samples' ORDER BY 1")) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    return names;
  }

  @Test
  void keepsEachUtcDayInAPartitionOfItsOwnAndDropsWholeDaysOnRetention() throws Exception {
    Instant lateEvening = Instant.parse("2026-07-14T23:59:59.999999Z");
    storage
        .readings()
        .append(
            List.of(
                depth(GAUGE, lateEvening, 0.1),
                depth(GAUGE, lateEvening.plusNanos(1_000), 0.2),
                depth(GAUGE, Instant.parse("2026-07-16T12:00:00Z"), 0.3)));
    assertThat(partitions())
        .containsExactly("samples_d20260714", "samples_d20260715", "samples_d20260716");

    storage = reopen();
    storage.readings().append(List.of(depth(OTHER, Instant.parse("2026-07-16T13:00:00Z"), 0.4)));
    RetentionOutcome outcome =
        storage
            .readings()
            .retain(
                new RetentionPolicy(Duration.ofDays(1), Duration.ofDays(10)),
                Instant.parse("2026-07-17T18:00:00Z"));

    assertThat(outcome.rawRowsRemoved()).isEqualTo(2);
    assertThat(partitions()).containsExactly("samples_d20260716");
    assertThat(storage.readings().count()).isEqualTo(2);
  }

  @Test
  void movesAWideReadingsTableFromBeforeSeriesIntoSeriesAndDailyPartitions() throws Exception {
    storage.close();
    PostgresSettings settings = settings(schema);
    try (Connection connection =
            DriverManager.getConnection(settings.url(), settings.user(), null);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA " + schema + " CASCADE");
      statement.execute("CREATE SCHEMA " + schema);
      statement.execute(
          "CREATE TABLE "
              + schema
              + ".readings (observed_at timestamptz NOT NULL, thing_id text NOT NULL,"
              + " feature text NOT NULL, property text NOT NULL, value double precision NOT NULL,"
              + " unit text NOT NULL)");
      statement.execute(
          "CREATE INDEX readings_thing_time ON "
              + schema
              + ".readings (thing_id, feature, property, observed_at)");
      statement.execute(
          "INSERT INTO "
              + schema
              + ".readings VALUES ('2026-07-13T10:00:00Z', 'water:wlg-0001', 'waterlogging',"
              + " 'depth', 0.1, 'METRE'), ('2026-07-14T10:00:00Z', 'water:wlg-0001',"
              + " 'waterlogging', 'depth', 0.2, 'METRE')");
    }

    storage = open();

    assertThat(partitions()).containsExactly("samples_d20260713", "samples_d20260714");
    assertThat(
            gaugeDepths(
                Instant.parse("2026-07-01T00:00:00Z"), Instant.parse("2026-08-01T00:00:00Z"), 10))
        .containsExactly(
            depth(GAUGE, Instant.parse("2026-07-13T10:00:00Z"), 0.1),
            depth(GAUGE, Instant.parse("2026-07-14T10:00:00Z"), 0.2));
  }

  /** Runs statements in the test's schema; returns the rows of the last one, a column each. */
  private List<String> inSchema(String... statements) throws Exception {
    PostgresSettings settings = settings(schema);
    List<String> lines = new ArrayList<>();
    try (Connection connection =
            DriverManager.getConnection(settings.url(), settings.user(), null);
        Statement statement = connection.createStatement()) {
      statement.execute("SET search_path = " + schema);
      for (int i = 0; i < statements.length - 1; i++) {
        statement.execute(statements[i]);
      }
      try (ResultSet rows = statement.executeQuery(statements[statements.length - 1])) {
        while (rows.next()) {
          lines.add(rows.getString(1));
        }
      }
    }
    return lines;
  }

  /** The indexes on series and time that {@code table} carries, by name. */
  private List<String> seriesTimeIndexes(String table) throws Exception {
    return inSchema(
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = '"
            + table
            + "' AND indexdef LIKE '%(series_id, observed_at)%' ORDER BY 1");
  }

  /** The plan of a select, as run. */
  private List<String> plan(String select) throws Exception {
    // The table is tiny: the planner would read it whole. Forbidding that asks what an index
    // offers; the heap fetches then say whether the index alone answered.
    return inSchema(
        "SET enable_seqscan = off",
        "SET enable_bitmapscan = off",
        "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + select);
  }

  @Test
  void movesADatabaseFromBeforeOffTheInheritedIndexAtMaintenance() throws Exception {
    Instant dayOne = Instant.parse("2026-07-13T00:00:00Z");
    List<Reading> readings = new ArrayList<>();
    for (int minute = 0; minute < 2 * 1_440; minute += 10) {
      readings.add(depth(GAUGE, dayOne.plusSeconds(minute * 60L), minute / 1_000.0));
    }
    storage.readings().append(readings);
    storage.close();
    // The schema as it was: one index on series and time, on the parent, that each day inherits.
    inSchema(
        "DROP INDEX samples_d20260713_series_time",
        "DROP INDEX samples_d20260714_series_time",
        "CREATE INDEX samples_series_time ON samples (series_id, observed_at)",
        "SELECT 1");

    storage = open();
    Reading third = depth(GAUGE, Instant.parse("2026-07-15T06:00:00Z"), 0.5);
    storage.readings().append(List.of(third));
    assertThat(seriesTimeIndexes("samples_d20260715"))
        .as("a day created before the move inherits the index, and has no second one")
        .hasSize(1);

    storage.readings().compact(Instant.parse("2026-07-15T12:00:00Z"));

    assertThat(seriesTimeIndexes("samples")).as("the inherited index is gone").isEmpty();
    assertThat(seriesTimeIndexes("samples_d20260713"))
        .containsExactly("samples_d20260713_series_time_value");
    assertThat(seriesTimeIndexes("samples_d20260714"))
        .containsExactly("samples_d20260714_series_time_value");
    assertThat(seriesTimeIndexes("samples_d20260715"))
        .as("the open day keeps the plain key")
        .containsExactly("samples_d20260715_series_time");
    storage.readings().append(List.of(depth(GAUGE, Instant.parse("2026-07-16T06:00:00Z"), 0.6)));
    assertThat(seriesTimeIndexes("samples_d20260716"))
        .as("a day created after the move has an index of its own")
        .containsExactly("samples_d20260716_series_time");
    readings.add(third);
    assertThat(gaugeDepths(dayOne, dayOne.plus(Duration.ofDays(3)), 10_000))
        .containsExactlyElementsOf(readings);
    assertThat(
            plan(
                "SELECT observed_at, value, quality FROM samples_d20260714"
                    + " WHERE series_id = (SELECT min(series_id) FROM series) ORDER BY observed_at"))
        .as("a compacted day is read from the index alone")
        .anyMatch(
            line -> line.contains("Index Only Scan using samples_d20260714_series_time_value"))
        .anyMatch(line -> line.contains("Heap Fetches: 0"));
  }

  @Test
  void readsACompactedDayFromItsCoveringIndexAloneAndAnOpenDayThroughThePlainKey()
      throws Exception {
    Instant dayOne = Instant.parse("2026-07-13T00:00:00Z");
    List<Reading> readings = new ArrayList<>();
    for (int minute = 0; minute < 1_440; minute += 5) {
      readings.add(depth(GAUGE, dayOne.plusSeconds(minute * 60L), minute / 1_000.0));
      readings.add(depth(OTHER, dayOne.plusSeconds(minute * 60L), -minute / 1_000.0));
    }
    storage.readings().append(readings);
    String select =
        "SELECT observed_at, value, quality FROM samples_d20260713"
            + " WHERE series_id = (SELECT min(series_id) FROM series) ORDER BY observed_at";
    assertThat(seriesTimeIndexes("samples_d20260713"))
        .containsExactly("samples_d20260713_series_time");
    assertThat(plan(select))
        .anyMatch(line -> line.contains("Index Scan using samples_d20260713_series_time on"));

    assertThat(storage.readings().compact(Instant.parse("2026-07-14T12:00:00Z"))).isEqualTo(1);

    assertThat(seriesTimeIndexes("samples_d20260713"))
        .containsExactly("samples_d20260713_series_time_value");
    assertThat(plan(select))
        .anyMatch(
            line -> line.contains("Index Only Scan using samples_d20260713_series_time_value"))
        .anyMatch(line -> line.contains("Heap Fetches: 0"));
  }

  @AfterEach
  void dropSchema() throws Exception {
    PostgresSettings settings = settings(schema);
    try (Connection connection =
            DriverManager.getConnection(settings.url(), settings.user(), null);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
