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
 * Embedded DuckDB: readings, dead letters and device registrations in one file, the twin journal in
 * a file of its own beside it ({@link TwinJournalFile}) with its changes in segment files ({@link
 * DuckDbThingJournal}), so that checkpoints of one never hold up commits of another. DuckDB lets
 * one process open a file for writing; within each, every store gets its own connection, so a
 * reading commit and a journal commit never wait for each other.
 */
public final class DuckDbStorage implements Storage {

  private final Path file;
  private final DuckDBConnection database;
  private final DuckDBConnection journalDatabase;
  private final DuckDbHistoryStore readings;
  private final DuckDbThingJournal things;
  private final JdbcDeadLetterStore deadLetters;
  private final JdbcDeviceRegistrationStore devices;

  private DuckDbStorage(
      Path file, DuckDBConnection database, DuckDBConnection journalDatabase, Path segments)
      throws SQLException {
    this.file = file;
    this.database = database;
    this.journalDatabase = journalDatabase;
    this.readings = DuckDbHistoryStore.create(database.duplicate());
    this.things =
        new DuckDbThingJournal(journalDatabase.duplicate(), journalDatabase.duplicate(), segments);
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
      DuckDBConnection database = connect(file);
      DuckDBConnection journalDatabase = null;
      try {
        Path journalFile = TwinJournalFile.besides(file);
        TwinJournalFile.moveOutOf(database, journalFile);
        journalDatabase = connect(journalFile);
        return new DuckDbStorage(
            file, database, journalDatabase, TwinJournalFile.segmentsBesides(journalFile));
      } catch (SQLException | RuntimeException e) {
        // Released at once: DuckDB holds a file's lock for as long as a connection is open.
        database.close();
        if (journalDatabase != null) {
          journalDatabase.close();
        }
        throw e;
      }
    } catch (SQLException | IOException e) {
      throw new HistoryUnavailableException(
          "cannot open the history file " + file + ": " + e.getMessage(), e);
    }
  }

  private static DuckDBConnection connect(Path file) throws SQLException {
    return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath())
        .unwrap(DuckDBConnection.class);
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
    return "DuckDB "
        + file.toAbsolutePath().normalize()
        + " (twin journal in "
        + TwinJournalFile.besides(file).getFileName()
        + ")";
  }

  @Override
  public void close() {
    try {
      readings.close();
      things.close();
      deadLetters.close();
      devices.close();
      database.close();
      journalDatabase.close();
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot close the history file " + file, e);
    }
  }
}
