package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.citytwin.twin.WgsPoint;
import org.junit.jupiter.api.Test;

class ZoneIndexTest {

  private final ZoneIndex zones = TestDistrict.zones();

  @Test
  void findsTheZoneOfTypeContainingAPoint() {
    assertThat(zones.containing(new WgsPoint(120.12, 30.30), "catchment"))
        .extracting(Zone::id)
        .containsExactly("catchment-west");
    assertThat(zones.containing(new WgsPoint(120.18, 30.30), "catchment"))
        .extracting(Zone::id)
        .containsExactly("catchment-east");
    assertThat(zones.containing(new WgsPoint(120.13, 30.30), "grid")).isEmpty();
    assertThat(zones.containing(new WgsPoint(121.00, 30.30), "catchment")).isEmpty();
  }

  @Test
  void pointOnASharedBoundaryBelongsToBothZones() {
    assertThat(zones.containing(new WgsPoint(120.15, 30.30), "catchment"))
        .extracting(Zone::id)
        .containsExactly("catchment-east", "catchment-west");
  }

  @Test
  void refusesMalformedGeoJsonNamingTheFeature() {
    assertThatThrownBy(() -> ZoneIndex.fromGeoJson(new JsonObject().put("type", "Feature")))
        .isInstanceOf(IllegalArgumentException.class);
    JsonObject bowtie =
        new JsonObject(
            "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"id\":\"bowtie\",\"type\":\"grid\"},"
                + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}");
    assertThatThrownBy(() -> ZoneIndex.fromGeoJson(bowtie))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bowtie");
  }

  @Test
  void buffersALineInMetresNotDegrees() {
    // The canal runs along 30.33 N with a 50 m strip: 0.0004 degrees of latitude is 44 m.
    assertThat(zones.containing(new WgsPoint(120.14, 30.3304), "embankment")).hasSize(1);
    assertThat(zones.containing(new WgsPoint(120.14, 30.3296), "embankment")).hasSize(1);
    assertThat(zones.containing(new WgsPoint(120.14, 30.3306), "embankment")).isEmpty();
  }

  @Test
  void measuresDistancesOnTheGaussKrugerPlane() {
    GaussKrugerMetres metres = new GaussKrugerMetres();
    // 0.01 degrees of longitude at 30.3 N: 111.32 km x cos(30.3) / 100 = 961 m
    assertThat(metres.metresBetween(new WgsPoint(120.10, 30.30), new WgsPoint(120.11, 30.30)))
        .isCloseTo(961.5, org.assertj.core.data.Offset.offset(1.5));
    // 0.01 degrees of latitude: 1,109 m at this latitude on GRS80
    assertThat(metres.metresBetween(new WgsPoint(120.10, 30.30), new WgsPoint(120.10, 30.31)))
        .isCloseTo(1109.0, org.assertj.core.data.Offset.offset(2.0));
    WgsPoint there = new WgsPoint(120.153, 30.312);
    WgsPoint back = metres.unproject(metres.project(there));
    assertThat(back.longitude())
        .isCloseTo(there.longitude(), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(back.latitude())
        .isCloseTo(there.latitude(), org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void keepsPropertiesAndRefusesUnreadableWorkingHours() {
    Zone site = zones.byId("site-a").orElseThrow();
    assertThat(site.texts("approvedVehicles")).containsExactly("fleet:truck-1");
    assertThat(site.openAt(java.time.LocalTime.of(23, 0))).isTrue();
    assertThat(site.openAt(java.time.LocalTime.of(5, 59))).isTrue();
    assertThat(site.openAt(java.time.LocalTime.of(14, 0))).isFalse();
    JsonObject badHours = TestDistrict.geoJson();
    badHours
        .getJsonArray("features")
        .getJsonObject(10)
        .getJsonObject("properties")
        .put("workingHours", "after dark");
    assertThatThrownBy(() -> ZoneIndex.fromGeoJson(badHours))
        .hasMessageContaining("site-a")
        .hasMessageContaining("workingHours");
  }

  @Test
  void readsPatrolTeamsAsTeamsNotZones() {
    assertThat(TestDistrict.teams())
        .extracting(PatrolTeam::id)
        .containsExactly("team-north", "team-south", "team-pv");
    assertThat(zones.types()).doesNotContain(PatrolTeam.FEATURE_TYPE);
  }
}
