package org.citytwin.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
import org.citytwin.twin.AttributesText;
import org.citytwin.twin.ThingModels;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.junit.jupiter.api.Test;

/**
 * The shipped flood rule measured against the storm's ground truth with 5 % of the gauges faulty:
 * precision and recall per catchment, and how long after the water really passed 15 cm the incident
 * was reported.
 */
class FloodQualityTest {

  private static final Instant START = Instant.parse("2026-07-14T10:00:00Z");
  private static final JsonPointer DEPTH = JsonPointer.of("features/waterlogging/properties/depth");

  record Quality(double precision, double recall, Duration medianLatency, Duration worstLatency) {}

  /**
   * 16 catchments of 6 gauges, a report every 30 s for an hour (two crossings of the cell), 5 % of
   * the gauges failing.
   */
  static FloodScenario scenario(long seed) {
    return new FloodScenario(
        new DemoDistrict(seed, 4, 6, "pw").generate(),
        new StormField(
            START,
            new Rainstorm.Settings(Duration.ofSeconds(30), Duration.ofMinutes(30), 40, 2_500)),
        START,
        Duration.ofMinutes(60),
        0.05,
        seed);
  }

  static Quality measure(long seed) {
    FloodScenario scenario = scenario(seed);
    District district = scenario.district();
    ZoneIndex zones = ZoneIndex.fromGeoJson(district.zones());
    List<PatrolTeam> teams = PatrolTeam.fromGeoJson(district.zones());
    FusionEngine engine =
        new FusionEngine(
            zones,
            new IncidentBook(zones, teams, SlaPolicy.defaults()),
            new RuleLoader().loadShipped(),
            Clock.fixed(START, ZoneOffset.UTC));
    for (FloodScenario.Report report : scenario.reports()) {
      engine.observe(
          new Observation(
              report.gauge().thingId(),
              ThingModels.WATERLOGGING_GAUGE.toString(),
              Optional.of(report.gauge().location()),
              AttributesText.of(
                  JsonFactory.newObjectBuilder()
                      .set(ThingModels.LOCATION, report.gauge().location().toGeoJson())
                      .build()),
              JsonFactory.newObject()
                  .setValue(DEPTH, JsonValue.of(report.depthCentimetres() / 100)),
              report.at()));
    }
    Map<String, Instant> truth = scenario.flooded(15);
    Map<String, Instant> reported = new TreeMap<>();
    for (Incident incident : engine.incidents().all()) {
      if (incident.template().type().equals("flood")) {
        reported.merge(incident.scope(), incident.raisedAt(), (a, b) -> a.isBefore(b) ? a : b);
      }
    }
    Set<String> hits = new HashSet<>(reported.keySet());
    hits.retainAll(truth.keySet());
    List<Duration> latencies = new ArrayList<>();
    for (String catchment : hits) {
      latencies.add(Duration.between(truth.get(catchment), reported.get(catchment)));
    }
    latencies.sort(null);
    return new Quality(
        reported.isEmpty() ? 1 : (double) hits.size() / reported.size(),
        truth.isEmpty() ? 1 : (double) hits.size() / truth.size(),
        latencies.isEmpty() ? Duration.ZERO : latencies.get(latencies.size() / 2),
        latencies.isEmpty() ? Duration.ZERO : latencies.get(latencies.size() - 1));
  }

  @Test
  void theFloodRuleFindsFloodedCatchmentsDespiteFaultyGauges() {
    double precision = 0;
    double recall = 0;
    int runs = 0;
    for (long seed = 1; seed <= 10; seed++) {
      Quality quality = measure(seed);
      System.out.printf(
          "flood quality, seed %d: precision %.3f, recall %.3f, latency median %s, worst %s%n",
          seed,
          quality.precision(),
          quality.recall(),
          quality.medianLatency(),
          quality.worstLatency());
      precision += quality.precision();
      recall += quality.recall();
      runs++;
      assertThat(quality.worstLatency()).isLessThanOrEqualTo(Duration.ofMinutes(5));
    }
    System.out.printf(
        "flood quality over %d districts: precision %.3f, recall %.3f%n",
        runs, precision / runs, recall / runs);
    assertThat(precision / runs).isGreaterThanOrEqualTo(0.95);
    assertThat(recall / runs).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void theScenarioHasFloodedAndDryCatchmentsAndEveryKindOfFault() {
    FloodScenario scenario = scenario(3);
    assertThat(scenario.faults().failures()).hasSize(5);
    assertThat(scenario.faults().failures().values())
        .extracting(SensorFaults.Failure::fault)
        .contains(SensorFaults.Fault.values());
    assertThat(scenario.flooded(15)).isNotEmpty().hasSizeLessThan(scenario.catchments().size());
  }
}
