package org.citytwin.history.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.citytwin.history.jdbc.JdbcThingJournal;

/** The twin journal in PostgreSQL, written in JDBC batches (rewritten to multi-row inserts). */
final class PostgresThingJournal extends JdbcThingJournal {

  PostgresThingJournal(Connection connection) throws SQLException {
    super(connection);
  }

  @Override
  protected void insertJournal(Connection connection, List<JournalRow> rows) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO thing_journal VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (JournalRow row : rows) {
        insert.setLong(1, row.sequence());
        insert.setString(2, row.thingId());
        insert.setLong(3, row.revision());
        insert.setString(4, row.kind());
        insert.setString(5, row.path());
        insert.setString(6, row.value());
        insert.setLong(7, row.atMicros());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  @Override
  protected void insertSnapshot(Connection connection, List<SnapshotRow> rows) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO thing_snapshot VALUES (?, ?, ?, ?, ?)")) {
      int pending = 0;
      for (SnapshotRow row : rows) {
        insert.setString(1, row.thingId());
        insert.setLong(2, row.revision());
        insert.setLong(3, row.createdMicros());
        insert.setLong(4, row.modifiedMicros());
        insert.setString(5, row.thing());
        insert.addBatch();
        if (++pending == 5_000) {
          insert.executeBatch();
          pending = 0;
        }
      }
      insert.executeBatch();
    }
  }
}
