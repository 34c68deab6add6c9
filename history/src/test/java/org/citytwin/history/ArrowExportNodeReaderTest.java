package org.citytwin.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export read by another implementation of Arrow: the {@code apache-arrow} package from npm, run
 * by node. Its rows must equal the stored ones. With {@code CI=true} a missing node or npm fails
 * the test; elsewhere it skips.
 */
class ArrowExportNodeReaderTest {

  @TempDir Path directory;

  @Test
  void nodesApacheArrowReadsTheExportAsStored() throws Exception {
    Path reader = installReader();
    List<Reading> stored;
    Path file = directory.resolve("export.arrow");
    try (Storage storage = Storage.openDuckDb(directory.resolve("history.duckdb"))) {
      storage.readings().append(HistoryTransferTest.sample());
      HistoryExport.write(
          storage.readings(),
          new ExportQuery(
              HistoryTransferTest.T0.minus(Duration.ofDays(1)),
              HistoryTransferTest.T0.plus(Duration.ofDays(1)),
              Optional.empty()),
          HistoryFileFormat.ARROW,
          file);
      stored = HistoryTransferTest.everything(storage.readings());
    }

    List<String> lines =
        run(directory, "node", reader.resolve("read-readings.js").toString(), file.toString());

    JsonObject summary = JsonFactory.newObject(lines.get(lines.size() - 1));
    assertThat(summary.getValue("rows").orElseThrow().asLong()).isEqualTo(stored.size());
    assertThat(summary.getValue("batches").orElseThrow().asInt())
        .as("70,004 rows in batches of 65,536")
        .isEqualTo(2);
    List<Reading> expected =
        stored.stream().sorted(Comparator.comparing(Reading::observedAt)).toList();
    for (int row = 0; row < expected.size(); row++) {
      JsonObject line = JsonFactory.newObject(lines.get(row));
      Reading reading = expected.get(row);
      assertThat(Long.parseLong(line.getValue("observed_at").orElseThrow().asString()))
          .isEqualTo(
              java.time.temporal.ChronoUnit.MICROS.between(
                  java.time.Instant.EPOCH, reading.observedAt()));
      assertThat(line.getValue("thing_id").orElseThrow().asString())
          .isEqualTo(reading.thingId().toString());
      assertThat(line.getValue("feature").orElseThrow().asString()).isEqualTo(reading.feature());
      assertThat(line.getValue("property").orElseThrow().asString()).isEqualTo(reading.property());
      assertThat(line.getValue("unit").orElseThrow().asString()).isEqualTo(reading.unit().symbol());
      assertThat(line.getValue("category").orElseThrow().asString()).isEqualTo(reading.category());
      assertThat(line.getValue("quality").orElseThrow().asString())
          .isEqualTo(QualityFlag.format(reading.quality()));
      if (reading.value() instanceof ReadingValue.Numeric numeric) {
        assertThat(line.getValue("value").orElseThrow().asDouble()).isEqualTo(numeric.number());
        assertThat(line.getValue("stated").orElseThrow().isNull()).isTrue();
      } else {
        assertThat(line.getValue("value").orElseThrow().isNull()).isTrue();
        assertThat(JsonFactory.readFrom(line.getValue("stated").orElseThrow().asString()))
            .isEqualTo(reading.value().toJson());
      }
    }
  }

  /** Installs the pinned apache-arrow package beside the reader script, once per build. */
  private static Path installReader() throws Exception {
    Path reader = Path.of("target", "arrow-js");
    Files.createDirectories(reader);
    for (String name : List.of("package.json", "read-readings.js")) {
      try (InputStream resource =
          ArrowExportNodeReaderTest.class.getResourceAsStream("/arrow-js/" + name)) {
        Files.copy(
            resource, reader.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (!Files.isDirectory(reader.resolve("node_modules/apache-arrow"))) {
      run(reader, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
    }
    return reader.toAbsolutePath();
  }

  private static List<String> run(Path directory, String... command) throws Exception {
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(directory.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
    } catch (IOException e) {
      if (!"true".equals(System.getenv("CI"))) {
        Assumptions.abort(command[0] + " is not installed here: " + e.getMessage());
      }
      throw e;
    }
    List<String> lines = new ArrayList<>();
    try (var out =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
      }
    }
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + " exit code").isZero();
    return lines;
  }
}
