package org.citytwin.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The JMH half of the fusion benchmark runs (in this JVM, one short iteration each, the smallest
 * workload): its states set up, every benchmark measures something, and the table names them. The
 * figures themselves come from {@code citytwin bench fusion-jmh}.
 */
class FusionJmhTest {

  @Test
  void everyBenchmarkRunsAndIsTabled() throws Exception {
    Collection<RunResult> results = FusionJmh.run(0, 0, 1, TimeValue.seconds(1), FusionJmh.SLICE);
    assertThat(results)
        .extracting(result -> result.getParams().getBenchmark())
        .containsExactlyInAnyOrder(
            FusionJmh.class.getName() + ".pointInZoneOneThread",
            FusionJmh.class.getName() + ".pointInZoneTwoThreads",
            FusionJmh.class.getName() + ".ruleEvaluation",
            FusionJmh.class.getName() + ".stormEvaluation");
    assertThat(results)
        .allSatisfy(result -> assertThat(result.getPrimaryResult().getScore()).isPositive());
    String table = FusionJmh.table(results);
    for (String name :
        List.of(
            "ruleEvaluation", "stormEvaluation", "pointInZoneOneThread", "pointInZoneTwoThreads")) {
      assertThat(table).contains("| " + name + " | ");
    }
    assertThat(table).contains("x one thread");
  }
}
