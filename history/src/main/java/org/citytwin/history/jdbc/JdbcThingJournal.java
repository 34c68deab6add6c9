package org.citytwin.history.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.citytwin.history.HistoryUnavailableException;
import org.citytwin.twin.ThingChange;
import org.citytwin.twin.ThingChanges;
import org.citytwin.twin.ThingJournal;
import org.citytwin.twin.Twin;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.json.JsonArray;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.things.model.ThingId;

/**
 * The twin journal in plain SQL that DuckDB and PostgreSQL both run: {@code thing_journal_change}
 * (one row per change: its sequence number and the change as one line of JSON, {@code [sequence,
 * thingId, revision, kind, path, timestamp in µs, value]}), {@code thing_snapshot} (one row per
 * thing) and {@code thing_snapshot_meta} (the sequence the snapshot covers). Only bulk row writing
 * differs between the databases.
 *
 * <p>Why one text column rather than a column per field: the journal is only ever read whole, at
 * recovery, and each extra column cost DuckDB's appender about 0.3 µs per change, at a few hundred
 * thousand changes a second. Why a row per change rather than one row per commit: DuckDB rewrites
 * the last row group at every checkpoint, and with a few large rows that group held the whole
 * journal, so each checkpoint got slower as the journal grew.
 *
 * <p>Appends and snapshots each have a connection of their own, so that a snapshot (tens of
 * milliseconds for a few thousand twins, seconds for a district) never holds up the appends every
 * change waits for: at 20,000 readings a second snapshots come every 5 s, and readings that arrived
 * during one were the slowest to reach subscribers. A snapshot replaces the previous one and drops
 * the journal rows it covers in one transaction, so recovery always finds a snapshot and the
 * journal rows after it, never a gap; the rows it drops are older than any being appended, so the
 * two transactions touch no row in common.
 */
public abstract class JdbcThingJournal implements ThingJournal {

  /** One journal row: a change's sequence number and its JSON line. */
  protected record JournalRow(long sequence, String change) {}

  /** One snapshot row. */
  protected record SnapshotRow(
      String thingId, long revision, long createdMicros, long modifiedMicros, String thing) {}

  public static final List<String> SCHEMA =
      List.of(
          """
          CREATE TABLE IF NOT EXISTS thing_journal_change (
            sequence BIGINT  NOT NULL,
            change   VARCHAR NOT NULL
          )""",
          """
          CREATE TABLE IF NOT EXISTS thing_snapshot (
            thing_id    VARCHAR NOT NULL,
            revision    BIGINT  NOT NULL,
            created_us  BIGINT  NOT NULL,
            modified_us BIGINT  NOT NULL,
            thing       VARCHAR NOT NULL
          )""",
          "CREATE TABLE IF NOT EXISTS thing_snapshot_meta (covered_sequence BIGINT NOT NULL)");

  private final Connection connection;
  private final Connection snapshots;
  private long nextSequence;

  /**
   * @param connection appends and recovery
   * @param snapshots snapshots, one at a time (another connection to the same database)
   */
  protected JdbcThingJournal(Connection connection, Connection snapshots) throws SQLException {
    this.connection = connection;
    this.snapshots = snapshots;
    try (Statement statement = connection.createStatement()) {
      for (String ddl : SCHEMA) {
        statement.execute(ddl);
      }
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT greatest((SELECT coalesce(max(sequence), 0) FROM thing_journal_change),"
                  + " (SELECT coalesce(max(covered_sequence), 0) FROM thing_snapshot_meta))")) {
        rows.next();
        nextSequence = rows.getLong(1) + 1;
      }
    }
  }

  /** The connection appends and recovery use. */
  protected final Connection connection() {
    return connection;
  }

  /**
   * Lets the journal go on after {@code sequence}: for a subclass that keeps journal rows in tables
   * of its own as well, found after this constructor ran.
   */
  protected final synchronized void continueAfter(long sequence) {
    nextSequence = Math.max(nextSequence, sequence + 1);
  }

  /**
   * The relation recovery reads the journal rows from (columns {@code sequence} and {@code
   * change}): {@code thing_journal_change} unless a subclass keeps rows elsewhere too.
   */
  protected String journalRows() {
    return "thing_journal_change";
  }

  /**
   * Called once a snapshot covering {@code coveredSequence} is committed, on the snapshots'
   * connection, with no transaction open: for a subclass to let go of rows it keeps elsewhere.
   */
  protected void afterSnapshot(Connection snapshots, long coveredSequence) throws SQLException {}

  /** Snapshot rows in plain JDBC batches of 5,000, in the caller's transaction. */
  protected static void insertSnapshotInBatches(Connection connection, List<SnapshotRow> rows)
      throws SQLException {
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

  /** Writes snapshot rows on {@code connection}, in the caller's transaction. */
  protected abstract void insertSnapshot(Connection connection, List<SnapshotRow> rows)
      throws SQLException;

  /** Writes journal rows on {@code connection}, in the caller's transaction. */
  protected abstract void insertJournal(Connection connection, List<JournalRow> rows)
      throws SQLException;

  @Override
  public synchronized long append(List<ThingChange> changes) {
    if (changes.isEmpty()) {
      return nextSequence - 1;
    }
    List<JournalRow> rows = new ArrayList<>(changes.size());
    long sequence = nextSequence;
    StringBuilder line = new StringBuilder(256);
    for (ThingChange change : changes) {
      line.setLength(0);
      appendLine(line, sequence, change);
      rows.add(new JournalRow(sequence++, line.toString()));
    }
    try {
      connection.setAutoCommit(false);
      insertJournal(connection, rows);
      connection.commit();
      nextSequence = sequence;
      return sequence - 1;
    } catch (SQLException e) {
      rollback();
      throw new HistoryUnavailableException(
          "cannot journal " + changes.size() + " twin changes", e);
    }
  }

  private static void appendLine(StringBuilder text, long sequence, ThingChange change) {
    text.append('[').append(sequence).append(',');
    TwinProtocol.appendJsonString(text, change.thingId().toString());
    text.append(',').append(change.revision()).append(",\"").append(change.kind().name());
    text.append("\",");
    TwinProtocol.appendJsonString(text, TwinProtocol.pointerText(change.path()));
    text.append(',').append(micros(change.timestamp())).append(',');
    // Ditto writes JSON on one line: newlines inside strings are escaped.
    text.append(change.value()).append(']');
  }

  @Override
  public synchronized Recovery recover() {
    try (Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      Map<ThingId, Twin> twins = new HashMap<>();
      // Rows become twins held as their JSON: building 200,000 Ditto things took most of a cold
      // start, and their heap was several times the text's. A twin is built when first used; the
      // rows are this journal's own rendering of things Ditto validated when they were written.
      try (ResultSet result =
          statement.executeQuery(
              "SELECT thing_id, revision, created_us, modified_us, thing FROM thing_snapshot")) {
        while (result.next()) {
          ThingId thingId = ThingId.of(result.getString(1));
          twins.put(
              thingId,
              Twin.ofJson(
                  thingId,
                  result.getString(5),
                  result.getLong(2),
                  instant(result.getLong(3)),
                  instant(result.getLong(4))));
        }
      }
      long covered = coveredSequence(statement);
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT change FROM "
                  + journalRows()
                  + " WHERE sequence > "
                  + covered
                  + " ORDER BY sequence")) {
        while (rows.next()) {
          JsonArray entry = JsonFactory.newArray(rows.getString(1));
          ThingId thingId = ThingId.of(entry.get(1).orElseThrow().asString());
          ThingChange change =
              ThingChanges.replay(
                  twins.get(thingId),
                  ThingChange.Kind.valueOf(entry.get(3).orElseThrow().asString()),
                  thingId,
                  JsonPointer.of(entry.get(4).orElseThrow().asString()),
                  entry.get(6).orElseThrow(),
                  entry.get(2).orElseThrow().asLong(),
                  instant(entry.get(5).orElseThrow().asLong()));
          if (change.kind() == ThingChange.Kind.DELETED) {
            twins.remove(thingId);
          } else {
            twins.put(thingId, change.twin());
          }
        }
      }
      return new Recovery(new ArrayList<>(twins.values()), nextSequence - 1);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot recover twins from the journal", e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The things are rendered to rows before the connection is taken: rendering a district's twins
   * takes tens of milliseconds, and appends, which wait for the connection, are what a reading
   * waits for on its way to the subscribers.
   */
  @Override
  public void snapshot(List<Twin> twins, long coveredSequence) {
    List<SnapshotRow> rows = new ArrayList<>(twins.size());
    for (Twin twin : twins) {
      Instant modified = twin.modified().orElse(Instant.EPOCH);
      rows.add(
          new SnapshotRow(
              twin.thingId().toString(),
              twin.revision(),
              micros(twin.created().orElse(modified)),
              micros(modified),
              twin.json()));
    }
    writeSnapshot(rows, coveredSequence);
  }

  private void writeSnapshot(List<SnapshotRow> rows, long coveredSequence) {
    synchronized (snapshots) {
      try (Statement statement = snapshots.createStatement()) {
        snapshots.setAutoCommit(false);
        statement.execute("DELETE FROM thing_snapshot");
        insertSnapshot(snapshots, rows);
        try (PreparedStatement drop =
            snapshots.prepareStatement("DELETE FROM thing_journal_change WHERE sequence <= ?")) {
          drop.setLong(1, coveredSequence);
          drop.executeUpdate();
        }
        statement.execute("DELETE FROM thing_snapshot_meta");
        statement.execute("INSERT INTO thing_snapshot_meta VALUES (" + coveredSequence + ")");
        snapshots.commit();
        snapshots.setAutoCommit(true);
        afterSnapshot(snapshots, coveredSequence);
      } catch (SQLException e) {
        rollback(snapshots);
        throw new HistoryUnavailableException("cannot snapshot " + rows.size() + " twins", e);
      }
    }
  }

  /** Closes the journal's connections; the journal is unusable afterwards. */
  public synchronized void close() {
    synchronized (snapshots) {
      try (Connection appends = connection;
          Connection snapshotting = snapshots) {
        // closed by the try
      } catch (SQLException e) {
        throw new HistoryUnavailableException("cannot close the twin journal", e);
      }
    }
  }

  private static long coveredSequence(Statement statement) throws SQLException {
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT coalesce(max(covered_sequence), 0) FROM thing_snapshot_meta")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private void rollback() {
    rollback(connection);
  }

  private static void rollback(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // The original failure is the one worth reporting.
    }
  }

  protected static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }
}
