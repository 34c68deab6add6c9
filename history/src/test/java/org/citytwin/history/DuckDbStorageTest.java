package org.citytwin.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbStorageTest extends StorageContract {

  @TempDir Path directory;

  @Override
  Storage open() {
    return Storage.openDuckDb(directory.resolve("history.duckdb"));
  }

  @Override
  Storage reopen() {
    storage.close();
    return open();
  }

  @Test
  void refusesAnUnusablePathWithAClearError() throws Exception {
    Path blocker = Files.createFile(directory.resolve("not-a-directory"));
    assertThatThrownBy(() -> Storage.openDuckDb(blocker.resolve("history.duckdb")))
        .isInstanceOf(HistoryUnavailableException.class)
        .hasMessageContaining("cannot open the history file");
  }

  @Test
  void readsAndExtendsAFileWrittenBeforeReadingsWereClassified() throws Exception {
    Path old = directory.resolve("old.duckdb");
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + old);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE readings (observed_at TIMESTAMP NOT NULL, thing_id VARCHAR NOT NULL,"
              + " feature VARCHAR NOT NULL, property VARCHAR NOT NULL, value DOUBLE NOT NULL,"
              + " unit VARCHAR NOT NULL)");
      statement.execute(
          "INSERT INTO readings VALUES (TIMESTAMP '2026-07-14 08:00:00', 'water:wlg-0001',"
              + " 'waterlogging', 'depth', 0.25, 'METRE')");
    }
    ThingId gauge = ThingId.of("water:wlg-0001");
    Instant at = Instant.parse("2026-07-14T08:00:00Z");
    Reading classified =
        new Reading(gauge, "waterlogging", "depth", 0.3, CanonicalUnit.METRE, at.plusSeconds(60))
            .classifiedAs("waterlogging-point")
            .withQuality(Set.of(QualityFlag.STUCK));
    Storage migrated = Storage.openDuckDb(old);
    try {
      migrated.readings().append(List.of(classified));
      assertThat(
              migrated
                  .readings()
                  .range(
                      new RangeQuery(gauge, "waterlogging", "depth", at, at.plusSeconds(3600), 10)))
          .containsExactly(
              new Reading(gauge, "waterlogging", "depth", 0.25, CanonicalUnit.METRE, at),
              classified);
    } finally {
      migrated.close();
    }
  }
}
