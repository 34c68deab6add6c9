package org.citytwin.history.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.citytwin.history.jdbc.JdbcThingJournal;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/** The twin journal in DuckDB, written through DuckDB's Appender. */
final class DuckDbThingJournal extends JdbcThingJournal {

  DuckDbThingJournal(DuckDBConnection connection, DuckDBConnection snapshots) throws SQLException {
    super(connection, snapshots);
  }

  @Override
  protected void insertJournal(Connection connection, List<JournalRow> rows) throws SQLException {
    try (DuckDBAppender appender =
        connection
            .unwrap(DuckDBConnection.class)
            .createAppender(DuckDBConnection.DEFAULT_SCHEMA, "thing_journal_change")) {
      for (JournalRow row : rows) {
        appender.beginRow().append(row.sequence()).append(row.change()).endRow();
      }
    }
  }

  @Override
  protected void insertSnapshot(Connection connection, List<SnapshotRow> rows) throws SQLException {
    try (DuckDBAppender appender =
        connection
            .unwrap(DuckDBConnection.class)
            .createAppender(DuckDBConnection.DEFAULT_SCHEMA, "thing_snapshot")) {
      for (SnapshotRow row : rows) {
        appender
            .beginRow()
            .append(row.thingId())
            .append(row.revision())
            .append(row.createdMicros())
            .append(row.modifiedMicros())
            .append(row.thing())
            .endRow();
      }
    }
  }
}
