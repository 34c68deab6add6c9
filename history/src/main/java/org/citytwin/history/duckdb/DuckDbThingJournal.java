package org.citytwin.history.duckdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.citytwin.history.HistoryUnavailableException;
import org.citytwin.history.jdbc.JdbcThingJournal;
import org.citytwin.twin.ThingChange;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The twin journal in DuckDB, written through DuckDB's Appender, its changes in segment files that
 * are never checkpointed while they are written.
 *
 * <p>Why segments: DuckDB checkpoints a database once its write-ahead log passes {@value
 * #CHECKPOINT_THRESHOLD}, inside the commit that passed it, and every other commit of that database
 * waits meanwhile. At 20,000 readings a second the journal's log reached that every 5 s, and each
 * checkpoint held the journal's commits, and so every twin change on its way to subscribers, for
 * 100 to 370 ms. A checkpoint holds up only the database it writes, though: so changes go to a
 * segment, a database file of its own attached to the journal's, and the journal moves on to a new
 * segment after {@value #SEGMENT_BYTES} bytes of changes, before the segment's log could reach the
 * threshold. A segment is checkpointed only when it is let go: detached (on the snapshots'
 * connection) and deleted once a snapshot covers every change in it. Snapshots stay in the
 * journal's own file, whose checkpoints hold up only other snapshots.
 *
 * <p>Segments live in a directory beside the journal's file ({@code history.twins.segments/}),
 * numbered in the order they were started. At start every segment there is attached and read with
 * the journal's own table, which still holds the changes of files written before segments.
 */
final class DuckDbThingJournal extends JdbcThingJournal {

  private static final Logger LOG = LoggerFactory.getLogger(DuckDbThingJournal.class);

  /** Pinned rather than DuckDB's default, which the segment size must stay under. */
  static final String CHECKPOINT_THRESHOLD = "16MB";

  /** Changes' text a segment takes before the next starts: under half the threshold. */
  static final long SEGMENT_BYTES = 6L * 1024 * 1024;

  private static final Pattern SEGMENT_FILE = Pattern.compile("segment-(\\d{10})\\.duckdb");
  private static final String TABLE = "thing_journal_change";

  /** One segment file, attached under {@code alias}. */
  private static final class Segment {
    final long number;
    final Path file;
    final String alias;
    // Guarded by the journal's segment list.
    long lastSequence;
    long bytes;

    Segment(long number, Path file) {
      this.number = number;
      this.file = file;
      this.alias = "journal_segment_" + number;
    }
  }

  private final Path directory;
  private final long segmentBytes;
  // Oldest first; the last one is where changes go (null until the first append after a start).
  private final List<Segment> segments = new ArrayList<>();
  private Segment current;
  // Never reused, even when every segment was let go: a file that could not be deleted keeps its
  // number until the next start attaches it again.
  private long nextNumber = 1;

  DuckDbThingJournal(DuckDBConnection connection, DuckDBConnection snapshots, Path directory)
      throws SQLException {
    this(connection, snapshots, directory, SEGMENT_BYTES);
  }

  /**
   * @param directory where the segment files are
   * @param segmentBytes changes' text a segment takes before the next starts
   */
  DuckDbThingJournal(
      DuckDBConnection connection, DuckDBConnection snapshots, Path directory, long segmentBytes)
      throws SQLException {
    super(connection, snapshots);
    this.directory = directory;
    this.segmentBytes = segmentBytes;
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET checkpoint_threshold = '" + CHECKPOINT_THRESHOLD + "'");
      Files.createDirectories(directory);
      for (Segment segment : existingSegments()) {
        attach(statement, segment);
        try (ResultSet rows =
            statement.executeQuery(
                "SELECT coalesce(max(sequence), 0) FROM " + segment.alias + ".main." + TABLE)) {
          rows.next();
          segment.lastSequence = rows.getLong(1);
        }
        segments.add(segment);
        nextNumber = segment.number + 1;
        continueAfter(segment.lastSequence);
      }
    } catch (IOException e) {
      throw new HistoryUnavailableException(
          "cannot read the twin journal's segments in " + directory + ": " + e.getMessage(), e);
    }
  }

  private List<Segment> existingSegments() throws IOException {
    List<Segment> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher name = SEGMENT_FILE.matcher(file.getFileName().toString());
        if (name.matches()) {
          found.add(new Segment(Long.parseLong(name.group(1)), file));
        }
      }
    }
    found.sort((a, b) -> Long.compare(a.number, b.number));
    return found;
  }

  private static void attach(Statement statement, Segment segment) throws SQLException {
    statement.execute(TwinJournalFile.attach(segment.file, segment.alias));
    statement.execute(
        "CREATE TABLE IF NOT EXISTS "
            + segment.alias
            + ".main."
            + TABLE
            + " (sequence BIGINT NOT NULL, change VARCHAR NOT NULL)");
  }

  @Override
  public synchronized long append(List<ThingChange> changes) {
    if (changes.isEmpty()) {
      return super.append(changes);
    }
    Segment target = currentSegment();
    long last = super.append(changes);
    synchronized (segments) {
      target.lastSequence = last;
    }
    return last;
  }

  /** The segment changes go to: a new one after a start, or once the current one is full. */
  private Segment currentSegment() {
    long number;
    synchronized (segments) {
      if (current != null && current.bytes < segmentBytes) {
        return current;
      }
      number = nextNumber++;
    }
    Segment next =
        new Segment(number, directory.resolve(String.format("segment-%010d.duckdb", number)));
    try (Statement statement = connection().createStatement()) {
      connection().setAutoCommit(true);
      attach(statement, next);
    } catch (SQLException e) {
      throw new HistoryUnavailableException(
          "cannot start the twin journal segment " + next.file + ": " + e.getMessage(), e);
    }
    synchronized (segments) {
      segments.add(next);
      current = next;
    }
    return next;
  }

  @Override
  protected void insertJournal(Connection connection, List<JournalRow> rows) throws SQLException {
    Segment target;
    synchronized (segments) {
      target = current;
    }
    long bytes = 0;
    try (DuckDBAppender appender =
        connection
            .unwrap(DuckDBConnection.class)
            .createAppender(target.alias, DuckDBConnection.DEFAULT_SCHEMA, TABLE)) {
      for (JournalRow row : rows) {
        appender.beginRow().append(row.sequence()).append(row.change()).endRow();
        bytes += row.change().length() + Long.BYTES;
      }
    }
    synchronized (segments) {
      target.bytes += bytes;
    }
  }

  @Override
  protected String journalRows() {
    StringBuilder union = new StringBuilder("(SELECT sequence, change FROM ").append(TABLE);
    synchronized (segments) {
      for (Segment segment : segments) {
        union
            .append(" UNION ALL SELECT sequence, change FROM ")
            .append(segment.alias)
            .append(".main.")
            .append(TABLE);
      }
    }
    return union.append(") AS journal").toString();
  }

  /**
   * Lets go of the segments the snapshot covers, except the one changes go to: detached (DuckDB
   * checkpoints a database it detaches, on this connection, holding up nothing else) and deleted. A
   * segment that cannot be let go now is tried again after the next snapshot.
   */
  @Override
  protected void afterSnapshot(Connection snapshots, long coveredSequence) {
    List<Segment> covered = new ArrayList<>();
    synchronized (segments) {
      for (Segment segment : segments) {
        if (segment != current && segment.lastSequence <= coveredSequence) {
          covered.add(segment);
        }
      }
    }
    for (Segment segment : covered) {
      try (Statement statement = snapshots.createStatement()) {
        statement.execute("DETACH " + segment.alias);
        synchronized (segments) {
          segments.remove(segment);
        }
        Files.deleteIfExists(segment.file.resolveSibling(segment.file.getFileName() + ".wal"));
        Files.deleteIfExists(segment.file);
      } catch (SQLException | IOException e) {
        LOG.warn("twin journal segment {} kept for now: {}", segment.file, e.getMessage());
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
