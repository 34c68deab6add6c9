package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cleaning and classification seen from outside: what a device sends, what history keeps with which
 * flags, what the twin shows and what /metrics counts.
 */
@Timeout(60)
class CleaningIT {

  @TempDir Path directory;
  private RunningDistrict city;
  private SimDevice gauge;
  private Instant start;

  @BeforeEach
  void startCity() throws Exception {
    city = new RunningDistrict(directory, 1, 1);
    gauge = city.gauge(0);
    start = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
  }

  @AfterEach
  void stopCity() {
    city.close();
  }

  @Test
  void flagsDoubtfulReadingsKeepsThemInHistoryAndKeepsTheTwinOnTheGoodOnes() {
    assertThat(send(0, 10).status()).isEqualTo(202);
    assertThat(send(0, 10).status()).as("a resent reading is acknowledged").isEqualTo(202);
    assertThat(send(60, 250).status()).as("a spike is taken, not refused").isEqualTo(202);
    assertThat(send(-60, 20).status()).isEqualTo(202);
    assertThat(send(120, 12).status()).isEqualTo(202);

    assertThat(depth())
        .as("neither the spike nor the older reading moved the twin")
        .isEqualTo(0.12);

    JsonArray history = history();
    assertThat(history.stream().map(JsonObject.class::cast).map(r -> r.getString("quality")))
        .as("one row per distinct observation, oldest first, the repeat left out")
        .containsExactly("out-of-order", "", "spike", "");
    assertThat(history.stream().map(JsonObject.class::cast).map(r -> r.getDouble("value")))
        .containsExactly(0.2, 0.1, 2.5, 0.12);
    assertThat(history.stream().map(JsonObject.class::cast).map(r -> r.getString("category")))
        .as("classified by the object the gauge observes")
        .containsOnly("waterlogging-point");

    JsonObject minutes =
        city.get(
                "/api/history/things/"
                    + gauge.thingId()
                    + "/features/waterlogging/properties/depth?bucket=PT10M&from="
                    + start.minusSeconds(60)
                    + "&to="
                    + start.plusSeconds(540))
            .json();
    assertThat(minutes.getJsonArray("buckets"))
        .as("the spike is left out of the summary; the older reading is a valid observation")
        .singleElement()
        .satisfies(
            bucket -> {
              JsonObject summary = (JsonObject) bucket;
              assertThat(summary.getInteger("count")).isEqualTo(3);
              assertThat(summary.getDouble("max")).isEqualTo(0.2);
              assertThat(summary.getDouble("last")).isEqualTo(0.12);
              assertThat(summary.getString("start")).isEqualTo(start.minusSeconds(60).toString());
            });
    assertThat(
            city.get(
                    "/api/history/things/"
                        + gauge.thingId()
                        + "/features/waterlogging/properties/depth?bucket=PT0.001S")
                .status())
        .isEqualTo(400);

    RunningDistrict.Answer arrow =
        city.request(
            io.vertx.core.http.HttpMethod.GET,
            historyPath(),
            null,
            "Accept",
            "application/vnd.apache.arrow.stream");
    assertThat(arrow.headers().get("Content-Type"))
        .isEqualTo("application/vnd.apache.arrow.stream");
    List<String> arrowQuality = new java.util.ArrayList<>();
    List<Double> arrowValues = new java.util.ArrayList<>();
    try (org.apache.arrow.memory.BufferAllocator allocator =
            new org.apache.arrow.memory.RootAllocator();
        org.apache.arrow.vector.ipc.ArrowStreamReader reader =
            new org.apache.arrow.vector.ipc.ArrowStreamReader(
                new java.io.ByteArrayInputStream(arrow.raw()), allocator)) {
      while (reader.loadNextBatch()) {
        var root = reader.getVectorSchemaRoot();
        for (int row = 0; row < root.getRowCount(); row++) {
          arrowQuality.add(root.getVector("quality").getObject(row).toString());
          arrowValues.add((Double) root.getVector("value").getObject(row));
        }
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertThat(arrowQuality)
        .as("the Arrow answer holds the JSON answer's rows")
        .containsExactly("out-of-order", "", "spike", "");
    assertThat(arrowValues).containsExactly(0.2, 0.1, 2.5, 0.12);

    String metrics = city.get("/metrics").body();
    assertThat(metrics)
        .contains("citytwin_ingest_readings_duplicate_total 1")
        .contains("citytwin_ingest_readings_flagged_total{flag=\"spike\"} 1")
        .contains("citytwin_ingest_readings_flagged_total{flag=\"out-of-order\"} 1");
  }

  @Test
  void aBatchWithTheSameObservationTwiceStoresItOnce() {
    String batch =
        new JsonArray(
                List.of(
                    new JsonObject().put("payload", payload(0, 30)),
                    new JsonObject().put("payload", payload(0, 30)),
                    new JsonObject().put("payload", payload(30, 31))))
            .encode();
    RunningDistrict.Answer answer =
        city.request(
            io.vertx.core.http.HttpMethod.POST,
            "/telemetry/batch",
            batch,
            "Content-Type",
            "application/json",
            "Authorization",
            basic());
    assertThat(answer.status()).isEqualTo(202);
    assertThat(depth()).isEqualTo(0.31);
    JsonArray history = history();
    assertThat(history).hasSize(2);
  }

  /** The gauge's stored depths within an hour of the start, oldest first. */
  private JsonArray history() {
    return city.get(historyPath()).json().getJsonArray("readings");
  }

  private String historyPath() {
    return "/api/history/things/"
        + gauge.thingId()
        + "/features/waterlogging/properties/depth?from="
        + start.minusSeconds(3600)
        + "&to="
        + start.plusSeconds(3600);
  }

  private RunningDistrict.Answer send(int secondsAfterStart, int centimetres) {
    return city.postReading(
        gauge.username(),
        RunningDistrict.PASSWORD,
        "application/json",
        payload(secondsAfterStart, centimetres).encode());
  }

  private JsonObject payload(int secondsAfterStart, int centimetres) {
    return new JsonObject()
        .put("depth_cm", centimetres)
        .put("ts", start.plusSeconds(secondsAfterStart).getEpochSecond());
  }

  private String basic() {
    return "Basic "
        + java.util.Base64.getEncoder()
            .encodeToString(
                (gauge.username() + ":" + RunningDistrict.PASSWORD)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private double depth() {
    return RunningDistrict.waterloggingDepth(city.get("/api/2/things/" + gauge.thingId()).json());
  }
}
