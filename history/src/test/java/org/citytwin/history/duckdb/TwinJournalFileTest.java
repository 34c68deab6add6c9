package org.citytwin.history.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.citytwin.history.HistoryUnavailableException;
import org.citytwin.history.Storage;
import org.citytwin.history.jdbc.JdbcThingJournal;
import org.citytwin.twin.ThingChange;
import org.citytwin.twin.ThingChanges;
import org.citytwin.twin.Twin;
import org.duckdb.DuckDBConnection;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's files: files from before the journal had a file of its own (opened, their journal
 * moves out whole), and the segments its changes go to.
 */
class TwinJournalFileTest {

  private static final ThingId GAUGE = ThingId.of("water:wlg-0001");
  private static final ThingId BRIDGE = ThingId.of("construction:bridge-0001");

  @TempDir Path directory;

  private final Map<ThingId, Twin> state = new HashMap<>();
  private Instant clock = Instant.parse("2026-07-14T08:00:00Z");

  @Test
  void namesTheJournalsFileAfterTheReadingsFile() {
    assertThat(TwinJournalFile.besides(Path.of("/data/history.duckdb")))
        .isEqualTo(Path.of("/data/history.twins.duckdb"));
    assertThat(TwinJournalFile.besides(Path.of("/data/store")))
        .isEqualTo(Path.of("/data/store.twins.duckdb"));
  }

  @Test
  void movesAJournalKeptBesideTheReadingsIntoItsOwnFileWithSnapshotAndChangesAfterIt()
      throws Exception {
    Path file = directory.resolve("my-history.duckdb");
    long last = writeJournalTheOldWay(file);

    try (Storage storage = Storage.openDuckDb(file)) {
      Map<ThingId, Thing> recovered = byId(storage.things().recover().twins());
      assertThat(recovered).containsOnlyKeys(GAUGE, BRIDGE);
      assertThat(recovered.get(GAUGE)).isEqualTo(state.get(GAUGE).thing());
      assertThat(recovered.get(BRIDGE)).isEqualTo(state.get(BRIDGE).thing());
      assertThat(storage.things().recover().lastSequence()).isEqualTo(last);
      assertThat(storage.things().append(List.of(merge(GAUGE, 0.4)))).isEqualTo(last + 1);
    }

    assertThat(journalTablesIn(file)).as("left in the readings' file").isEmpty();
    assertThat(journalTablesIn(TwinJournalFile.besides(file)))
        .containsExactlyInAnyOrder("thing_journal_change", "thing_snapshot", "thing_snapshot_meta");
    try (Storage reopened = Storage.openDuckDb(file)) {
      assertThat(byId(reopened.things().recover().twins()).get(GAUGE))
          .isEqualTo(state.get(GAUGE).thing());
    }
  }

  @Test
  void finishesAMoveCutShortAfterTheCopyByDroppingTheOldTables() throws Exception {
    Path file = directory.resolve("history.duckdb");
    Path beforeMove = writeJournalTheOldWayAndKeepACopy(file);
    Storage.openDuckDb(file).close();
    // The crash: the copy committed in the journal's file, the drop never reached the readings'.
    Files.copy(beforeMove, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    try (Storage storage = Storage.openDuckDb(file)) {
      assertThat(byId(storage.things().recover().twins()).get(GAUGE))
          .isEqualTo(state.get(GAUGE).thing());
    }
    assertThat(journalTablesIn(file)).isEmpty();
  }

  @Test
  void refusesToChooseBetweenTwoJournalsThatDiffer() throws Exception {
    Path file = directory.resolve("history.duckdb");
    Path beforeMove = writeJournalTheOldWayAndKeepACopy(file);
    try (Storage storage = Storage.openDuckDb(file)) {
      // A change goes to a segment, the snapshot after it to the journal's own tables.
      long changed = storage.things().append(List.of(merge(GAUGE, 0.9)));
      storage.things().snapshot(new ArrayList<>(state.values()), changed);
    }
    Files.copy(beforeMove, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> Storage.openDuckDb(file))
        .isInstanceOf(HistoryUnavailableException.class)
        .hasMessageContaining("hold a twin journal, and they differ");
    assertThat(journalTablesIn(file)).as("nothing dropped").hasSize(3);
  }

  @Test
  void changesGoToSegmentsThatSnapshotsLetGoAndRecoveryReadsWithTheOldTable() throws Exception {
    Path file = directory.resolve("history.duckdb");
    // Changes written before segments: a snapshot and two changes after it in the journal's table.
    long before = writeJournalTheOldWay(file);
    Path journalFile = TwinJournalFile.besides(file);
    try (DuckDBConnection readings = connect(file)) {
      TwinJournalFile.moveOutOf(readings, journalFile);
    }
    Path segments = TwinJournalFile.segmentsBesides(journalFile);
    long last;
    try (DuckDBConnection database = connect(journalFile)) {
      // A few changes a segment, so that these commits fill several.
      DuckDbThingJournal journal =
          new DuckDbThingJournal(database.duplicate(), database.duplicate(), segments, 600);
      assertThat(journal.recover().lastSequence()).isEqualTo(before);
      long covered = 0;
      List<Twin> asOfCovered = List.of();
      for (int commit = 0; commit < 12; commit++) {
        last = journal.append(List.of(merge(GAUGE, commit / 10.0), merge(GAUGE, commit + 0.5)));
        assertThat(last).isEqualTo(before + 2L * (commit + 1));
        if (commit == 7) {
          covered = last;
          asOfCovered = new ArrayList<>(state.values());
        }
      }
      List<Path> written = segmentFiles(segments);
      assertThat(written).as("several segments").hasSizeGreaterThan(3);

      // A snapshot as of commit 7: the segments it covers go, the later ones stay.
      journal.snapshot(asOfCovered, covered);
      List<Path> kept = segmentFiles(segments);
      assertThat(kept).isNotEmpty().hasSizeLessThan(written.size());
      assertThat(written).containsAll(kept);
      assertThat(journalRowsIn(journalFile))
          .as("the old table's changes, covered, are gone")
          .isZero();
      journal.close();
    }

    // Reopened: the snapshot, then the changes in the segments left, continuing in a new one.
    try (DuckDBConnection database = connect(journalFile)) {
      DuckDbThingJournal journal =
          new DuckDbThingJournal(database.duplicate(), database.duplicate(), segments, 600);
      Map<ThingId, Thing> recovered = byId(journal.recover().twins());
      assertThat(recovered).containsOnlyKeys(GAUGE, BRIDGE);
      assertThat(recovered.get(GAUGE)).isEqualTo(state.get(GAUGE).thing());
      assertThat(recovered.get(BRIDGE)).isEqualTo(state.get(BRIDGE).thing());
      List<Path> beforeAppend = segmentFiles(segments);
      long next = journal.append(List.of(merge(GAUGE, 9.9)));
      assertThat(next).isEqualTo(before + 25);
      assertThat(segmentFiles(segments)).hasSize(beforeAppend.size() + 1);
      assertThat(byId(journal.recover().twins()).get(GAUGE)).isEqualTo(state.get(GAUGE).thing());
      journal.close();
    }
  }

  @Test
  void namesTheSegmentsDirectoryAfterTheJournalsFile() {
    assertThat(TwinJournalFile.segmentsBesides(Path.of("/data/history.twins.duckdb")))
        .isEqualTo(Path.of("/data/history.twins.segments"));
  }

  private static DuckDBConnection connect(Path file) throws SQLException {
    return DriverManager.getConnection("jdbc:duckdb:" + file).unwrap(DuckDBConnection.class);
  }

  private static List<Path> segmentFiles(Path segments) throws java.io.IOException {
    try (var files = Files.list(segments)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".duckdb")).sorted().toList();
    }
  }

  private static long journalRowsIn(Path journalFile) throws SQLException {
    try (var connection = DriverManager.getConnection("jdbc:duckdb:" + journalFile);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM thing_journal_change")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** {@link #writeJournalTheOldWay}, then a copy of the file as it was then, returned. */
  private Path writeJournalTheOldWayAndKeepACopy(Path file) throws Exception {
    writeJournalTheOldWay(file);
    Path copy = directory.resolve("before-move.duckdb");
    Files.copy(file, copy);
    return copy;
  }

  /**
   * The journal as citytwin wrote it before segments: its changes in its own table, in the caller's
   * transaction, rows inserted one statement each.
   */
  private static final class JournalBeforeSegments extends JdbcThingJournal {

    JournalBeforeSegments(java.sql.Connection connection, java.sql.Connection snapshots)
        throws SQLException {
      super(connection, snapshots);
    }

    @Override
    protected void insertJournal(java.sql.Connection connection, List<JournalRow> rows)
        throws SQLException {
      // One statement a change: nothing about how the rows went in is kept but the rows.
      for (JournalRow row : rows) {
        try (var statement = connection.createStatement()) {
          statement.execute(
              "INSERT INTO thing_journal_change VALUES ("
                  + row.sequence()
                  + ", '"
                  + row.change().replace("'", "''")
                  + "')");
        }
      }
    }

    @Override
    protected void insertSnapshot(java.sql.Connection connection, List<SnapshotRow> rows)
        throws SQLException {
      insertSnapshotInBatches(connection, rows);
    }
  }

  /**
   * As citytwin did before the split: the journal on connections to the readings' file, its changes
   * in its own table (before segments).
   */
  private long writeJournalTheOldWay(Path file) throws SQLException {
    try (DuckDBConnection database =
        DriverManager.getConnection("jdbc:duckdb:" + file).unwrap(DuckDBConnection.class)) {
      DuckDbHistoryStore.create(database.duplicate()).close();
      JdbcThingJournal journal =
          new JournalBeforeSegments(database.duplicate(), database.duplicate());
      journal.append(List.of(put(GAUGE, "citytwin:waterlogging-gauge:1.0.0"), merge(GAUGE, 0.1)));
      long covered = journal.append(List.of(put(BRIDGE, "citytwin:bridge:1.0.0")));
      journal.snapshot(new ArrayList<>(state.values()), covered);
      long last = journal.append(List.of(merge(GAUGE, 0.2), merge(GAUGE, 0.3)));
      journal.close();
      return last;
    }
  }

  private ThingChange put(ThingId id, String definition) {
    Thing thing =
        ThingsModelFactory.newThingBuilder()
            .setId(id)
            .setDefinition(ThingsModelFactory.newDefinition(definition))
            .build();
    return track(ThingChanges.put(state.get(id), thing, clock = clock.plusMillis(1)));
  }

  private ThingChange merge(ThingId id, double depth) {
    return track(
        ThingChanges.merge(
            id,
            state.get(id),
            org.eclipse.ditto.json.JsonPointer.of("features/waterlogging/properties/depth"),
            JsonValue.of(depth),
            clock = clock.plusMillis(1)));
  }

  private ThingChange track(ThingChange change) {
    state.put(change.thingId(), change.twin());
    return change;
  }

  private static Map<ThingId, Thing> byId(List<Twin> twins) {
    return twins.stream().collect(Collectors.toMap(Twin::thingId, Twin::thing));
  }

  private static List<String> journalTablesIn(Path file) throws SQLException {
    try (var connection = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement statement = connection.createStatement();
        ResultSet tables =
            statement.executeQuery(
                "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'thing_%'")) {
      List<String> names = new ArrayList<>();
      while (tables.next()) {
        names.add(tables.getString(1));
      }
      return names;
    }
  }
}
