package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.citytwin.api.ApiTokens;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Departments see what is theirs: with {@code api.auth.secret} set, every API request needs a
 * bearer token, the water department reads its gauges and the flood incidents it leads, traffic
 * (which cooperates on floods) reads those incidents but not the gauges, and construction reads
 * neither; on REST, search, history, devices and both event streams.
 */
@Timeout(120)
class AuthorisationIT {

  private static final String SECRET = "a-test-secret-that-is-at-least-32-bytes-long";
  private static final Pattern EVENT_ID = Pattern.compile("id: (\\S+)");

  @TempDir Path directory;
  private RunningDistrict city;
  private String water;
  private String traffic;
  private String construction;
  private String district;

  @BeforeEach
  void startCity() throws Exception {
    city = new RunningDistrict(directory, 2, 2, devices -> {}, Map.of("api.auth.secret", SECRET));
    ApiTokens tokens = new ApiTokens(city.server.vertx(), SECRET);
    water = tokens.issue("wang", Optional.of("water"), Duration.ofHours(1));
    traffic = tokens.issue("li", Optional.of("traffic"), Duration.ofHours(1));
    construction = tokens.issue("zhao", Optional.of("construction"), Duration.ofHours(1));
    district = tokens.issue("duty-officer", Optional.empty(), Duration.ofHours(1));
  }

  @AfterEach
  void stopCity() {
    city.close();
  }

  private RunningDistrict.Answer get(String path, String token) {
    return city.request(HttpMethod.GET, path, null, "Authorization", "Bearer " + token);
  }

  @Test
  void refusesRequestsWithoutAValidTokenAndCountsThem() {
    RunningDistrict.Answer none = city.get("/api/2/things/" + city.gauge(0).thingId());
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().getString("error")).isEqualTo("gateway:authentication.failed");
    assertThat(none.headers().get("WWW-Authenticate")).startsWith("Bearer");

    String forged =
        new ApiTokens(city.server.vertx(), "another-secret-that-is-at-least-32-bytes")
            .issue("mallory", Optional.empty(), Duration.ofHours(1));
    RunningDistrict.Answer forgedAnswer = get("/api/incidents", forged);
    assertThat(forgedAnswer.status()).isEqualTo(401);
    assertThat(forgedAnswer.json().getString("message")).contains("refused");
    assertThat(get("/api/incidents", "not-a-jwt").status()).isEqualTo(401);

    // Screens and probes stay reachable without a token; their data does not.
    assertThat(city.get("/screen/flood").status()).isEqualTo(200);
    assertThat(city.get("/health").status()).isEqualTo(200);
    assertThat(city.get("/metrics").body()).contains("citytwin_api_authentication_refused_total 3");
  }

  @Test
  void refusesATokenOnceItExpires() {
    String shortLived =
        new ApiTokens(city.server.vertx(), SECRET)
            .issue("temp", Optional.of("water"), Duration.ofSeconds(1));
    assertThat(get("/api/zones", shortLived).status()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(get("/api/zones", shortLived).status()).isEqualTo(401));
  }

  @Test
  void aDepartmentReadsAndWritesOnlyItsOwnNamespace() {
    String gauge = city.gauge(0).thingId().toString();
    assertThat(get("/api/2/things/" + gauge, water).status()).isEqualTo(200);
    assertThat(get("/api/2/things/" + gauge, district).status()).isEqualTo(200);
    RunningDistrict.Answer hidden = get("/api/2/things/" + gauge, construction);
    // Not allowed answers exactly like not there.
    assertThat(hidden.status()).isEqualTo(404);
    assertThat(hidden.json().getString("error")).isEqualTo("things:thing.notfound");
    assertThat(get("/api/2/things/" + gauge + "/features", construction).status()).isEqualTo(404);
    assertThat(new JsonArray(get("/api/2/things?ids=" + gauge, construction).body())).isEmpty();
    assertThat(new JsonArray(get("/api/2/things?ids=" + gauge, water).body())).hasSize(1);

    assertThat(get("/api/2/search/things/count", water).body()).isEqualTo("16");
    assertThat(get("/api/2/search/things/count", construction).body()).isEqualTo("0");
    assertThat(get("/api/2/search/things/count?namespaces=water", construction).body())
        .isEqualTo("0");
    assertThat(get("/api/2/search/things", construction).json().getJsonArray("items")).isEmpty();

    String history = "/api/history/things/" + gauge + "/features/waterlogging/properties/depth";
    assertThat(get(history, water).status()).isEqualTo(200);
    assertThat(get(history, construction).status()).isEqualTo(404);
    assertThat(
            get("/api/history/latest?feature=waterlogging&property=depth", construction)
                .json()
                .getJsonArray("readings"))
        .isEmpty();

    RunningDistrict.Answer write =
        city.request(
            HttpMethod.PATCH,
            "/api/2/things/" + gauge,
            "{\"attributes\": {\"note\": \"mine now\"}}",
            "Content-Type",
            "application/merge-patch+json",
            "Authorization",
            "Bearer " + construction);
    assertThat(write.status()).isEqualTo(404);
    assertThat(get("/api/2/things/" + gauge + "/attributes/note", water).status()).isEqualTo(404);

    assertThat(get("/api/devices/water", water).json().getJsonArray("items")).hasSize(8);
    assertThat(get("/api/devices/water", construction).json().getJsonArray("items")).isEmpty();
    assertThat(get("/api/devices/water/" + city.gauge(0).deviceId(), construction).status())
        .isEqualTo(404);
    RunningDistrict.Answer deadLetters = get("/api/ingest/dead-letters", water);
    assertThat(deadLetters.status()).isEqualTo(403);
    assertThat(deadLetters.json().getString("error")).isEqualTo("api:access.denied");
    assertThat(get("/api/ingest/dead-letters", district).status()).isEqualTo(200);
  }

  @Test
  void incidentsAreReadByTheDepartmentsTheyInvolve() throws Exception {
    StringBuffer trafficStream =
        city.subscribe("/api/incidents", "Authorization", "Bearer " + traffic);
    StringBuffer constructionStream =
        city.subscribe("/api/incidents", "Authorization", "Bearer " + construction);
    raiseFlood();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(trafficStream).contains("\"type\":\"flood\""));
    JsonObject incident = new JsonArray(get("/api/incidents", water).body()).getJsonObject(0);
    String id = incident.getString("id");
    assertThat(new JsonArray(get("/api/incidents", traffic).body())).hasSize(1);
    assertThat(new JsonArray(get("/api/incidents", construction).body())).isEmpty();
    assertThat(get("/api/incidents/" + id, construction).status()).isEqualTo(404);
    assertThat(get("/api/incidents/" + id, traffic).status()).isEqualTo(200);
    RunningDistrict.Answer act =
        city.request(
            HttpMethod.POST,
            "/api/incidents/" + id + "/actions",
            "{\"action\": \"review\", \"actor\": \"zhao\"}",
            "Content-Type",
            "application/json",
            "Authorization",
            "Bearer " + construction);
    assertThat(act.status()).isEqualTo(404);
    assertThat(trafficStream.toString()).contains(id);
    assertThat(constructionStream.toString()).doesNotContain("data:");
  }

  @Test
  void theThingsStreamCarriesOnlyReadableChangesAndResumesAfterALastEventId() throws Exception {
    StringBuffer waterStream = city.subscribe("/api/2/things", "Authorization", "Bearer " + water);
    StringBuffer constructionStream =
        city.subscribe("/api/2/things", "Authorization", "Bearer " + construction);
    SimDevice first = city.gauge(0);
    city.reportDepth(first, 3);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(EVENT_ID.matcher(waterStream).find()).isTrue());
    assertThat(constructionStream.toString()).doesNotContain("data:");

    // A subscriber that saw the first change reconnects after two more: it is told both.
    Matcher id = EVENT_ID.matcher(waterStream);
    assertThat(id.find()).isTrue();
    String lastSeen = id.group(1);
    SimDevice second = city.gauge(1);
    SimDevice third = city.gauge(2);
    city.reportDepth(second, 4);
    city.reportDepth(third, 5);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(waterStream).contains(third.thingId().toString()));
    StringBuffer resumed =
        city.subscribe(
            "/api/2/things", "Authorization", "Bearer " + water, "Last-Event-ID", lastSeen);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(resumed)
                    .contains(second.thingId().toString())
                    .contains(third.thingId().toString()));
    assertThat(resumed.toString()).doesNotContain("\"thingId\":\"" + first.thingId() + "\"");

    // An id from before a restart (another epoch) cannot be resumed: the subscriber must reload.
    StringBuffer stale =
        city.subscribe(
            "/api/2/things", "Authorization", "Bearer " + water, "Last-Event-ID", "0badf00d.7");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(stale).contains("event: resync"));
  }

  private void raiseFlood() {
    SimDevice gauge = city.gauge(0);
    for (SimDevice reporting : List.of(gauge, city.gauge(1))) {
      assertThat(reporting.catchmentId()).isEqualTo(gauge.catchmentId());
      city.reportDepth(reporting, 40);
    }
  }
}
