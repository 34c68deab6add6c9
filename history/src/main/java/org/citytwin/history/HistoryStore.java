package org.citytwin.history;

import java.nio.file.Path;
import java.util.List;
import org.citytwin.history.duckdb.DuckDbHistoryStore;
import org.citytwin.twin.Reading;

/**
 * Durable, append-only storage of canonical readings. Implementations block on I/O: call them from
 * worker threads only (the {@link HistoryVerticle} does).
 */
public interface HistoryStore extends AutoCloseable {

  /**
   * Appends the readings in one transaction; when this returns they survive a crash.
   *
   * @throws HistoryUnavailableException if they could not be committed (nothing was appended)
   */
  void append(List<Reading> readings);

  /** The readings matching {@code query}, oldest first. */
  List<Reading> range(RangeQuery query);

  /** How many readings the store holds. */
  long count();

  @Override
  void close();

  /**
   * Opens (creating if needed) the embedded DuckDB store in {@code file}.
   *
   * @throws HistoryUnavailableException if the file cannot be opened, for example because another
   *     process holds it
   */
  static HistoryStore openDuckDb(Path file) {
    return DuckDbHistoryStore.open(file);
  }
}
