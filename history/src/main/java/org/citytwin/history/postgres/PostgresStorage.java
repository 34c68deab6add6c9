package org.citytwin.history.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.citytwin.history.DeadLetterStore;
import org.citytwin.history.DeviceRegistrationStore;
import org.citytwin.history.HistoryStore;
import org.citytwin.history.HistoryUnavailableException;
import org.citytwin.history.PostgresSettings;
import org.citytwin.history.Storage;
import org.citytwin.history.jdbc.JdbcDeadLetterStore;
import org.citytwin.history.jdbc.JdbcDeviceRegistrationStore;
import org.citytwin.twin.ThingJournal;

/**
 * Readings and the twin journal in one PostgreSQL schema. Every connection has a socket timeout
 * (pgjdbc's default of none would let a dead server hang a worker thread forever). The SQL is plain
 * PostgreSQL; TimescaleDB is not needed.
 */
public final class PostgresStorage implements Storage {

  /** Seconds a query may wait on the socket before the connection is considered dead. */
  static final int SOCKET_TIMEOUT_SECONDS = 60;

  /**
   * The same for the maintenance connection: rewriting or rolling up a closed day of a district
   * (tens of millions of rows) takes minutes, not seconds.
   */
  static final int MAINTENANCE_SOCKET_TIMEOUT_SECONDS = 3_600;

  private final PostgresSettings settings;
  private final PostgresHistoryStore readings;
  private final PostgresThingJournal things;
  private final JdbcDeadLetterStore deadLetters;
  private final JdbcDeviceRegistrationStore devices;

  private PostgresStorage(
      PostgresSettings settings,
      Connection readingsConnection,
      Connection maintenanceConnection,
      Connection journalConnection,
      Connection snapshotConnection,
      Connection deadLetterConnection,
      Connection deviceConnection)
      throws SQLException {
    this.settings = settings;
    this.readings = PostgresHistoryStore.create(readingsConnection, maintenanceConnection);
    this.things = new PostgresThingJournal(journalConnection, snapshotConnection);
    this.deadLetters =
        new JdbcDeadLetterStore(deadLetterConnection, JdbcDeadLetterStore.DEFAULT_CAPACITY);
    this.devices = new JdbcDeviceRegistrationStore(deviceConnection);
  }

  public static PostgresStorage open(PostgresSettings settings) {
    try {
      try (Connection setup = connect(settings, false, SOCKET_TIMEOUT_SECONDS);
          Statement statement = setup.createStatement()) {
        statement.execute("CREATE SCHEMA IF NOT EXISTS " + settings.schema());
      }
      return new PostgresStorage(
          settings,
          connect(settings, true, SOCKET_TIMEOUT_SECONDS),
          connect(settings, true, MAINTENANCE_SOCKET_TIMEOUT_SECONDS),
          connect(settings, true, SOCKET_TIMEOUT_SECONDS),
          // Snapshots: a district's 200,000 twins are written in seconds, not minutes.
          connect(settings, true, SOCKET_TIMEOUT_SECONDS),
          connect(settings, true, SOCKET_TIMEOUT_SECONDS),
          connect(settings, true, SOCKET_TIMEOUT_SECONDS));
    } catch (SQLException e) {
      throw new HistoryUnavailableException(
          "cannot use PostgreSQL at " + settings.url() + ": " + e.getMessage(), e);
    }
  }

  private static Connection connect(
      PostgresSettings settings, boolean inSchema, int socketTimeoutSeconds) throws SQLException {
    Properties properties = new Properties();
    if (!settings.user().isEmpty()) {
      properties.setProperty("user", settings.user());
    }
    if (!settings.password().isEmpty()) {
      properties.setProperty("password", settings.password());
    }
    properties.setProperty("socketTimeout", String.valueOf(socketTimeoutSeconds));
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("tcpKeepAlive", "true");
    properties.setProperty("reWriteBatchedInserts", "true");
    properties.setProperty("ApplicationName", "citytwin");
    if (inSchema) {
      properties.setProperty("currentSchema", settings.schema());
    }
    return DriverManager.getConnection(settings.url(), properties);
  }

  @Override
  public HistoryStore readings() {
    return readings;
  }

  @Override
  public ThingJournal things() {
    return things;
  }

  @Override
  public DeadLetterStore deadLetters() {
    return deadLetters;
  }

  @Override
  public DeviceRegistrationStore devices() {
    return devices;
  }

  @Override
  public String describe() {
    return "PostgreSQL " + settings.url() + " schema " + settings.schema();
  }

  @Override
  public void close() {
    readings.close();
    things.close();
    deadLetters.close();
    devices.close();
  }
}
