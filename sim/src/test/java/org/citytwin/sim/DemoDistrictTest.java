package org.citytwin.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Collectors;
import org.citytwin.fusion.Zone;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.twin.ThingModels;
import org.junit.jupiter.api.Test;

class DemoDistrictTest {

  @Test
  void sameSeedGivesTheSameDistrict() {
    District first = new DemoDistrict(42, 3, 4, "pw").generate();
    District second = new DemoDistrict(42, 3, 4, "pw").generate();
    assertThat(second.zones()).isEqualTo(first.zones());
    assertThat(second.things()).isEqualTo(first.things());
    assertThat(second.devices()).isEqualTo(first.devices());
    assertThat(new DemoDistrict(43, 3, 4, "pw").generate().devices()).isNotEqualTo(first.devices());
  }

  @Test
  void everyGaugeStandsInExactlyTheCatchmentItsGroundTruthNames() {
    District district = new DemoDistrict(42, 3, 4, "pw").generate();
    ZoneIndex zones = ZoneIndex.fromGeoJson(district.zones());
    assertThat(zones.ofType("catchment")).hasSize(9);
    assertThat(zones.ofType("community")).hasSize(9);
    assertThat(zones.ofType("street")).hasSize(3);
    assertThat(zones.ofType("district")).hasSize(1);
    assertThat(org.citytwin.fusion.PatrolTeam.fromGeoJson(district.zones()))
        .extracting(org.citytwin.fusion.PatrolTeam::department)
        .containsOnly("water", "urban")
        .hasSize(6);
    assertThat(district.devices()).hasSize(36);
    for (SimDevice gauge : district.devices()) {
      assertThat(zones.containing(gauge.location(), "catchment"))
          .extracting(Zone::id)
          .containsExactly(gauge.catchmentId());
    }
    assertThat(
            district.things().stream()
                .filter(t -> t.getDefinition().orElseThrow().equals(ThingModels.WATERLOGGING_GAUGE))
                .count())
        .isEqualTo(36);
    assertThat(district.devices().stream().map(SimDevice::thingId).collect(Collectors.toSet()))
        .hasSize(36);
  }

  @Test
  void rainCellFloodsTheGaugesBeneathItAndLeavesOthersDry() {
    District district = new DemoDistrict(42, 3, 4, "pw").generate();
    Rainstorm.Settings settings =
        new Rainstorm.Settings(Duration.ofSeconds(1), Duration.ofMinutes(10), 40, 2_500);
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    Rainstorm storm =
        new Rainstorm(
            vertx,
            "127.0.0.1",
            1,
            district.devices(),
            settings,
            java.time.Clock.fixed(Instant.parse("2026-07-14T08:00:00Z"), java.time.ZoneOffset.UTC));
    try {
      Instant midway = Instant.parse("2026-07-14T08:05:00Z");
      double deepest =
          district.devices().stream()
              .mapToDouble(g -> storm.depthCentimetres(g, midway))
              .max()
              .orElseThrow();
      double shallowest =
          district.devices().stream()
              .mapToDouble(g -> storm.depthCentimetres(g, midway))
              .min()
              .orElseThrow();
      assertThat(deepest).isGreaterThan(15).isLessThanOrEqualTo(40);
      assertThat(shallowest).isLessThan(5);
      assertThat(storm.depthCentimetres(district.devices().get(0), midway))
          .isEqualTo(storm.depthCentimetres(district.devices().get(0), midway));
    } finally {
      storm.stop();
      vertx.close();
    }
  }

  @Test
  void everyTwinHasAShippedThingModel() {
    org.citytwin.twin.ThingModelCatalogue models = org.citytwin.twin.ThingModelCatalogue.shipped();
    for (var thing : new DemoDistrict(42, 3, 4, "pw").generate().things()) {
      assertThat(models.find(thing.getDefinition().orElseThrow()))
          .as(thing.getEntityId().toString())
          .isPresent();
    }
  }
}
