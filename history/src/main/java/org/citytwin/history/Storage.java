package org.citytwin.history;

import java.nio.file.Path;
import org.citytwin.history.duckdb.DuckDbStorage;
import org.citytwin.history.postgres.PostgresStorage;
import org.citytwin.twin.ThingJournal;

/**
 * The database citytwin keeps what happened in: readings ({@link #readings()}), the journal of twin
 * changes ({@link #things()}), refused payloads ({@link #deadLetters()}) and device registrations
 * ({@link #devices()}), in embedded DuckDB (two files: the journal has its own) or one PostgreSQL
 * schema.
 */
public interface Storage extends AutoCloseable {

  HistoryStore readings();

  ThingJournal things();

  /** Refused payloads with their reasons, bounded. */
  DeadLetterStore deadLetters();

  /** The device registry's durable copy. */
  DeviceRegistrationStore devices();

  /** Where the data lives, for the start-up log; never includes a password. */
  String describe();

  @Override
  void close();

  /**
   * Opens (creating if needed) the embedded DuckDB database in {@code file}, with the twin journal
   * in a file beside it ({@code history.duckdb} -> {@code history.twins.duckdb}) and its changes in
   * segment files in {@code history.twins.segments/}, moving the journal there first if {@code
   * file} still holds it.
   *
   * @throws HistoryUnavailableException if it cannot be opened, for example because another process
   *     holds it
   */
  static Storage openDuckDb(Path file) {
    return DuckDbStorage.open(file);
  }

  /**
   * Connects to PostgreSQL and creates citytwin's tables in the configured schema if needed.
   *
   * @throws HistoryUnavailableException if the server cannot be reached or refuses
   */
  static Storage openPostgres(PostgresSettings settings) {
    return PostgresStorage.open(settings);
  }
}
