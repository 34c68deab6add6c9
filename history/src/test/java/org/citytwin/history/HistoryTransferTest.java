package org.citytwin.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Exports to Arrow and CSV files and imports them into another store, on real DuckDB files. */
class HistoryTransferTest {

  static final Instant T0 = Instant.parse("2026-07-14T23:58:00.000001Z");

  @TempDir Path directory;
  Storage source;
  Storage target;

  @BeforeEach
  void open() {
    source = Storage.openDuckDb(directory.resolve("source.duckdb"));
    target = Storage.openDuckDb(directory.resolve("target.duckdb"));
  }

  @AfterEach
  void close() {
    source.close();
    target.close();
  }

  /** Readings of every kind a district stores, across a UTC midnight and more than one batch. */
  static List<Reading> sample() {
    ThingId gauge = ThingId.of("water", "wlg-0001");
    ThingId drone = ThingId.of("urban", "drone-det-0002");
    List<Reading> readings = new ArrayList<>();
    for (int i = 0; i < 70_000; i++) {
      readings.add(
          new Reading(
              gauge,
              "waterlogging",
              "depth",
              i / 3.0,
              CanonicalUnit.METRE,
              T0.plusMillis(7L * i).plusNanos(1_000L * (i % 997))));
    }
    readings.add(
        new Reading(gauge, "waterlogging", "depth", 0.31, CanonicalUnit.METRE, T0.minusSeconds(1))
            .classifiedAs("waterlogging-point")
            .withQuality(Set.of(QualityFlag.SPIKE, QualityFlag.LATE)));
    readings.add(
        new Reading(
            drone,
            "detection",
            "footprint",
            JsonFactory.newObject(
                "{\"type\":\"Polygon\",\"coordinates\":[[[120.1,30.2],[120.2,30.2],[120.1,30.2]]],\"note\":\"堆土, \\\"quoted\\\"\\nline\"}"),
            T0.plusSeconds(5)));
    readings.add(new Reading(drone, "detection", "kind", JsonValue.of("muck, uncovered"), T0));
    readings.add(new Reading(drone, "detection", "alarm", JsonValue.of(true), T0.plusSeconds(9)));
    return readings;
  }

  static List<Reading> everything(HistoryStore store) {
    List<Reading> all = new ArrayList<>();
    store.export(
        new ExportQuery(
            Instant.parse("2000-01-01T00:00:00Z"),
            Instant.parse("2100-01-01T00:00:00Z"),
            Optional.empty()),
        all::addAll);
    return all;
  }

  @ParameterizedTest
  @EnumSource(HistoryFileFormat.class)
  void importsExactlyWhatItExported(HistoryFileFormat format) {
    source.readings().append(sample());
    Path file = directory.resolve("export." + format.name().toLowerCase());

    long written =
        HistoryExport.write(
            source.readings(),
            new ExportQuery(
                T0.minus(Duration.ofDays(1)), T0.plus(Duration.ofDays(1)), Optional.empty()),
            format,
            file);
    HistoryImport.Outcome outcome = HistoryImport.read(target.readings(), file, format, false);

    assertThat(written).isEqualTo(sample().size());
    assertThat(outcome.imported()).isEqualTo(written);
    assertThat(outcome.refused()).isZero();
    List<Reading> expected =
        sample().stream().sorted(Comparator.comparing(Reading::observedAt)).toList();
    assertThat(everything(target.readings())).containsExactlyElementsOf(expected);
    assertThat(directory.resolve(file.getFileName() + ".partial")).doesNotExist();
  }

  @Test
  void exportsOneThingsRangeOnly() {
    source.readings().append(sample());
    Path file = directory.resolve("drone.arrow");
    ThingId drone = ThingId.of("urban", "drone-det-0002");

    long written =
        HistoryExport.write(
            source.readings(),
            new ExportQuery(T0, T0.plusSeconds(6), Optional.of(drone)),
            HistoryFileFormat.ARROW,
            file);
    HistoryImport.read(target.readings(), file, HistoryFileFormat.ARROW, false);

    assertThat(written).isEqualTo(2);
    assertThat(everything(target.readings()))
        .extracting(Reading::property)
        .containsExactly("kind", "footprint");
  }

  @Test
  void stopsAtAnInvalidRowNamingItOrSkipsItWhenAsked() throws Exception {
    Path file = directory.resolve("bad.csv");
    Files.writeString(
        file,
        String.join(
            "\r\n",
            HistoryFileFormat.CSV_HEADER,
            "2026-07-14T08:00:00Z,water:wlg-0001,waterlogging,depth,0.1,m,,,",
            "2026-07-14T08:01:00Z,water:wlg-0001,waterlogging,depth,0.2,furlong,,,",
            "2026-07-14T08:02:00Z,water:wlg-0001,waterlogging,depth,not-a-number,m,,,",
            "2026-07-14T08:03:00Z,water:wlg-0001,waterlogging,depth,0.4,m,,late,",
            ""),
        StandardCharsets.UTF_8);

    assertThatThrownBy(
            () -> HistoryImport.read(target.readings(), file, HistoryFileFormat.CSV, false))
        .isInstanceOfSatisfying(
            HistoryImport.InvalidRowException.class,
            e -> {
              assertThat(e.getMessage()).contains("row 2", "furlong");
              assertThat(e.imported()).isEqualTo(1);
            });
    assertThat(target.readings().count()).isEqualTo(1);

    HistoryImport.Outcome skipping =
        HistoryImport.read(target.readings(), file, HistoryFileFormat.CSV, true);
    assertThat(skipping.imported()).isEqualTo(2);
    assertThat(skipping.refused()).isEqualTo(2);
    assertThat(skipping.problems()).hasSize(2).first().asString().startsWith("row 2");
    assertThat(everything(target.readings()).get(2).quality()).containsExactly(QualityFlag.LATE);
  }

  @Test
  void refusesAFileOfAnotherShape() throws Exception {
    Path csv = directory.resolve("other.csv");
    Files.writeString(csv, "time,sensor,reading\n1,2,3\n");
    assertThatThrownBy(
            () -> HistoryImport.read(target.readings(), csv, HistoryFileFormat.CSV, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header");
    assertThatThrownBy(() -> HistoryFileFormat.of(directory.resolve("x.parquet")))
        .hasMessageContaining(".arrow or .csv");
  }
}
