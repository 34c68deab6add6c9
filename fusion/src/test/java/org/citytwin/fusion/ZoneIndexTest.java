package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.citytwin.twin.WgsPoint;
import org.junit.jupiter.api.Test;

class ZoneIndexTest {

  private final ZoneIndex zones = FusionEngineTest.twoCatchments();

  @Test
  void findsTheZoneOfTypeContainingAPoint() {
    assertThat(zones.containing(new WgsPoint(120.12, 30.30), "catchment"))
        .extracting(Zone::id)
        .containsExactly("catchment-west");
    assertThat(zones.containing(new WgsPoint(120.18, 30.30), "catchment"))
        .extracting(Zone::id)
        .containsExactly("catchment-east");
    assertThat(zones.containing(new WgsPoint(120.12, 30.30), "grid")).isEmpty();
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
}
