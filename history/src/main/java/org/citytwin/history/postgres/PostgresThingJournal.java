package org.citytwin.history.postgres;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.citytwin.history.jdbc.JdbcThingJournal;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/** The twin journal in PostgreSQL: changes written with COPY, snapshots in JDBC batches. */
final class PostgresThingJournal extends JdbcThingJournal {

  PostgresThingJournal(Connection connection, Connection snapshots) throws SQLException {
    super(connection, snapshots);
  }

  @Override
  protected void insertJournal(Connection connection, List<JournalRow> rows) throws SQLException {
    // COPY is several times faster than batched inserts. In its text format a backslash escapes,
    // so the JSON's own backslashes are doubled; JSON text has no raw tabs or newlines.
    StringBuilder copy = new StringBuilder(rows.size() * 160);
    for (JournalRow row : rows) {
      copy.append(row.sequence())
          .append('\t')
          .append(row.change().replace("\\", "\\\\"))
          .append('\n');
    }
    try {
      new CopyManager(connection.unwrap(BaseConnection.class))
          .copyIn(
              "COPY thing_journal_change (sequence, change) FROM STDIN",
              new StringReader(copy.toString()));
    } catch (IOException e) {
      throw new SQLException("cannot stream the journal rows to PostgreSQL", e);
    }
  }

  @Override
  protected void insertSnapshot(Connection connection, List<SnapshotRow> rows) throws SQLException {
    insertSnapshotInBatches(connection, rows);
  }
}
