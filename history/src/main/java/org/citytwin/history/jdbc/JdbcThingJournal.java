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
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;

/**
 * The twin journal in plain SQL that DuckDB and PostgreSQL both run: {@code thing_journal} (one row
 * per change: sequence, thing, revision, kind, path, value as JSON text), {@code thing_snapshot}
 * (one row per thing) and {@code thing_snapshot_meta} (the sequence the snapshot covers). Only bulk
 * row writing differs between the databases.
 *
 * <p>Appends and snapshots are serialised on one connection. A snapshot replaces the previous one
 * and drops the journal rows it covers in one transaction, so recovery always finds a snapshot and
 * the journal rows after it, never a gap.
 */
public abstract class JdbcThingJournal implements ThingJournal {

  /** One journal row. */
  protected record JournalRow(
      long sequence,
      String thingId,
      long revision,
      String kind,
      String path,
      String value,
      long atMicros) {}

  /** One snapshot row. */
  protected record SnapshotRow(
      String thingId, long revision, long createdMicros, long modifiedMicros, String thing) {}

  public static final List<String> SCHEMA =
      List.of(
          """
          CREATE TABLE IF NOT EXISTS thing_journal (
            sequence  BIGINT  NOT NULL,
            thing_id  VARCHAR NOT NULL,
            revision  BIGINT  NOT NULL,
            kind      VARCHAR NOT NULL,
            path      VARCHAR NOT NULL,
            value     VARCHAR NOT NULL,
            at_us     BIGINT  NOT NULL
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
              "SELECT greatest((SELECT coalesce(max(sequence), 0) FROM thing_journal),"
                  + " (SELECT coalesce(max(covered_sequence), 0) FROM thing_snapshot_meta))")) {
        rows.next();
        nextSequence = rows.getLong(1) + 1;
      }
    }
  }

  /** Writes journal rows on {@code connection}, in the caller's transaction. */
  protected abstract void insertJournal(Connection connection, List<JournalRow> rows)
      throws SQLException;

  /** Writes snapshot rows on {@code connection}, in the caller's transaction. */
  protected abstract void insertSnapshot(Connection connection, List<SnapshotRow> rows)
      throws SQLException;

  @Override
  public synchronized long append(List<ThingChange> changes) {
    if (changes.isEmpty()) {
      return nextSequence - 1;
    }
    List<JournalRow> rows = new ArrayList<>(changes.size());
    long sequence = nextSequence;
    for (ThingChange change : changes) {
      rows.add(
          new JournalRow(
              sequence++,
              change.thingId().toString(),
              change.revision(),
              change.kind().name(),
              change.path().toString(),
              change.value().toString(),
              micros(change.timestamp())));
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
      Map<ThingId, Thing> things =
          new java.util.concurrent.ConcurrentHashMap<>(snapshotRows.size() * 2);
      snapshotRows.parallelStream()
          .forEach(
              row ->
                  things.put(
                      ThingId.of(row.thingId()),
                      ThingsModelFactory.newThingBuilder(JsonFactory.newObject(row.json()))
                          .setRevision(row.revision())
                          .setCreated(instant(row.createdMicros()))
                          .setModified(instant(row.modifiedMicros()))
                          .build()));
      long covered = coveredSequence(statement);
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT sequence, thing_id, revision, kind, path, value, at_us FROM thing_journal"
                  + " WHERE sequence > "
                  + covered
                  + " ORDER BY sequence")) {
        while (rows.next()) {
          ThingId thingId = ThingId.of(rows.getString(2));
          ThingChange change =
              ThingChanges.replay(
                  things.get(thingId),
                  ThingChange.Kind.valueOf(rows.getString(4)),
                  thingId,
                  JsonPointer.of(rows.getString(5)),
                  JsonFactory.readFrom(rows.getString(6)),
                  rows.getLong(3),
                  instant(rows.getLong(7)));
          if (change.kind() == ThingChange.Kind.DELETED) {
            things.remove(thingId);
          } else {
            things.put(thingId, change.thing());
          }
        }
      }
      return new Recovery(new ArrayList<>(things.values()), nextSequence - 1);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot recover twins from the journal", e);
    }
  }

  @Override
  public synchronized void snapshot(List<Thing> things, long coveredSequence) {
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
    try (Statement statement = connection.createStatement()) {
      connection.setAutoCommit(false);
      statement.execute("DELETE FROM thing_snapshot");
      insertSnapshot(connection, rows);
      try (PreparedStatement drop =
          connection.prepareStatement("DELETE FROM thing_journal WHERE sequence <= ?")) {
        drop.setLong(1, coveredSequence);
        drop.executeUpdate();
      }
      statement.execute("DELETE FROM thing_snapshot_meta");
      statement.execute("INSERT INTO thing_snapshot_meta VALUES (" + coveredSequence + ")");
      connection.commit();
    } catch (SQLException e) {
      rollback();
      throw new HistoryUnavailableException("cannot snapshot " + things.size() + " twins", e);
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
