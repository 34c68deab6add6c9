package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.citytwin.launcher.bench.IngestBenchmark;
import org.citytwin.launcher.bench.LoadBenchmark;
import org.citytwin.sim.District;
import org.citytwin.sim.FloodScenario;
import org.citytwin.sim.GeneratedDistrict;
import org.citytwin.sim.LoadDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load benchmark's driver against a real server holding a generated district: every way it
 * counts was acknowledged by the server, and the figures land in the benchmarks page between the
 * markers, replacing the last run's.
 */
class LoadDriverIT {

  @TempDir Path directory;

  @Test
  void everyWayIsAcknowledgedAndCountedAsTheServerCountsIt() throws Exception {
    Path districtDir = directory.resolve("district");
    District district = new GeneratedDistrict(3, 0.01).generate();
    district.writeTo(districtDir);
    LoadDriver.Gateway gateway =
        IngestBenchmark.registerGateway(
            districtDir.resolve(District.DEVICES_FILE),
            district.devicesOfKind(FloodScenario.GAUGE_KIND));
    CitytwinConfig config =
        CitytwinConfig.resolve(
                Optional.empty(),
                Map.of(),
                Map.of(
                    "http.port", "0",
                    "mqtt.port", "0",
                    "data.dir", directory.resolve("data").toString(),
                    // As bench load runs it: the driver is every user at once.
                    "api.rate-limit.per-second", "0"))
            .withDistrict(districtDir);
    CitytwinServer server = CitytwinServer.start(config, Clock.systemUTC());
    try {
      LoadDriver.Result result =
          new LoadDriver(
                  new LoadDriver.Settings(
                      URI.create("http://127.0.0.1:" + server.port()),
                      server.mqttPort(),
                      3,
                      0.01,
                      Duration.ofSeconds(2),
                      4,
                      10,
                      5,
                      Duration.ZERO,
                      Optional.of(gateway)))
              .run();
      assertThat(result.problems()).isEmpty();
      assertThat(result.ways()).hasSize(5);
      long sentReadings = 0;
      for (LoadDriver.Figures way : result.ways()) {
        assertThat(way.requests()).as(way.way()).isPositive();
        assertThat(way.refused()).as(way.way()).isZero();
        assertThat(way.latency().p99()).as(way.way()).isPositive();
        if (!way.way().startsWith("search")) {
          sentReadings += way.readings();
        }
      }
      // A batch carries its 10 readings, a single request one.
      assertThat(result.ways().get(1).readings()).isEqualTo(result.ways().get(1).requests() * 10);
      LoadDriver.Figures fromGateway = result.ways().get(2);
      assertThat(fromGateway.way()).contains("from a gateway");
      assertThat(fromGateway.readings()).isEqualTo(fromGateway.requests() * 10);
      assertThat(result.twinChangeSeen().count()).isPositive();
      // The server committed at least what the driver counted as acknowledged.
      assertThat(acceptedByServer(server.port())).isGreaterThanOrEqualTo(sentReadings);
      assertThat(result.markdown()).contains("| MQTT QoS 1, 5 connections");
    } finally {
      server.close();
    }
  }

  private static long acceptedByServer(int port) throws Exception {
    String metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher accepted =
        Pattern.compile("(?m)^citytwin_ingest_readings_accepted_total (\\d+)").matcher(metrics);
    assertThat(accepted.find()).as(metrics).isTrue();
    return Long.parseLong(accepted.group(1));
  }

  @Test
  void figuresReplaceTheLastRunsBetweenTheMarkers() throws Exception {
    Path page = directory.resolve("benchmarks.md");
    Files.writeString(page, "# Benchmarks\n\nOther figures.\n");
    LoadBenchmark.writeInto(page, "Machine: first", "| first |\n");
    String once = Files.readString(page);
    assertThat(once).startsWith("# Benchmarks\n\nOther figures.\n").contains("| first |");
    Files.writeString(page, once + "\n## After\n\nKept.\n");
    LoadBenchmark.writeInto(page, "Machine: second", "| second |\n");
    String twice = Files.readString(page);
    assertThat(twice)
        .contains("Machine: second", "| second |", "Other figures.", "## After\n\nKept.")
        .doesNotContain("| first |", "Machine: first");
    assertThat(twice.split("## Load", -1)).hasSize(2);
  }
}
