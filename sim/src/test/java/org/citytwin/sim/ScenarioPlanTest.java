package org.citytwin.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.citytwin.fusion.FusionEngine;
import org.citytwin.fusion.Incident;
import org.citytwin.fusion.IncidentBook;
import org.citytwin.fusion.Observation;
import org.citytwin.fusion.PatrolTeam;
import org.citytwin.fusion.RuleLoader;
import org.citytwin.fusion.SlaPolicy;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.twin.ThingModels;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;

/**
 * The CI scenario played straight into the fusion engine, without a server: the shipped rules must
 * find what the plan's ground truth says happened, so that a shortfall in the CI run points at the
 * server's path, not at the scenario. Readings ingest keeps off the twins (spikes, a clock running
 * ahead, a reading older than the twin) are left out here as ingest leaves them out.
 */
class ScenarioPlanTest {

  private static final Instant START = Instant.parse("2026-07-14T02:00:00Z");

  record Quality(Set<String> expected, Set<String> raised) {
    double precision() {
      Set<String> hits = new HashSet<>(raised);
      hits.retainAll(expected);
      return raised.isEmpty() ? 1 : (double) hits.size() / raised.size();
    }

    double recall() {
      Set<String> hits = new HashSet<>(raised);
      hits.retainAll(expected);
      return expected.isEmpty() ? 1 : (double) hits.size() / expected.size();
    }
  }

  static Map<String, Quality> play(long seed) {
    District district = new GeneratedDistrict(seed, 0.01).generate();
    ScenarioPlan plan = new ScenarioPlan(district, ScenarioPlan.Settings.ci(), START, seed);
    ZoneIndex zones = ZoneIndex.fromGeoJson(district.zones());
    FusionEngine engine =
        new FusionEngine(
            zones,
            new IncidentBook(zones, PatrolTeam.fromGeoJson(district.zones()), SlaPolicy.defaults()),
            new RuleLoader().loadShipped(),
            Clock.fixed(START, ZoneOffset.UTC));
    Map<String, Instant> newest = new java.util.HashMap<>();
    plan.sends()
        .values()
        .forEach(
            sends ->
                sends.forEach(
                    send ->
                        send.readings()
                            .forEach(
                                reading -> {
                                  if (reading.fault() == ScenarioPlan.Fault.SPIKE
                                      || reading.fault() == ScenarioPlan.Fault.CLOCK_AHEAD) {
                                    return;
                                  }
                                  Instant last = newest.get(reading.series() + reading.device());
                                  if (last != null && !reading.observedAt().isAfter(last)) {
                                    return;
                                  }
                                  newest.put(
                                      reading.series() + reading.device(), reading.observedAt());
                                  engine.observe(observation(reading));
                                })));
    Set<String> floods = new TreeSet<>();
    Set<String> trucks = new TreeSet<>();
    for (Incident incident : engine.incidents().all()) {
      if (incident.template().type().equals("flood")) {
        floods.add(incident.scope());
      } else if (incident.template().type().equals("muck-truck")) {
        trucks.add(incident.subjects().get("vehicle"));
      }
    }
    Set<String> truckCases = new TreeSet<>();
    plan.muckTrucks().runs().stream()
        .filter(MuckTruckScenario.Run::isCase)
        .forEach(run -> truckCases.add(run.vehicle()));
    return Map.of(
        "flood",
        new Quality(plan.flood().floodedWhereSeen(15).keySet(), floods),
        "muck-truck",
        new Quality(truckCases, trucks));
  }

  private static Observation observation(ScenarioPlan.Reading reading) {
    SimDevice device = reading.device();
    JsonObject attributes =
        JsonFactory.newObjectBuilder()
            .set(ThingModels.LOCATION, device.location().toGeoJson())
            .set("observes", device.observes() == null ? "" : device.observes().toString())
            .set("vehicleKind", device.kind().equals("gps-tracker") ? "muck-truck" : "")
            .build();
    JsonPointer value;
    JsonValue number;
    Optional<org.citytwin.twin.WgsPoint> where = Optional.of(device.location());
    switch (reading.series()) {
      case "waterlogging/depth" -> {
        value = JsonPointer.of("features/waterlogging/properties/depth");
        number = JsonValue.of(reading.payload().getDouble("depth_cm") / 100);
      }
      case "rain/intensity" -> {
        value = JsonPointer.of("features/rain/properties/intensity");
        number =
            JsonValue.of(
                reading.payload().getInteger("tips")
                    * 720.0
                    / reading.payload().getInteger("interval_s"));
      }
      default -> {
        value = JsonPointer.of("features/position/properties/speed");
        number = JsonValue.of(reading.payload().getDouble("speed") / 3.6);
        where =
            Optional.of(
                org.citytwin.ingest.format.ChinaCoordinates.gcj02ToWgs84(
                    reading.payload().getDouble("lng"), reading.payload().getDouble("lat")));
      }
    }
    return new Observation(
        ThingId.of(device.thingId().toString()),
        "citytwin:" + device.kind() + ":1.0.0",
        where,
        attributes,
        JsonFactory.newObject().setValue(value, number),
        reading.observedAt());
  }

  @Test
  void theShippedRulesFindWhatThePlanSaysHappened() {
    for (long run = 1; run <= 5; run++) {
      long seed = run;
      Map<String, Quality> quality = play(seed);
      quality.forEach(
          (scenario, q) ->
              System.out.printf(
                  "seed %d %s: expected %d, raised %d, precision %.3f, recall %.3f%n",
                  seed,
                  scenario,
                  q.expected().size(),
                  q.raised().size(),
                  q.precision(),
                  q.recall()));
      assertThat(quality.get("flood").expected()).isNotEmpty();
      assertThat(quality.get("muck-truck").expected()).isNotEmpty();
      quality.values().forEach(q -> assertThat(q.precision()).isEqualTo(1.0));
      quality.values().forEach(q -> assertThat(q.recall()).isEqualTo(1.0));
    }
  }

  @Test
  void theSameSeedAndStartGiveTheSameSends() {
    District district = new GeneratedDistrict(3, 0.01).generate();
    List<String> first =
        new ScenarioPlan(district, ScenarioPlan.Settings.ci(), START, 3)
            .sends().values().stream().flatMap(List::stream).map(Object::toString).toList();
    List<String> again =
        new ScenarioPlan(
                new GeneratedDistrict(3, 0.01).generate(), ScenarioPlan.Settings.ci(), START, 3)
            .sends().values().stream().flatMap(List::stream).map(Object::toString).toList();
    assertThat(again).isEqualTo(first);
    assertThat(first).anyMatch(send -> send.contains("HTTP_BATCH"));
    assertThat(first).anyMatch(send -> send.contains("MQTT"));
    for (ScenarioPlan.Fault fault : ScenarioPlan.Fault.values()) {
      assertThat(first).as("a send with %s", fault).anyMatch(send -> send.contains(fault.name()));
    }
  }
}
