package org.citytwin.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbHistoryStoreTest {

  private static final ThingId GAUGE = ThingId.of("water", "wlg-0001");
  private static final ThingId OTHER = ThingId.of("water", "wlg-0002");
  private static final Instant T0 = Instant.parse("2026-07-14T08:00:00Z");

  @TempDir Path directory;

  private static Reading depth(ThingId thing, Instant at, double metres) {
    return new Reading(thing, "waterlogging", "depth", metres, CanonicalUnit.METRE, at);
  }

  @Test
  void returnsOneThingsPropertyInTimeOrderWithinHalfOpenRange() {
    try (HistoryStore store = HistoryStore.openDuckDb(directory.resolve("history.duckdb"))) {
      store.append(
          List.of(
              depth(GAUGE, T0.plusSeconds(20), 0.3),
              depth(GAUGE, T0, 0.1),
              depth(OTHER, T0.plusSeconds(5), 0.9),
              depth(GAUGE, T0.plusSeconds(10), 0.2),
              depth(GAUGE, T0.plusSeconds(30), 0.4)));

      List<Reading> range =
          store.range(new RangeQuery(GAUGE, "waterlogging", "depth", T0, T0.plusSeconds(30), 100));

      assertThat(range).extracting(Reading::value).containsExactly(0.1, 0.2, 0.3);
      assertThat(range.get(0)).isEqualTo(depth(GAUGE, T0, 0.1));
      assertThat(
              store.range(
                  new RangeQuery(GAUGE, "waterlogging", "depth", T0, T0.plusSeconds(60), 2)))
          .extracting(Reading::value)
          .containsExactly(0.1, 0.2);
    }
  }

  @Test
  void keepsMicrosecondTimestamps() {
    Instant precise = Instant.parse("2026-07-14T08:00:00.123456Z");
    try (HistoryStore store = HistoryStore.openDuckDb(directory.resolve("history.duckdb"))) {
      store.append(List.of(depth(GAUGE, precise, 0.1)));
      assertThat(
              store
                  .range(new RangeQuery(GAUGE, "waterlogging", "depth", T0, T0.plusSeconds(1), 1))
                  .get(0)
                  .observedAt())
          .isEqualTo(precise);
    }
  }

  @Test
  void committedReadingsSurviveReopening() {
    Path file = directory.resolve("history.duckdb");
    List<Reading> readings = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      readings.add(depth(GAUGE, T0.plusSeconds(i), i / 1000.0));
    }
    try (HistoryStore store = HistoryStore.openDuckDb(file)) {
      store.append(readings);
    }
    try (HistoryStore reopened = HistoryStore.openDuckDb(file)) {
      assertThat(reopened.count()).isEqualTo(1_000);
      assertThat(
              reopened.range(
                  new RangeQuery(
                      GAUGE, "waterlogging", "depth", T0, T0.plusSeconds(1_000), 10_000)))
          .containsExactlyElementsOf(readings);
    }
  }

  @Test
  void refusesAnUnusablePathWithAClearError() throws Exception {
    Path blocker = java.nio.file.Files.createFile(directory.resolve("not-a-directory"));
    assertThatThrownBy(() -> HistoryStore.openDuckDb(blocker.resolve("history.duckdb")))
        .isInstanceOf(HistoryUnavailableException.class)
        .hasMessageContaining("cannot open the history file");
  }

  @Test
  void rangeQueryRefusesEmptyRangesAndHugeLimits() {
    assertThatThrownBy(() -> new RangeQuery(GAUGE, "waterlogging", "depth", T0, T0, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new RangeQuery(
                    GAUGE,
                    "waterlogging",
                    "depth",
                    T0,
                    T0.plusSeconds(1),
                    RangeQuery.MAX_LIMIT + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
