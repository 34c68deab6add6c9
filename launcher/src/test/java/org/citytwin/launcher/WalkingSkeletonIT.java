package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One reading, end to end, against a started server: ingest -> twin -> history -> fusion -> api,
 * and a live subscriber sees it. Each step has its own assertion, so the test fails if any step is
 * missing.
 */
@Timeout(60)
class WalkingSkeletonIT {

  @TempDir Path directory;
  private RunningDistrict city;

  @BeforeEach
  void startCity() throws Exception {
    city = new RunningDistrict(directory, 1, 2);
  }

  @AfterEach
  void stopCity() {
    city.close();
  }

  @Test
  void gaugeReadingUpdatesTwinHistorySubscribersAndRaisesIncident() throws Exception {
    SimDevice gauge = city.gauge(0);
    String thingPath = "/api/2/things/" + gauge.thingId();
    RunningDistrict.Answer before = city.get(thingPath);
    assertThat(before.status()).isEqualTo(200);
    assertThat(before.headers()).containsEntry("ETag", "\"rev:1\"");
    StringBuffer live = city.subscribe("/api/2/things?ids=" + gauge.thingId());
    Instant observedAt = Instant.parse("2026-07-14T08:30:00Z");

    // 1. The device sends a reading in its vendor format: centimetres, epoch milliseconds.
    RunningDistrict.Answer accepted =
        city.postReading(
            gauge.username(),
            RunningDistrict.PASSWORD,
            "application/json",
            new JsonObject().put("depth_cm", 23).put("ts", observedAt.toEpochMilli()).encode());
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);

    // 3. History holds it the moment the device is acknowledged, normalised to metres.
    RunningDistrict.Answer history =
        city.get(
            "/api/history/things/"
                + gauge.thingId()
                + "/features/waterlogging/properties/depth"
                + "?from=2026-07-14T00:00:00Z&to=2026-07-15T00:00:00Z");
    assertThat(history.status()).isEqualTo(200);
    JsonArray rows = history.json().getJsonArray("readings");
    assertThat(rows).hasSize(1);
    assertThat(rows.getJsonObject(0).getDouble("value")).isEqualTo(0.23);
    assertThat(rows.getJsonObject(0).getString("unit")).isEqualTo("METRE");
    assertThat(rows.getJsonObject(0).getString("observedAt")).isEqualTo(observedAt.toString());

    // 2. The gauge's Ditto thing holds the depth in metres, one revision on.
    RunningDistrict.Answer twin = city.get(thingPath);
    assertThat(twin.status()).isEqualTo(200);
    assertThat(twin.headers()).containsEntry("ETag", "\"rev:2\"");
    assertThat(RunningDistrict.waterloggingDepth(twin.json())).isEqualTo(0.23);

    // 5a. The subscriber receives the change as Ditto's SSE does: the changed part of the thing.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(live.toString()).contains("data: "));
    JsonObject change = new JsonObject(dataLines(live.toString())[0]);
    assertThat(change.getString("thingId")).isEqualTo(gauge.thingId().toString());
    assertThat(RunningDistrict.waterloggingDepth(change)).isEqualTo(0.23);

    // 4 + 5b. 23 cm is over the 15 cm line inside the gauge's catchment; the flood rule wants a
    // second gauge to agree (one alone may be faulty), and the neighbour reports 19 cm: one
    // incident, listed.
    SimDevice neighbour = city.gauge(1);
    assertThat(neighbour.catchmentId()).isEqualTo(gauge.catchmentId());
    assertThat(
            city.postReading(
                    neighbour.username(),
                    RunningDistrict.PASSWORD,
                    "application/json",
                    "{\"depth_cm\": 19}")
                .status())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(city.get("/api/incidents").body()).isNotEqualTo("[]"));
    JsonArray incidents = new JsonArray(city.get("/api/incidents").body());
    assertThat(incidents).hasSize(1);
    JsonObject incident = incidents.getJsonObject(0);
    assertThat(incident.getString("type")).isEqualTo("flood");
    assertThat(incident.getString("severity")).isEqualTo("blue");
    assertThat(incident.getString("state")).isEqualTo("reported");
    assertThat(incident.getJsonObject("scope").getString("id")).isEqualTo(gauge.catchmentId());
    assertThat(incident.getString("leadDepartment")).isEqualTo("water");
    assertThat(incident.getJsonArray("evidence").getJsonObject(0).getString("thingId"))
        .isEqualTo(neighbour.thingId().toString());
    assertThat(incident.getJsonArray("evidence").getJsonObject(1).getString("thingId"))
        .isEqualTo(gauge.thingId().toString());
  }

  @Test
  void readingBelowThresholdRaisesNoIncident() throws Exception {
    SimDevice gauge = city.gauge(0);
    StringBuffer live = city.subscribe("/api/2/things");
    assertThat(
            city.postReading(
                    gauge.username(),
                    RunningDistrict.PASSWORD,
                    "application/json",
                    "{\"depth_cm\": 9}")
                .status())
        .isEqualTo(202);
    // Fusion sees the change no later than a subscriber does; once it is streamed, fusion has
    // decided.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(live.toString()).contains("0.09"));
    assertThat(city.get("/api/incidents").body()).isEqualTo("[]");
  }

  private static String[] dataLines(String stream) {
    return stream
        .lines()
        .filter(line -> line.startsWith("data: "))
        .map(line -> line.substring(6))
        .toArray(String[]::new);
  }
}
