package org.citytwin.history.duckdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.citytwin.history.DeadLetterStore;
import org.citytwin.history.DeviceRegistrationStore;
import org.citytwin.history.HistoryStore;
import org.citytwin.history.HistoryUnavailableException;
import org.citytwin.history.Storage;
import org.citytwin.history.jdbc.JdbcDeadLetterStore;
import org.citytwin.history.jdbc.JdbcDeviceRegistrationStore;
import org.citytwin.twin.ThingJournal;
import org.duckdb.DuckDBConnection;

/**
 * One embedded DuckDB file holding readings and the twin journal. DuckDB lets one process open a
 * file for writing; within it, readings and the journal each get their own connection, so a reading
 * commit and a journal commit never wait for each other.
 */
public final class DuckDbStorage implements Storage {

  private final Path file;
  private final DuckDBConnection database;
  private final DuckDbHistoryStore readings;
  private final DuckDbThingJournal things;
  private final JdbcDeadLetterStore deadLetters;
  private final JdbcDeviceRegistrationStore devices;

  private DuckDbStorage(Path file, DuckDBConnection database) throws SQLException {
    this.file = file;
    this.database = database;
    this.readings = DuckDbHistoryStore.create(database.duplicate());
    this.things = new DuckDbThingJournal(database.duplicate(), database.duplicate());
    this.deadLetters =
        new JdbcDeadLetterStore(database.duplicate(), JdbcDeadLetterStore.DEFAULT_CAPACITY);
    this.devices = new JdbcDeviceRegistrationStore(database.duplicate());
  }

  public static DuckDbStorage open(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      DuckDBConnection database =
          DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath())
              .unwrap(DuckDBConnection.class);
      return new DuckDbStorage(file, database);
    } catch (SQLException | IOException e) {
      throw new HistoryUnavailableException(
          "cannot open the history file " + file + ": " + e.getMessage(), e);
    }
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
    return "DuckDB " + file.toAbsolutePath().normalize();
  }

  @Override
  public void close() {
    try {
      readings.close();
      things.close();
      deadLetters.close();
      devices.close();
      database.close();
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot close the history file " + file, e);
    }
  }
}
