package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Ditto's search API and citytwin's geo extension over HTTP, on a generated district. */
@Timeout(60)
class SearchIT {

  @TempDir static Path directory;
  private static RunningDistrict city;

  @BeforeAll
  static void startCity() throws Exception {
    city = new RunningDistrict(directory, 2, 3);
  }

  @AfterAll
  static void stopCity() {
    city.close();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static Set<String> ids(JsonArray items) {
    return items.stream()
        .map(item -> ((JsonObject) item).getString("thingId"))
        .collect(Collectors.toSet());
  }

  @Test
  void filtersByRqlAndProjectsFields() {
    RunningDistrict.Answer answer =
        city.get(
            "/api/2/search/things?filter="
                + encode("eq(definition,\"citytwin:waterlogging-gauge:1.0.0\")")
                + "&fields=thingId,attributes/hierarchy&option="
                + encode("size(200)"));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    JsonArray items = answer.json().getJsonArray("items");
    assertThat(ids(items))
        .isEqualTo(
            city.district.devices().stream()
                .map(d -> d.thingId().toString())
                .collect(Collectors.toSet()));
    assertThat(items.getJsonObject(0).fieldNames())
        .containsExactlyInAnyOrder("thingId", "attributes");
    assertThat(answer.json().containsKey("cursor")).isFalse();
  }

  @Test
  void countsAndPagesWithCursor() {
    assertThat(city.get("/api/2/search/things/count?namespaces=water").body()).isEqualTo("24");
    List<String> seen = new ArrayList<>();
    String next =
        "/api/2/search/things?namespaces=water&option=" + encode("size(10),sort(-thingId)");
    while (next != null) {
      JsonObject page = city.get(next).json();
      page.getJsonArray("items")
          .forEach(item -> seen.add(((JsonObject) item).getString("thingId")));
      next =
          page.containsKey("cursor")
              ? "/api/2/search/things?namespaces=water&option="
                  + encode("size(10),sort(-thingId),cursor(" + page.getString("cursor") + ")")
              : null;
    }
    assertThat(seen).hasSize(24).doesNotHaveDuplicates();
    assertThat(seen).isSortedAccordingTo(java.util.Comparator.reverseOrder());
  }

  @Test
  void findsThingsInANamedZoneAndNearAPoint() {
    Set<String> inFirstCatchment =
        city.district.devices().stream()
            .filter(gauge -> gauge.catchmentId().equals("catchment-01"))
            .map(gauge -> gauge.thingId().toString())
            .collect(Collectors.toSet());
    RunningDistrict.Answer answer =
        city.get(
            "/api/2/search/things?geo="
                + encode("within(zone:catchment-01)")
                + "&filter="
                + encode("eq(attributes/kind,\"waterlogging-gauge\")"));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(ids(answer.json().getJsonArray("items"))).isEqualTo(inFirstCatchment);

    SimDevice gauge = city.gauge(0);
    RunningDistrict.Answer near =
        city.get(
            "/api/2/search/things?geo="
                + encode(
                    "near("
                        + gauge.location().longitude()
                        + ","
                        + gauge.location().latitude()
                        + ",1)"));
    assertThat(ids(near.json().getJsonArray("items")))
        .as("the gauge and the waterlogging point it stands on")
        .contains(gauge.thingId().toString())
        .hasSize(2);
  }

  @Test
  void refusesInvalidFiltersOptionsAndGeoWithDittoStyleErrors() {
    assertError(
        city.get("/api/2/search/things?filter=" + encode("eq(attributes/name")),
        400,
        "rql.expression.invalid");
    assertError(
        city.get("/api/2/search/things?option=" + encode("size(1000)")),
        400,
        "thing-search:search.option.invalid");
    assertError(
        city.get("/api/2/search/things?geo=" + encode("within(zone:nowhere)")),
        400,
        "api:geo.invalid");
    assertError(
        city.get("/api/2/search/things?geo=" + encode("near(120.1,30.3)")), 400, "api:geo.invalid");
    assertError(
        city.get(
            "/api/2/search/things?geo=" + encode("within(POLYGON((0 0, 1 1, 1 0, 0 1, 0 0)))")),
        400,
        "api:geo.invalid");
  }

  @Test
  void servesTheThingModelOfEveryDefinition() {
    JsonArray models = new JsonArray(city.get("/api/models").body());
    assertThat(models).hasSize(23);
    RunningDistrict.Answer gauge = city.get("/api/models/citytwin:waterlogging-gauge:1.0.0");
    assertThat(gauge.status()).isEqualTo(200);
    assertThat(gauge.headers().get("Content-Type")).isEqualTo("application/tm+json");
    assertThat(gauge.json().getString("@type")).isEqualTo("tm:ThingModel");
    String definition =
        city.get("/api/2/things/" + city.gauge(0).thingId()).json().getString("definition");
    assertThat(city.get("/api/models/" + definition).status())
        .as("a twin's definition names its model")
        .isEqualTo(200);
    assertError(city.get("/api/models/citytwin:no-such-model:1.0.0"), 404, "api:model.notfound");
  }

  private static void assertError(RunningDistrict.Answer answer, int status, String code) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.json().getString("error")).isEqualTo(code);
    assertThat(answer.json().getString("message")).isNotBlank();
  }
}
