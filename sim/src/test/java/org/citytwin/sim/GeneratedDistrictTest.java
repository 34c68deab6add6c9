package org.citytwin.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.citytwin.fusion.Zone;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.twin.ThingModels;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.things.model.Thing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedDistrictTest {

  @Test
  void theSameSeedAndScaleWriteTheSameFiles(@TempDir Path directory) throws IOException {
    new GeneratedDistrict(11, 0.01).generate().writeTo(directory.resolve("a"));
    new GeneratedDistrict(11, 0.01).generate().writeTo(directory.resolve("b"));
    new GeneratedDistrict(12, 0.01).generate().writeTo(directory.resolve("c"));
    for (String file : List.of(District.ZONES_FILE, District.THINGS_FILE)) {
      assertThat(Files.readString(directory.resolve("a").resolve(file)))
          .isEqualTo(Files.readString(directory.resolve("b").resolve(file)));
    }
    assertThat(Files.readString(directory.resolve("a").resolve(District.THINGS_FILE)))
        .isNotEqualTo(Files.readString(directory.resolve("c").resolve(District.THINGS_FILE)));
    // Devices are written with salted password hashes; what they are is the same.
    assertThat(new GeneratedDistrict(11, 0.01).generate().devices())
        .isEqualTo(new GeneratedDistrict(11, 0.01).generate().devices());
  }

  @Test
  void aFullDistrictHoldsTheFieldNotesCounts() {
    District district = new GeneratedDistrict(1, 1).generate();
    Map<String, Long> byDefinition =
        district.things().stream()
            .collect(
                Collectors.groupingBy(
                    thing -> thing.getDefinition().orElseThrow().toString(),
                    Collectors.counting()));
    assertThat(byDefinition).hasSize(8 + 15);
    long objects =
        GeneratedDistrict.CATEGORIES.stream()
            .mapToLong(c -> byDefinition.get("citytwin:" + c.name() + ":1.0.0"))
            .sum();
    assertThat(objects).isEqualTo(170_000);
    assertThat(district.devices()).hasSize(34_000);
    assertThat(district.devices().stream().map(SimDevice::thingId).distinct()).hasSize(34_000);
  }

  @Test
  void everyTwinLiesInItsHierarchyAndEveryDeviceWatchesAnObjectBesideIt() {
    District district = new GeneratedDistrict(5, 0.02).generate();
    ZoneIndex zones = ZoneIndex.fromGeoJson(district.zones());
    Map<String, Thing> byId =
        district.things().stream()
            .collect(
                Collectors.toMap(
                    thing -> thing.getEntityId().orElseThrow().toString(), Function.identity()));
    for (Thing thing : district.things()) {
      var attributes = thing.getAttributes().orElseThrow();
      WgsPoint where =
          WgsPoint.fromGeoJson(attributes.getValue(ThingModels.LOCATION).orElseThrow());
      var hierarchy = attributes.getValue(ThingModels.HIERARCHY).orElseThrow().asObject();
      for (String level : List.of("street", "community", "grid")) {
        assertThat(zones.containing(where, level))
            .as("%s of %s", level, thing.getEntityId().orElseThrow())
            .extracting(Zone::id)
            // a point on a shared edge lies in both zones; its hierarchy names one of them
            .contains(hierarchy.getValue(level).orElseThrow().asString());
      }
    }
    for (SimDevice device : district.devices()) {
      assertThat(zones.containing(device.location(), "catchment"))
          .extracting(Zone::id)
          .containsExactly(device.catchmentId());
      if (device.observes() != null) {
        Thing observed = byId.get(device.observes().toString());
        assertThat(observed).as("the object %s watches", device.deviceId()).isNotNull();
        assertThat(observed.getDefinition().orElseThrow().toString())
            .isEqualTo("citytwin:" + device.observedCategory() + ":1.0.0");
      }
    }
  }

  @Test
  void muckTrucksAreApprovedAtSitesAndEveryCatchmentHasRainAndGauges() {
    District district = new GeneratedDistrict(7, 0.01).generate();
    MuckTruckScenario trucks =
        new MuckTruckScenario(
            district,
            java.time.Instant.EPOCH,
            java.time.Duration.ofMinutes(2),
            java.time.Duration.ofSeconds(2),
            7,
            0);
    assertThat(trucks.trackers()).hasSizeGreaterThanOrEqualTo(4);
    assertThat(trucks.sites()).allMatch(site -> !site.approved().isEmpty());
    assertThat(trucks.runs()).anyMatch(MuckTruckScenario.Run::isCase);
    assertThat(trucks.runs()).anyMatch(run -> !run.isCase());
    ZoneIndex zones = ZoneIndex.fromGeoJson(district.zones());
    for (Zone catchment : zones.ofType("catchment")) {
      for (String kind : List.of("rain-gauge", FloodScenario.GAUGE_KIND)) {
        assertThat(district.devices())
            .as("a %s in %s", kind, catchment.id())
            .anyMatch(d -> d.kind().equals(kind) && d.catchmentId().equals(catchment.id()));
      }
    }
  }

  @Test
  void riverGaugesAreRegisteredWithTheLevelsTheirFormatNeeds(@TempDir Path directory)
      throws IOException {
    District district = new GeneratedDistrict(3, 0.02).generate();
    district.writeTo(directory);
    org.citytwin.ingest.DeviceRegistry registry =
        new org.citytwin.ingest.DeviceRegistry(new java.security.SecureRandom());
    registry.importJson(
        new io.vertx.core.json.JsonArray(
            Files.readString(directory.resolve(District.DEVICES_FILE))));
    org.citytwin.ingest.VendorFormats formats = org.citytwin.ingest.VendorFormats.builtIn();
    List<SimDevice> riverGauges =
        district.devices().stream().filter(d -> d.kind().equals("water-level-gauge")).toList();
    assertThat(riverGauges).isNotEmpty();
    for (SimDevice gauge : riverGauges) {
      org.citytwin.ingest.Device registered =
          registry
              .find(new org.citytwin.ingest.DeviceId(gauge.tenant(), gauge.deviceId()))
              .orElseThrow();
      double warningLine = registered.parameters().get("warningLevel");
      double datum = registered.parameters().get("datum");
      // A stage that puts the river exactly on its warning line reads as 0 m above it.
      long stageOnTheLine = Math.round((warningLine - datum) * 1000);
      var readings =
          formats
              .find(gauge.vendorFormat())
              .orElseThrow()
              .normalise(
                  new io.vertx.core.json.JsonObject()
                      .put("stage_mm", stageOnTheLine)
                      .put("ts", "2026-07-14T08:00:00"),
                  registered,
                  java.time.Instant.parse("2026-07-14T00:00:00Z"));
      assertThat(readings)
          .filteredOn(r -> r.feature().equals("level") && r.property().equals("aboveWarning"))
          .singleElement()
          .satisfies(
              r ->
                  assertThat(((org.citytwin.twin.ReadingValue.Numeric) r.value()).number())
                      .isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-9)));
    }
  }

  @Test
  void aScaleOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> new GeneratedDistrict(1, 0)).hasMessageContaining("scale");
    assertThatThrownBy(() -> new GeneratedDistrict(1, 1.5)).hasMessageContaining("scale");
  }
}
