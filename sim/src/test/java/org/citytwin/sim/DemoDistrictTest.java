package org.citytwin.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
  void riverAndRainGaugesStandInTheirCatchmentsWithTheCalibrationTheirFormatNeeds() {
    District district = new DemoDistrict(42, 3, 4, 6, 1, "pw").generate();
    ZoneIndex zones = ZoneIndex.fromGeoJson(district.zones());
    assertThat(zones.ofType("river")).extracting(Zone::id).containsExactly("shangtang-river");
    assertThat(zones.ofType("embankment")).hasSize(4);
    assertThat(district.devices()).hasSize(36 + 6 + 9);
    for (SimDevice device : district.devices()) {
      assertThat(zones.containing(device.location(), "catchment"))
          .as(device.deviceId())
          .extracting(Zone::id)
          .containsExactly(device.catchmentId());
    }
    List<SimDevice> river =
        district.devices().stream().filter(d -> d.kind().equals("water-level-gauge")).toList();
    assertThat(river).hasSize(6);
    assertThat(river)
        .allSatisfy(g -> assertThat(zones.containing(g.location(), "river")).hasSize(1));
    assertThat(river.stream().map(SimDevice::catchmentId).distinct().count())
        .as("the river crosses the district")
        .isGreaterThanOrEqualTo(3);
    for (SimDevice gauge : river) {
      assertThat(gauge.vendorFormat()).isEqualTo(DemoDistrict.RIVER_GAUGE_FORMAT);
      assertThat(gauge.parameters()).containsOnlyKeys("datum", "warningLevel");
      assertThat(gauge.parameters().get("warningLevel") - gauge.parameters().get("datum"))
          .isCloseTo(3.5, org.assertj.core.data.Offset.offset(1e-9));
      var section =
          district.things().stream()
              .filter(t -> t.getEntityId().orElseThrow().equals(gauge.observes()))
              .findFirst()
              .orElseThrow();
      assertThat(section.getDefinition().orElseThrow().toString())
          .isEqualTo("citytwin:river-section:1.0.0");
      assertThat(
              section
                  .getAttributes()
                  .orElseThrow()
                  .getValue("warningLevel")
                  .orElseThrow()
                  .asDouble())
          .isEqualTo(gauge.parameters().get("warningLevel"));
    }
    Map<String, Long> rainByCatchment =
        district.devices().stream()
            .filter(d -> d.kind().equals("rain-gauge"))
            .collect(Collectors.groupingBy(SimDevice::catchmentId, Collectors.counting()));
    assertThat(rainByCatchment)
        .hasSize(9)
        .allSatisfy((catchment, count) -> assertThat(count).isOne());
    assertThat(district.devices().stream().map(SimDevice::thingId).collect(Collectors.toSet()))
        .hasSize(district.devices().size());
  }

  @Test
  void aDistrictWithoutRiverOrRainKeepsItsWaterloggingGaugesWhereTheyWere() {
    assertThat(new DemoDistrict(42, 3, 4, 6, 1, "pw").generate().devices().subList(0, 36))
        .isEqualTo(new DemoDistrict(42, 3, 4, "pw").generate().devices());
  }

  @Test
  void theRiverTopsItsWarningLineUnderTheCellAndTheRainIsHeaviestThere() {
    District district = new DemoDistrict(42, 3, 4, 6, 1, "pw").generate();
    Instant start = Instant.parse("2026-07-14T08:00:00Z");
    StormField storm =
        new StormField(
            start,
            new Rainstorm.Settings(Duration.ofSeconds(1), Duration.ofMinutes(10), 40, 2_500));
    List<SimDevice> river =
        district.devices().stream().filter(d -> d.kind().equals("water-level-gauge")).toList();
    // Before the cell comes in from the west, the river is well below its line everywhere.
    assertThat(river)
        .allSatisfy(
            g -> assertThat(storm.riverAboveWarningMetres(g.location(), start)).isLessThan(-0.5));
    // Some time in the crossing, each gauge sees the river over its line.
    for (SimDevice gauge : river) {
      double highest = -10;
      for (int second = 0; second < 600; second += 5) {
        highest =
            Math.max(
                highest,
                storm.riverAboveWarningMetres(gauge.location(), start.plusSeconds(second)));
      }
      assertThat(highest).as(gauge.deviceId()).isPositive().isLessThanOrEqualTo(0.8);
    }
    Instant midway = start.plus(Duration.ofMinutes(5));
    List<Double> rain =
        district.devices().stream()
            .filter(d -> d.kind().equals("rain-gauge"))
            .map(g -> storm.rainMillimetresPerHour(g.location(), midway))
            .toList();
    assertThat(java.util.Collections.max(rain)).isGreaterThan(16).isLessThanOrEqualTo(100);
    assertThat(java.util.Collections.min(rain)).isLessThan(java.util.Collections.max(rain));
  }

  @Test
  void aRainstormRefusesDevicesItHasNothingToReportFor() {
    SimDevice tracker =
        new SimDevice(
            "traffic",
            "gps-1",
            "pw",
            org.eclipse.ditto.things.model.ThingId.of("traffic", "gps-1"),
            "gps-gcj02",
            new org.citytwin.twin.WgsPoint(120.15, 30.3),
            "catchment-01",
            null,
            null,
            "gps-tracker",
            Map.of());
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  new Rainstorm(
                      vertx,
                      "127.0.0.1",
                      1,
                      List.of(tracker),
                      Rainstorm.Settings.demo(),
                      java.time.Clock.systemUTC()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gps-gcj02");
    } finally {
      vertx.close();
    }
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
    for (var thing : new DemoDistrict(42, 3, 4, 6, 1, "pw").generate().things()) {
      assertThat(models.find(thing.getDefinition().orElseThrow()))
          .as(thing.getEntityId().toString())
          .isPresent();
    }
  }
}
