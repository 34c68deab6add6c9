package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * History's queries from outside: the latest value of the things a search finds, a muck truck's
 * trajectory, and a bulk export and import with the {@code citytwin} command.
 */
@Timeout(120)
class HistoryQueriesIT {

  private static final String TRUCK = "/api/devices/urban/truck-0001";

  @TempDir Path directory;
  private RunningDistrict city;

  @BeforeEach
  void startCity() throws Exception {
    city = new RunningDistrict(directory, 1, 2);
  }

  @AfterEach
  void stopCity() {
    if (city != null) {
      city.close();
    }
  }

  @Test
  void answersTheLatestValueOfEachThingASearchFindsAndNamesTheSilentOnes() {
    SimDevice reporting = city.gauge(0);
    SimDevice silent = city.gauge(1);
    Instant start = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.SECONDS);
    for (int i = 0; i < 3; i++) {
      assertThat(
              city.postReading(
                      reporting.username(),
                      RunningDistrict.PASSWORD,
                      "application/json",
                      new JsonObject()
                          .put("depth_cm", 10 + i)
                          .put("ts", start.plusSeconds(60L * i).getEpochSecond())
                          .encode())
                  .status())
          .isEqualTo(202);
    }
    String filter = "in(thingId,\"" + reporting.thingId() + "\",\"" + silent.thingId() + "\")";

    JsonObject latest =
        city.get(
                "/api/history/latest?feature=waterlogging&property=depth&filter="
                    + URLEncoder.encode(filter, StandardCharsets.UTF_8))
            .json();
    assertThat(latest.getJsonArray("readings")).hasSize(1);
    JsonObject reading = latest.getJsonArray("readings").getJsonObject(0);
    assertThat(reading.getString("thingId")).isEqualTo(reporting.thingId().toString());
    assertThat(reading.getDouble("value")).isEqualTo(0.12);
    assertThat(latest.getJsonArray("silent")).containsExactly(silent.thingId().toString());

    JsonObject asBefore =
        city.get(
                "/api/history/latest?feature=waterlogging&property=depth&at="
                    + start.plusSeconds(90)
                    + "&filter="
                    + URLEncoder.encode(filter, StandardCharsets.UTF_8))
            .json();
    assertThat(asBefore.getJsonArray("readings").getJsonObject(0).getDouble("value"))
        .as("as it stood 90 s after the first reading")
        .isEqualTo(0.11);

    RunningDistrict.Answer noProperty = city.get("/api/history/latest?feature=waterlogging");
    assertThat(noProperty.status()).isEqualTo(400);
    assertThat(noProperty.json().getString("message")).contains("'property'");

    RunningDistrict.Answer tooFarBack =
        city.get("/api/history/latest?feature=waterlogging&property=depth&lookback=P400D");
    assertThat(tooFarBack.status()).isEqualTo(400);
    assertThat(tooFarBack.json().getString("message"))
        .isEqualTo("'lookback' must lie between 1 s and 366 days.");
  }

  @Test
  void drawsAMuckTrucksTrajectoryFromItsFixes() {
    assertThat(
            city.request(
                    HttpMethod.PUT,
                    "/api/2/things/urban:truck-0001",
                    new JsonObject().put("definition", "citytwin:gps-tracker:1.0.0").encode(),
                    "Content-Type",
                    "application/json")
                .status())
        .isEqualTo(201);
    assertThat(
            city.request(
                    HttpMethod.PUT,
                    TRUCK,
                    new JsonObject()
                        .put("thingId", "urban:truck-0001")
                        .put("vendorFormat", "gps-bd09")
                        .put("credentials", new JsonObject().put("pwd-plain", "truck-pass"))
                        .encode(),
                    "Content-Type",
                    "application/json")
                .status())
        .isEqualTo(201);
    for (int i = 0; i < 3; i++) {
      String fix =
          new JsonObject()
              .put(
                  "location",
                  new JsonObject().put("lng", 120.1617 + 0.001 * i).put("lat", 30.2801 + 0.001 * i))
              .encode();
      assertThat(
              city.postReading("truck-0001@urban", "truck-pass", "application/json", fix).status())
          .isEqualTo(202);
    }

    JsonObject track = city.get("/api/history/things/urban:truck-0001/trajectory").json();

    assertThat(track.getString("type")).isEqualTo("Feature");
    JsonArray coordinates = track.getJsonObject("geometry").getJsonArray("coordinates");
    assertThat(track.getJsonObject("geometry").getString("type")).isEqualTo("LineString");
    assertThat(coordinates).hasSize(3);
    assertThat(track.getJsonObject("properties").getJsonArray("times")).hasSize(3);
    double firstLongitude = coordinates.getJsonArray(0).getDouble(0);
    assertThat(firstLongitude)
        .as("BD-09 converted to WGS84 moves the point by a few hundred metres west")
        .isBetween(120.145, 120.160);
    assertThat(coordinates.getJsonArray(2).getDouble(0) - firstLongitude).isBetween(0.0015, 0.0025);
  }

  @Test
  void exportsAndImportsHistoryWithTheCommand() throws Exception {
    SimDevice gauge = city.gauge(0);
    Instant start = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.SECONDS);
    for (int i = 0; i < 5; i++) {
      city.postReading(
          gauge.username(),
          RunningDistrict.PASSWORD,
          "application/json",
          new JsonObject()
              .put("depth_cm", 20 + i)
              .put("ts", start.plusSeconds(10L * i).getEpochSecond())
              .encode());
    }
    city.close();
    city = null;
    Path data = directory.resolve("data");
    Path arrow = directory.resolve("export.arrow");
    Path csv = directory.resolve("export.csv");

    String from = start.minusSeconds(1).toString();
    String to = start.plusSeconds(60).toString();
    assertThat(
            run(
                "export",
                "--data-dir",
                data.toString(),
                "--from",
                from,
                "--to",
                to,
                "--out",
                arrow.toString()))
        .isZero();
    assertThat(
            run(
                "export",
                "--data-dir",
                data.toString(),
                "--from",
                from,
                "--to",
                to,
                "--thing",
                gauge.thingId().toString(),
                "--out",
                csv.toString()))
        .isZero();
    assertThat(Files.readAllLines(csv))
        .hasSize(6)
        .first()
        .isEqualTo(org.citytwin.history.HistoryFileFormat.CSV_HEADER);

    Path elsewhere = directory.resolve("elsewhere");
    assertThat(run("import", "--data-dir", elsewhere.toString(), arrow.toString())).isZero();
    assertThat(run("import", "--data-dir", elsewhere.toString(), csv.toString())).isZero();
    try (org.citytwin.history.Storage storage =
        org.citytwin.history.Storage.openDuckDb(elsewhere.resolve("history.duckdb"))) {
      assertThat(storage.readings().count())
          .as("5 from Arrow, the same 5 again from CSV")
          .isEqualTo(10);
    }

    Path bad = directory.resolve("bad.csv");
    Files.writeString(bad, "time,value\n1,2\n");
    assertThat(run("import", "--data-dir", elsewhere.toString(), bad.toString()))
        .as("a file of another shape is refused")
        .isNotZero();
  }

  private static int run(String... args) {
    return new CommandLine(new Citytwin())
        .setExecutionExceptionHandler(
            (failure, line, parsed) -> {
              line.getErr().println("citytwin: " + failure.getMessage());
              return 2;
            })
        .execute(args);
  }
}
