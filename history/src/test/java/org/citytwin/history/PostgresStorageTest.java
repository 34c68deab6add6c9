package org.citytwin.history;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;

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
