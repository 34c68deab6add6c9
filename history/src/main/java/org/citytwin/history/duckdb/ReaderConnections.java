package org.citytwin.history.duckdb;

import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import org.duckdb.DuckDBConnection;

/**
 * Connections for queries, kept for the next query instead of opened and closed each time: a DuckDB
 * connection is cheap, but at a few milliseconds per query the opening showed. A DuckDB connection
 * must not be used by two threads at once, so each query borrows one for itself.
 */
final class ReaderConnections implements AutoCloseable {

  /** Idle connections kept at most: a worker pool's worth. */
  private static final int KEPT = 8;

  private final DuckDBConnection database;
  private final ArrayBlockingQueue<DuckDBConnection> idle = new ArrayBlockingQueue<>(KEPT);

  ReaderConnections(DuckDBConnection database) {
    this.database = database;
  }

  /** A connection for one query; closing the lease hands it back. */
  Lease borrow() throws SQLException {
    DuckDBConnection connection = idle.poll();
    return new Lease(connection != null ? connection : database.duplicate());
  }

  final class Lease implements AutoCloseable {
    private final DuckDBConnection connection;

    private Lease(DuckDBConnection connection) {
      this.connection = connection;
    }

    DuckDBConnection connection() {
      return connection;
    }

    @Override
    public void close() throws SQLException {
      if (connection.getAutoCommit() && idle.offer(connection)) {
        return;
      }
      connection.close();
    }
  }

  @Override
  public void close() throws SQLException {
    for (DuckDBConnection connection = idle.poll(); connection != null; connection = idle.poll()) {
      connection.close();
    }
  }
}
