package org.citytwin.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.citytwin.fusion.FusionEngine;
import org.citytwin.fusion.Incident;
import org.citytwin.fusion.IncidentBook;
import org.citytwin.fusion.Observation;
import org.citytwin.fusion.PatrolTeam;
import org.citytwin.fusion.RuleLoader;
import org.citytwin.fusion.SlaPolicy;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.ingest.PasswordHash;
import org.citytwin.ingest.VendorFormats;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.citytwin.twin.ThingModels;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
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

  /** A scenario's cases and the keys of the incidents raised, one entry per incident. */
  record Quality(Set<String> expected, List<String> raised) {
    int hits() {
      Set<String> hits = new HashSet<>(raised);
      hits.retainAll(expected);
      return hits.size();
    }

    double precision() {
      return raised.isEmpty() ? 1 : (double) hits() / raised.size();
    }

    double recall() {
      return expected.isEmpty() ? 1 : (double) hits() / expected.size();
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
    VendorFormats formats = VendorFormats.builtIn();
    PasswordHash anyPassword = PasswordHash.of("unused", new java.security.SecureRandom());
    Map<String, Instant> newest = new HashMap<>();
    Set<String> seen = new HashSet<>();
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
                                  String series = reading.series() + reading.device();
                                  Instant last = newest.get(series);
                                  if (last != null && !reading.observedAt().isAfter(last)) {
                                    return;
                                  }
                                  newest.put(series, reading.observedAt());
                                  seen.add(reading.device().kind());
                                  engine.observe(observation(reading, formats, anyPassword));
                                })));
    assertThat(seen)
        .contains(
            "waterlogging-gauge",
            "rain-gauge",
            "gps-tracker",
            "ai-camera",
            "strain-gauge",
            "lamp-controller",
            "pv-inspection",
            "water-quality-station");
    Map<String, Quality> quality = new TreeMap<>();
    for (ExpectedIncidents expected : plan.expected()) {
      List<String> raised = new ArrayList<>();
      for (Incident incident : engine.incidents().all()) {
        if (incident.template().type().equals(expected.incidentType())) {
          raised.add(expected.key().of(incident.scope(), incident.subjects()));
        }
      }
      quality.put(expected.scenario(), new Quality(expected.cases().keySet(), raised));
      expected
          .cases()
          .forEach(
              (key, expectedCase) ->
                  expectedCase
                      .severity()
                      .ifPresent(
                          severity ->
                              assertThat(
                                      engine.incidents().all().stream()
                                          .filter(
                                              incident ->
                                                  expected
                                                      .key()
                                                      .of(incident.scope(), incident.subjects())
                                                      .equals(key))
                                          .map(Incident::severity))
                                  .as("the grade of %s %s", expected.scenario(), key)
                                  .containsExactly(severity)));
    }
    return quality;
  }

  /**
   * The twin change a reading makes, as fusion sees it: the payload normalised by its vendor
   * format, at the device's place (a tracker's at the fix it reports).
   */
  private static Observation observation(
      ScenarioPlan.Reading reading, VendorFormats formats, PasswordHash anyPassword) {
    SimDevice device = reading.device();
    List<Reading> readings =
        formats
            .find(device.vendorFormat())
            .orElseThrow()
            .normalise(reading.payload(), District.registration(device, anyPassword), START);
    JsonObject features = JsonFactory.newObject();
    Map<String, Double> position = new HashMap<>();
    for (Reading canonical : readings) {
      features =
          features.setValue(
              JsonPointer.of(
                  "features/" + canonical.feature() + "/properties/" + canonical.property()),
              canonical.value().toJson());
      if (canonical.feature().equals("position")
          && canonical.value() instanceof ReadingValue.Numeric number) {
        position.put(canonical.property(), number.number());
      }
    }
    Optional<WgsPoint> where =
        position.containsKey("longitude") && position.containsKey("latitude")
            ? Optional.of(new WgsPoint(position.get("longitude"), position.get("latitude")))
            : Optional.of(device.location());
    JsonObject attributes =
        JsonFactory.newObjectBuilder()
            .set(ThingModels.LOCATION, device.location().toGeoJson())
            .set("observes", device.observes() == null ? "" : device.observes().toString())
            .set("vehicleKind", device.kind().equals("gps-tracker") ? "muck-truck" : "")
            .build();
    return new Observation(
        ThingId.of(device.thingId().toString()),
        "citytwin:" + device.kind() + ":1.0.0",
        where,
        attributes,
        features,
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
      quality.forEach(
          (scenario, q) -> assertThat(q.expected()).as("the cases of %s", scenario).isNotEmpty());
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
