package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Writing whole things over HTTP with Ditto's semantics, conditions included. */
@Timeout(60)
class ThingWritesIT {

  private static final String BRIDGE = "/api/2/things/traffic:bridge-0001";
  private static final String BRIDGE_JSON =
      "{\"definition\":\"citytwin:bridge:1.0.0\",\"attributes\":{\"name\":\"Gongchen Bridge\","
          + "\"location\":{\"type\":\"Point\",\"coordinates\":[120.1395,30.3187]},\"built\":1631},"
          + "\"features\":{\"load\":{\"properties\":{\"strain\":120.5}}}}";

  @TempDir Path directory;
  private RunningDistrict city;

  @BeforeEach
  void startCity() throws Exception {
    city = new RunningDistrict(directory, 1, 1);
  }

  @AfterEach
  void stopCity() {
    city.close();
  }

  private RunningDistrict.Answer put(String body, String... headers) {
    return city.request(HttpMethod.PUT, BRIDGE, body, headers);
  }

  @Test
  void putCreatesThenReplacesWithRevisionsAndEtags() {
    RunningDistrict.Answer created = put(BRIDGE_JSON, "Content-Type", "application/json");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.headers())
        .containsEntry("ETag", "\"rev:1\"")
        .containsEntry("Location", BRIDGE);
    assertThat(created.json().getString("thingId")).isEqualTo("traffic:bridge-0001");

    RunningDistrict.Answer replaced =
        put("{\"definition\":\"citytwin:bridge:1.0.0\",\"attributes\":{\"name\":\"Gongchen\"}}");
    assertThat(replaced.status()).isEqualTo(204);
    assertThat(replaced.headers()).containsEntry("ETag", "\"rev:2\"");
    JsonObject stored = city.get(BRIDGE).json();
    assertThat(stored.getJsonObject("attributes").getMap()).containsOnlyKeys("name");
    assertThat(stored.containsKey("features")).isFalse();
  }

  @Test
  void partsOfAThingAreReadAtTheirDittoPathsAndMissingPartsAnswerDittosErrors() {
    assertThat(put(BRIDGE_JSON).status()).isEqualTo(201);
    assertThat(city.get(BRIDGE + "/attributes/name").body()).isEqualTo("\"Gongchen Bridge\"");
    assertThat(city.get(BRIDGE + "/attributes/location/coordinates").body())
        .isEqualTo("[120.1395,30.3187]");
    assertThat(city.get(BRIDGE + "/attributes").json().getInteger("built")).isEqualTo(1631);
    assertThat(city.get(BRIDGE + "/features/load/properties/strain").body()).isEqualTo("120.5");
    assertThat(city.get(BRIDGE + "/features/load/properties").json().getDouble("strain"))
        .isEqualTo(120.5);
    assertThat(city.get(BRIDGE + "/features/load").json().containsKey("properties")).isTrue();
    assertThat(city.get(BRIDGE + "/features").json().containsKey("load")).isTrue();
    assertThat(city.get(BRIDGE + "/definition").body()).isEqualTo("\"citytwin:bridge:1.0.0\"");

    RunningDistrict.Answer noAttribute = city.get(BRIDGE + "/attributes/height");
    assertThat(noAttribute.status()).isEqualTo(404);
    assertThat(noAttribute.json().getString("error")).isEqualTo("things:attribute.notfound");
    assertThat(city.get(BRIDGE + "/features/tilt").json().getString("error"))
        .isEqualTo("things:feature.notfound");
    assertThat(city.get(BRIDGE + "/features/load/properties/x").json().getString("error"))
        .isEqualTo("things:feature.property.notfound");
    assertThat(city.get(BRIDGE + "/policyId").json().getString("error"))
        .isEqualTo("things:policyId.notfound");
    assertThat(city.get("/api/2/things/traffic:nothing/attributes/name").json().getString("error"))
        .isEqualTo("things:thing.notfound");
  }

  @Test
  void ifNoneMatchStarOnlyCreatesAndIfMatchOnlyWritesTheExpectedRevision() {
    assertThat(put(BRIDGE_JSON, "If-None-Match", "*").status()).isEqualTo(201);
    RunningDistrict.Answer again = put(BRIDGE_JSON, "If-None-Match", "*");
    assertDittoError(again, 412, "things:precondition.failed");

    assertThat(put(BRIDGE_JSON).status()).isEqualTo(204);
    assertDittoError(put(BRIDGE_JSON, "If-Match", "\"rev:1\""), 412, "things:precondition.failed");
    RunningDistrict.Answer matched = put(BRIDGE_JSON, "If-Match", "\"rev:2\"");
    assertThat(matched.status()).isEqualTo(204);
    assertThat(matched.headers()).containsEntry("ETag", "\"rev:3\"");

    assertDittoError(
        city.request(
            HttpMethod.PUT, "/api/2/things/traffic:bridge-0002", BRIDGE_JSON, "If-Match", "*"),
        412,
        "things:precondition.failed");
    assertThat(city.get("/api/2/things/traffic:bridge-0002").status()).isEqualTo(404);
  }

  @Test
  void conditionalGetAnswers304WithTheCurrentTagOr412() {
    put(BRIDGE_JSON);
    RunningDistrict.Answer notModified =
        city.request(HttpMethod.GET, BRIDGE, null, "If-None-Match", "\"rev:1\"");
    assertThat(notModified.status()).isEqualTo(304);
    assertThat(notModified.body()).isEmpty();
    assertThat(notModified.headers()).containsEntry("ETag", "\"rev:1\"");

    put(BRIDGE_JSON);
    assertThat(city.request(HttpMethod.GET, BRIDGE, null, "If-None-Match", "\"rev:1\"").status())
        .isEqualTo(200);
    assertDittoError(
        city.request(HttpMethod.GET, BRIDGE, null, "If-Match", "\"rev:1\""),
        412,
        "things:precondition.failed");
  }

  @Test
  void patchMergesWithJsonMergePatchRules() {
    put(BRIDGE_JSON);
    RunningDistrict.Answer merged =
        city.request(
            HttpMethod.PATCH,
            BRIDGE,
            "{\"attributes\":{\"built\":null,\"deck\":{\"lanes\":4}},\"features\":{\"load\":{\"properties\":{\"axle\":9.5}}}}",
            "Content-Type",
            "application/merge-patch+json",
            "If-Match",
            "\"rev:1\"");
    assertThat(merged.status()).as(merged.body()).isEqualTo(204);
    JsonObject stored = city.get(BRIDGE).json();
    assertThat(stored.getJsonObject("attributes").containsKey("built"))
        .as("null removes")
        .isFalse();
    assertThat(stored.getJsonObject("attributes").getString("name"))
        .as("untouched stays")
        .isEqualTo("Gongchen Bridge");
    assertThat(stored.getJsonObject("attributes").getJsonObject("deck").getInteger("lanes"))
        .isEqualTo(4);
    assertThat(
            stored
                .getJsonObject("features")
                .getJsonObject("load")
                .getJsonObject("properties")
                .getMap())
        .containsEntry("strain", 120.5)
        .containsEntry("axle", 9.5);

    assertDittoError(
        city.request(
            HttpMethod.PATCH, BRIDGE, "{\"attributes\":{}}", "Content-Type", "application/json"),
        415,
        "api:content-type.unsupported");
    assertDittoError(
        city.request(
            HttpMethod.PATCH,
            "/api/2/things/traffic:nope",
            "{\"attributes\":{\"x\":1}}",
            "Content-Type",
            "application/merge-patch+json"),
        404,
        "things:thing.notfound");
  }

  @Test
  void conditionParameterWritesOnlyWhenTheThingMatchesIt() {
    put(BRIDGE_JSON);
    String patch = "{\"attributes\":{\"inspected\":true}}";
    RunningDistrict.Answer refused =
        city.request(
            HttpMethod.PATCH,
            BRIDGE
                + "?condition="
                + java.net.URLEncoder.encode(
                    "lt(attributes/built,1600)", java.nio.charset.StandardCharsets.UTF_8),
            patch,
            "Content-Type",
            "application/merge-patch+json");
    assertDittoError(refused, 412, "things:precondition.failed");
    RunningDistrict.Answer accepted =
        city.request(
            HttpMethod.PATCH,
            BRIDGE
                + "?condition="
                + java.net.URLEncoder.encode(
                    "eq(attributes/built,1631)", java.nio.charset.StandardCharsets.UTF_8),
            patch,
            "Content-Type",
            "application/merge-patch+json");
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(204);
    assertThat(city.get(BRIDGE).json().getJsonObject("attributes").getBoolean("inspected"))
        .isTrue();
    assertDittoError(
        city.request(
            HttpMethod.PATCH,
            BRIDGE + "?condition=eq(broken",
            patch,
            "Content-Type",
            "application/merge-patch+json"),
        400,
        "rql.expression.invalid");
  }

  @Test
  void deleteRespectsConditionsAndLeavesNothing() {
    put(BRIDGE_JSON);
    assertDittoError(
        city.request(HttpMethod.DELETE, BRIDGE, null, "If-Match", "\"rev:7\""),
        412,
        "things:precondition.failed");
    assertThat(city.request(HttpMethod.DELETE, BRIDGE, null).status()).isEqualTo(204);
    assertDittoError(city.get(BRIDGE), 404, "things:thing.notfound");
    assertDittoError(city.request(HttpMethod.DELETE, BRIDGE, null), 404, "things:thing.notfound");
    assertThat(put(BRIDGE_JSON).headers()).containsEntry("ETag", "\"rev:1\"");
  }

  @Test
  void aDeletedDistrictTwinStaysDeletedAfterARestart() throws Exception {
    String gauge = "/api/2/things/" + city.gauge(0).thingId();
    String point = "/api/2/things/" + city.gauge(0).thingId().toString().replace("wlg-", "wlp-");
    assertThat(city.request(HttpMethod.DELETE, gauge, null).status()).isEqualTo(204);
    put(BRIDGE_JSON);
    city.close();

    city = new RunningDistrict(directory, 1, 1);
    assertDittoError(city.get(gauge), 404, "things:thing.notfound");
    assertThat(city.get(point).status()).as("the rest of the district is recovered").isEqualTo(200);
    assertThat(city.get(BRIDGE).headers()).containsEntry("ETag", "\"rev:1\"");
  }

  @Test
  void aPartCarriesItsOwnETagForConditionalReadsAndWrites() {
    put(BRIDGE_JSON);
    String built = BRIDGE + "/attributes/built";
    RunningDistrict.Answer read = city.get(built);
    assertThat(read.body()).isEqualTo("1631");
    String tag = read.headers().get("ETag");
    assertThat(tag).startsWith("\"hash:");
    assertThat(city.get(BRIDGE + "/attributes").headers().get("ETag"))
        .startsWith("\"hash:")
        .isNotEqualTo(tag);

    RunningDistrict.Answer unchanged =
        city.request(HttpMethod.GET, built, null, "If-None-Match", tag);
    assertThat(unchanged.status()).isEqualTo(304);
    assertThat(unchanged.headers()).containsEntry("ETag", tag);
    // A change elsewhere in the thing leaves the part's tag, and a write conditional on it, alone.
    assertThat(city.request(HttpMethod.PUT, BRIDGE + "/attributes/name", "\"Gongchen\"").status())
        .isEqualTo(204);
    assertThat(city.request(HttpMethod.GET, built, null, "If-None-Match", tag).status())
        .isEqualTo(304);
    assertThat(city.request(HttpMethod.PUT, built, "1632", "If-Match", tag).status())
        .isEqualTo(204);
    // Now the part has changed: the old tag no longer matches.
    assertDittoError(
        city.request(HttpMethod.PUT, built, "1633", "If-Match", tag),
        412,
        "things:precondition.failed");
    String now = city.get(built).headers().get("ETag");
    assertThat(now).isNotEqualTo(tag);
    assertThat(city.request(HttpMethod.GET, built, null, "If-Match", tag).status()).isEqualTo(412);
    assertThat(city.request(HttpMethod.DELETE, built, null, "If-Match", now).status())
        .isEqualTo(204);
    // If-Match: * needs the part to be there; If-None-Match: * that it is not.
    assertDittoError(
        city.request(HttpMethod.PUT, built, "1700", "If-Match", "*"),
        412,
        "things:precondition.failed");
    assertThat(city.request(HttpMethod.PUT, built, "1700", "If-None-Match", "*").status())
        .isEqualTo(201);
    assertThat(city.get(built).body()).isEqualTo("1700");
  }

  @Test
  void refusesAMergePatchOfAWholeThingThatIsNotAnObject() {
    put(BRIDGE_JSON);
    String before = city.get(BRIDGE).body();
    for (String notAnObject : List.of("[1,2]", "null", "7")) {
      assertDittoError(
          city.request(
              HttpMethod.PATCH,
              BRIDGE,
              notAnObject,
              "Content-Type",
              "application/merge-patch+json"),
          400,
          "things:merge.invalid");
    }
    assertThat(city.get(BRIDGE).body()).as("the thing is as it was").isEqualTo(before);
  }

  @Test
  void refusesInvalidIdsBodiesAndHeadersWithDittoErrors() {
    assertDittoError(
        put("{\"thingId\":\"traffic:other\",\"attributes\":{}}"), 400, "things:id.notsettable");
    assertDittoError(put("{\"attributes\": "), 400, "json.invalid");
    assertDittoError(put("[1,2]"), 400, "api:body.invalid");
    assertDittoError(
        city.request(HttpMethod.PUT, "/api/2/things/no-namespace", BRIDGE_JSON),
        400,
        "things:id.invalid");
    assertDittoError(put(BRIDGE_JSON, "If-Match", "rev:1 without quotes"), 400, "header.invalid");
    assertDittoError(
        put("{\"definition\":\"not a definition\"}"), 400, "things:definition.identifier.invalid");
    assertThat(city.get(BRIDGE).status()).as("nothing was created").isEqualTo(404);
  }

  @Test
  void partsAreWrittenAtTheirDittoPathsAndSurviveARestart() throws Exception {
    put(BRIDGE_JSON);
    RunningDistrict.Answer created =
        city.request(HttpMethod.PUT, BRIDGE + "/attributes/lanes", "4");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.headers()).containsEntry("Location", BRIDGE + "/attributes/lanes");
    assertThat(created.body()).isEqualTo("4");
    assertThat(city.request(HttpMethod.PUT, BRIDGE + "/attributes/lanes", "6").status())
        .isEqualTo(204);
    // A PUT replaces the part whole: the location loses what the new value leaves out.
    assertThat(
            city.request(
                    HttpMethod.PUT,
                    BRIDGE + "/attributes/location",
                    "{\"type\":\"Point\",\"coordinates\":[120.14,30.32]}")
                .status())
        .isEqualTo(204);
    assertThat(
            city.request(HttpMethod.PUT, BRIDGE + "/features/load/properties/strain", "130.0")
                .status())
        .isEqualTo(204);
    assertThat(
            city.request(
                    HttpMethod.PATCH,
                    BRIDGE + "/features/load/properties",
                    "{\"tilt\":0.2}",
                    "Content-Type",
                    "application/merge-patch+json")
                .status())
        .isEqualTo(204);
    assertThat(city.request(HttpMethod.DELETE, BRIDGE + "/attributes/built", null).status())
        .isEqualTo(204);
    assertDittoError(
        city.request(HttpMethod.DELETE, BRIDGE + "/attributes/built", null),
        404,
        "things:attribute.notfound");
    assertDittoError(
        city.request(HttpMethod.PUT, BRIDGE + "/features/wind/properties/speed", "3"),
        404,
        "things:feature.notfound");
    assertDittoError(
        city.request(HttpMethod.PUT, BRIDGE + "/attributes", "[1]"), 400, "api:body.invalid");
    assertDittoError(
        city.request(HttpMethod.PUT, BRIDGE + "/attributes/note", "{\"x\":null}"),
        400,
        "twin:value.null");
    assertDittoError(
        city.request(HttpMethod.PUT, BRIDGE + "/definition", "\"not a definition\""),
        400,
        "things:definition.identifier.invalid");
    assertDittoError(
        city.request(HttpMethod.PUT, BRIDGE + "/attributes/lanes", "8", "If-Match", "\"rev:1\""),
        412,
        "things:precondition.failed");
    assertDittoError(
        city.request(HttpMethod.DELETE, BRIDGE + "/policyId", null), 405, "api:method.notallowed");

    JsonObject expected = city.get(BRIDGE).json();
    assertThat(expected.getJsonObject("attributes").getMap())
        .containsEntry("lanes", 6)
        .doesNotContainKey("built");
    assertThat(
            expected
                .getJsonObject("attributes")
                .getJsonObject("location")
                .getJsonArray("coordinates")
                .getList())
        .containsExactly(120.14, 30.32);
    assertThat(
            expected
                .getJsonObject("features")
                .getJsonObject("load")
                .getJsonObject("properties")
                .getMap())
        .containsEntry("strain", 130.0)
        .containsEntry("tilt", 0.2);
    city.close();

    city = new RunningDistrict(directory, 1, 1);
    JsonObject recovered = city.get(BRIDGE).json();
    assertThat(recovered.getJsonObject("attributes"))
        .isEqualTo(expected.getJsonObject("attributes"));
    assertThat(recovered.getJsonObject("features")).isEqualTo(expected.getJsonObject("features"));
    assertThat(recovered.getLong("_revision", 0L)).isEqualTo(expected.getLong("_revision", 0L));
  }

  private static void assertDittoError(RunningDistrict.Answer answer, int status, String code) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    JsonObject error = answer.json();
    assertThat(error.getInteger("status")).isEqualTo(status);
    assertThat(error.getString("error")).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
  }
}
