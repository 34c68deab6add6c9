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
            storage
                .readings()
                .range(
                    new RangeQuery(
                        GAUGE,
                        "waterlogging",
                        "depth",
                        Instant.parse("2026-07-01T00:00:00Z"),
                        Instant.parse("2026-08-01T00:00:00Z"),
                        10)))
        .containsExactly(
            depth(GAUGE, Instant.parse("2026-07-13T10:00:00Z"), 0.1),
            depth(GAUGE, Instant.parse("2026-07-14T10:00:00Z"), 0.2));
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
