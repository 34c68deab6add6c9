package org.citytwin.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every shipped rule measured against its scenario's ground truth with 5 % of each scenario's
 * sensors faulty (stuck, drifting, silent), pooled over districts large enough that faults land on
 * the sensors that see the cases, not only on the idle ones. The flood rule has its own, longer
 * measure in {@link FloodQualityTest}.
 */
class FieldQualityTest {

  private static final int DISTRICTS = 12;

  /**
   * Ten minutes of the CI plan, five times its length: a sensor fails in the first five, so a stuck
   * or drifting one has minutes to mislead.
   */
  private static final java.time.Duration RUN = java.time.Duration.ofMinutes(10);

  /** A twentieth of the full district: 75 strain gauges, 140 cameras, 10 water-quality stations. */
  private static final double SCALE = 0.05;

  /** Cases, incidents raised and hits of one scenario over every district. */
  private static final class Pooled {
    int expected;
    int raised;
    int hits;
    final List<String> misgraded = new ArrayList<>();

    void add(InProcessPlay.Quality quality) {
      expected += quality.expected().size();
      raised += quality.raised().size();
      hits += quality.hits();
      misgraded.addAll(quality.misgraded());
    }

    double precision() {
      return raised == 0 ? 1 : (double) hits / raised;
    }

    double recall() {
      return expected == 0 ? 1 : (double) hits / expected;
    }
  }

  @Test
  void everyShippedRuleKeepsPrecisionAndRecallWithFivePercentOfSensorsFaulty() {
    Map<String, Pooled> pooled = new TreeMap<>();
    Map<String, Integer> unseen = new TreeMap<>();
    Map<String, Set<SensorFaults.Fault>> faultsPlayed = new TreeMap<>();
    for (long seed = 1; seed <= DISTRICTS; seed++) {
      ScenarioPlan plan =
          new ScenarioPlan(
              new GeneratedDistrict(seed, SCALE).generate(),
              ScenarioPlan.Settings.ci().lasting(RUN).withFaultyShare(0.05),
              InProcessPlay.START,
              seed);
      // The cases that only failed sensors saw: the truth leaves them out, and they show that the
      // faults fell on the sensors that matter.
      ScenarioPlan healthy =
          new ScenarioPlan(
              plan.district(), plan.settings().withFaultyShare(0), plan.start(), plan.seed());
      Map<String, Integer> withFaults = new TreeMap<>();
      plan.expected().forEach(e -> withFaults.put(e.scenario(), e.cases().size()));
      healthy
          .expected()
          .forEach(
              e ->
                  unseen.merge(
                      e.scenario(), e.cases().size() - withFaults.get(e.scenario()), Integer::sum));
      InProcessPlay.play(plan)
          .forEach(
              (scenario, quality) ->
                  pooled.computeIfAbsent(scenario, s -> new Pooled()).add(quality));
      Map<String, SensorFaults> faults = plan.sensorFaults();
      faults.forEach(
          (scenario, chosen) ->
              chosen.failures().values().stream()
                  .map(SensorFaults.Failure::fault)
                  .forEach(
                      fault ->
                          faultsPlayed
                              .computeIfAbsent(
                                  scenario, n -> EnumSet.noneOf(SensorFaults.Fault.class))
                              .add(fault)));
    }
    pooled.forEach(
        (scenario, p) ->
            System.out.printf(
                "field quality %s over %d districts: %d cases (%d more only failed sensors saw), %d"
                    + " raised, precision %.3f, recall %.3f, misgraded %s%n",
                scenario,
                DISTRICTS,
                p.expected,
                unseen.get(scenario),
                p.raised,
                p.precision(),
                p.recall(),
                p.misgraded));
    assertThat(unseen.values().stream().mapToInt(Integer::intValue).sum())
        .as("cases hidden by failed sensors")
        .isGreaterThan(0);
    assertThat(faultsPlayed.keySet()).hasSize(7);
    faultsPlayed.forEach(
        (scenario, faults) ->
            assertThat(faults)
                .as("faults in %s", scenario)
                .containsExactlyInAnyOrder(SensorFaults.Fault.values()));
    assertThat(pooled).hasSize(7);
    pooled.forEach(
        (scenario, p) -> {
          assertThat(p.expected).as("cases of %s", scenario).isGreaterThan(0);
          assertThat(p.precision()).as("precision of %s", scenario).isGreaterThanOrEqualTo(0.95);
          assertThat(p.recall()).as("recall of %s", scenario).isGreaterThanOrEqualTo(0.95);
          assertThat(p.misgraded).as("misgraded %s", scenario).isEmpty();
        });
  }
}
