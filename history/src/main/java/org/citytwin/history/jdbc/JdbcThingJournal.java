package org.citytwin.history.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;

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
 * <p>Appends and snapshots are serialised on one connection. A snapshot replaces the previous one
 * and drops the journal rows it covers in one transaction, so recovery always finds a snapshot and
 * the journal rows after it, never a gap.
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
  private long nextSequence;

  protected JdbcThingJournal(Connection connection) throws SQLException {
    this.connection = connection;
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
    TwinProtocol.appendJsonString(text, change.path().toString());
    text.append(',').append(micros(change.timestamp())).append(',');
    // Ditto writes JSON on one line: newlines inside strings are escaped.
    text.append(change.value()).append(']');
  }

  @Override
  public synchronized Recovery recover() {
    try (Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      record SnapshotRowRead(
          String thingId, long revision, long createdMicros, long modifiedMicros, String json) {}
      List<SnapshotRowRead> snapshotRows = new ArrayList<>();
      try (ResultSet result =
          statement.executeQuery(
              "SELECT thing_id, revision, created_us, modified_us, thing FROM thing_snapshot")) {
        while (result.next()) {
          snapshotRows.add(
              new SnapshotRowRead(
                  result.getString(1),
                  result.getLong(2),
                  result.getLong(3),
                  result.getLong(4),
                  result.getString(5)));
        }
      }
      // Parsing JSON into things is the bulk of a cold start: spread it over every core.
      Map<ThingId, Twin> twins =
          new java.util.concurrent.ConcurrentHashMap<>(snapshotRows.size() * 2);
      snapshotRows.parallelStream()
          .forEach(
              row -> {
                Thing thing =
                    ThingsModelFactory.newThingBuilder(JsonFactory.newObject(row.json()))
                        .setRevision(row.revision())
                        .setCreated(instant(row.createdMicros()))
                        .setModified(instant(row.modifiedMicros()))
                        .build();
                // The builder has checked the id already; checking it again cost 1 µs a thing.
                twins.put(thing.getEntityId().orElseThrow(), Twin.of(thing));
              });
      long covered = coveredSequence(statement);
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT change FROM thing_journal_change WHERE sequence > "
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
      // Replayed readings are pending writes: build the things they give, on every core too.
      List<Thing> things = twins.values().parallelStream().map(Twin::thing).toList();
      return new Recovery(new ArrayList<>(things), nextSequence - 1);
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
  public void snapshot(List<Thing> things, long coveredSequence) {
    List<SnapshotRow> rows = new ArrayList<>(things.size());
    for (Thing thing : things) {
      Instant modified = thing.getModified().orElse(Instant.EPOCH);
      rows.add(
          new SnapshotRow(
              thing.getEntityId().orElseThrow().toString(),
              ThingChanges.revisionOf(thing),
              micros(thing.getCreated().orElse(modified)),
              micros(modified),
              thing.toJson().toString()));
    }
    writeSnapshot(rows, coveredSequence);
  }

  private synchronized void writeSnapshot(List<SnapshotRow> rows, long coveredSequence) {
    try (Statement statement = connection.createStatement()) {
      connection.setAutoCommit(false);
      statement.execute("DELETE FROM thing_snapshot");
      insertSnapshot(connection, rows);
      try (PreparedStatement drop =
          connection.prepareStatement("DELETE FROM thing_journal_change WHERE sequence <= ?")) {
        drop.setLong(1, coveredSequence);
        drop.executeUpdate();
      }
      statement.execute("DELETE FROM thing_snapshot_meta");
      statement.execute("INSERT INTO thing_snapshot_meta VALUES (" + coveredSequence + ")");
      connection.commit();
    } catch (SQLException e) {
      rollback();
      throw new HistoryUnavailableException("cannot snapshot " + rows.size() + " twins", e);
    }
  }

  /** Closes the journal's connection; the journal is unusable afterwards. */
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot close the twin journal", e);
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
