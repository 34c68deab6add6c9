package org.citytwin.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CI scenario played straight into the fusion engine, without a server: the shipped rules must
 * find what the plan's ground truth says happened, so that a shortfall in the CI run points at the
 * server's path, not at the scenario.
 */
class ScenarioPlanTest {

  private static final Instant START = InProcessPlay.START;

  @Test
  void theShippedRulesFindWhatThePlanSaysHappened() {
    for (long run = 1; run <= 5; run++) {
      long seed = run;
      Map<String, InProcessPlay.Quality> quality =
          InProcessPlay.play(
              new ScenarioPlan(
                  new GeneratedDistrict(seed, 0.01).generate(),
                  ScenarioPlan.Settings.ci(),
                  START,
                  seed));
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
      quality.forEach(
          (scenario, q) -> assertThat(q.misgraded()).as("misgraded %s", scenario).isEmpty());
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
