package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incidents end to end: a reading raises one, the API walks it through its life cycle with every
 * refusal answered as a Ditto error, and it is kept as a twin that survives a restart.
 */
@Timeout(120)
class IncidentsIT {

  @TempDir Path directory;
  private RunningDistrict city;

  @BeforeEach
  void startCity() throws Exception {
    city = new RunningDistrict(directory, 2, 2);
  }

  @AfterEach
  void stopCity() {
    city.close();
  }

  private RunningDistrict.Answer act(String id, String body) {
    return city.request(
        HttpMethod.POST,
        "/api/incidents/" + id + "/actions",
        body,
        "Content-Type",
        "application/json");
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Test
  void aFloodIncidentGoesThroughItsLoopOverTheApiAndSurvivesARestart() throws Exception {
    SimDevice gauge = city.gauge(0);
    // Two gauges of one catchment agree: the flood rule does not act on one alone.
    for (SimDevice reporting : List.of(gauge, city.gauge(1))) {
      assertThat(reporting.catchmentId()).isEqualTo(gauge.catchmentId());
      assertThat(
              city.postReading(
                      reporting.username(),
                      RunningDistrict.PASSWORD,
                      "application/json",
                      "{\"depth_cm\": 40}")
                  .status())
          .isEqualTo(202);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(city.get("/api/incidents").body()).isNotEqualTo("[]"));
    JsonObject incident = new JsonArray(city.get("/api/incidents").body()).getJsonObject(0);
    String id = incident.getString("id");
    assertThat(id).startsWith("incidents:flood-warning-" + gauge.catchmentId());
    assertThat(incident.getString("level")).isEqualTo("community");
    assertThat(incident.getString("unit")).isEqualTo("community-1-1");
    assertThat(incident.getJsonObject("jurisdiction").getString("district")).isEqualTo("gongshu");

    RunningDistrict.Answer refused =
        act(encode(id), "{\"action\": \"close\", \"actor\": \"officer\"}");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().getString("error")).isEqualTo("incidents:transition.illegal");
    assertThat(refused.json().getInteger("status")).isEqualTo(409);
    assertThat(refused.json().getString("description")).isNotBlank();
    assertThat(act(encode(id), "{\"action\": \"fly\", \"actor\": \"officer\"}").status())
        .isEqualTo(400);
    assertThat(act(encode(id), "{\"action\": \"review\"}").json().getString("error"))
        .isEqualTo("incidents:action.invalid");
    assertThat(act(encode(id), "not json").status()).isEqualTo(400);
    assertThat(
            act(encode("incidents:nothing"), "{\"action\": \"review\", \"actor\": \"x\"}").status())
        .isEqualTo(404);
    assertThat(city.get("/api/incidents?state=sleeping").status()).isEqualTo(400);

    RunningDistrict.Answer reviewed =
        act(
            encode(id),
            "{\"action\": \"review\", \"actor\": \"officer\", \"note\": \"seen on camera\"}");
    assertThat(reviewed.status()).isEqualTo(200);
    RunningDistrict.Answer dispatched =
        act(encode(id), "{\"action\": \"dispatch\", \"actor\": \"officer\"}");
    assertThat(dispatched.json().getString("state")).isEqualTo("dispatched");
    assertThat(dispatched.json().getString("team")).isEqualTo("water-team-1");
    assertThat(city.get("/api/incidents?state=dispatched").body()).contains(id);
    assertThat(city.get("/api/incidents/" + encode(id)).json().getJsonArray("audit")).hasSize(3);

    // Kept as a twin in the incidents namespace: readable and searchable like any other.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        city.get("/api/2/things/" + id)
                            .json()
                            .getJsonObject("attributes")
                            .getString("state"))
                    .isEqualTo("dispatched"));

    city.close();
    city = new RunningDistrict(directory, 2, 2);
    JsonObject recovered = city.get("/api/incidents/" + encode(id)).json();
    assertThat(recovered.getString("state")).isEqualTo("dispatched");
    assertThat(recovered.getJsonArray("audit")).hasSize(3);
    assertThat(act(encode(id), "{\"action\": \"handle\", \"actor\": \"water-team-1\"}").status())
        .isEqualTo(200);
  }

  @Test
  void servesZonesRulesAndCreditLists() {
    JsonObject zones = city.get("/api/zones?type=street").json();
    assertThat(zones.getJsonArray("features")).hasSize(2);
    JsonObject rules = city.get("/api/rules").json();
    assertThat(rules.getJsonArray("rules")).hasSize(7);
    assertThat(city.get("/api/credit-lists?list=black").body()).isEqualTo("[]");
    assertThat(city.get("/api/credit-lists?list=grey").status()).isEqualTo(400);
  }
}
