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
import org.citytwin.twin.AttributesText;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.citytwin.twin.ThingModels;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.things.model.ThingId;

/**
 * A {@link ScenarioPlan} played straight into the fusion engine, without a server, and scored
 * against the plan's ground truth. Readings ingest keeps off the twins (spikes, a clock running
 * ahead, a reading older than the twin) are left out here as ingest leaves them out.
 */
final class InProcessPlay {

  static final Instant START = Instant.parse("2026-07-14T02:00:00Z");

  private InProcessPlay() {}

  /**
   * A scenario's cases, the keys of the incidents raised (one entry per incident), and the cases
   * raised at another grade than the truth's.
   */
  record Quality(Set<String> expected, List<String> raised, List<String> misgraded) {
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

  /** Plays {@code plan} and scores each of its scenarios. */
  static Map<String, Quality> play(ScenarioPlan plan) {
    District district = plan.district();
    ZoneIndex zones = ZoneIndex.fromGeoJson(district.zones());
    FusionEngine engine =
        new FusionEngine(
            zones,
            new IncidentBook(zones, PatrolTeam.fromGeoJson(district.zones()), SlaPolicy.defaults()),
            new RuleLoader().loadShipped(),
            Clock.fixed(plan.start(), ZoneOffset.UTC));
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
      Map<String, List<String>> gradesRaised = new TreeMap<>();
      for (Incident incident : engine.incidents().all()) {
        if (incident.template().type().equals(expected.incidentType())) {
          String key = expected.key().of(incident.scope(), incident.subjects());
          raised.add(key);
          gradesRaised.computeIfAbsent(key, k -> new ArrayList<>()).add(incident.severity());
        }
      }
      List<String> misgraded = new ArrayList<>();
      expected
          .cases()
          .forEach(
              (key, expectedCase) ->
                  expectedCase
                      .severity()
                      .filter(severity -> gradesRaised.containsKey(key))
                      .filter(severity -> !gradesRaised.get(key).equals(List.of(severity)))
                      .ifPresent(
                          severity ->
                              misgraded.add(
                                  key
                                      + ": expected "
                                      + severity
                                      + ", raised "
                                      + gradesRaised.get(key))));
      quality.put(expected.scenario(), new Quality(expected.cases().keySet(), raised, misgraded));
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
            .normalise(
                reading.payload(),
                District.registration(device, anyPassword),
                reading.observedAt());
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
        AttributesText.of(attributes),
        features,
        reading.observedAt());
  }
}
