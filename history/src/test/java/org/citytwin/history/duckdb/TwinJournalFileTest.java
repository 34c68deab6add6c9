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

/** Files from before the journal had a file of its own: opened, their journal moves out whole. */
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
      storage.things().append(List.of(merge(GAUGE, 0.9)));
    }
    Files.copy(beforeMove, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> Storage.openDuckDb(file))
        .isInstanceOf(HistoryUnavailableException.class)
        .hasMessageContaining("hold a twin journal, and they differ");
    assertThat(journalTablesIn(file)).as("nothing dropped").hasSize(3);
  }

  /** {@link #writeJournalTheOldWay}, then a copy of the file as it was then, returned. */
  private Path writeJournalTheOldWayAndKeepACopy(Path file) throws Exception {
    writeJournalTheOldWay(file);
    Path copy = directory.resolve("before-move.duckdb");
    Files.copy(file, copy);
    return copy;
  }

  /** As citytwin did before the split: the journal on connections to the readings' file. */
  private long writeJournalTheOldWay(Path file) throws SQLException {
    try (DuckDBConnection database =
        DriverManager.getConnection("jdbc:duckdb:" + file).unwrap(DuckDBConnection.class)) {
      DuckDbHistoryStore.create(database.duplicate()).close();
      DuckDbThingJournal journal =
          new DuckDbThingJournal(database.duplicate(), database.duplicate());
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
