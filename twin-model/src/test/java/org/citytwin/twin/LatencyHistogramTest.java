package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  private static List<String> lines(LatencyHistogram histogram, String labels) {
    StringBuilder text = new StringBuilder();
    histogram.appendTo(text, "wait_seconds", labels);
    return text.toString().lines().toList();
  }

  @Test
  void countsEachWaitIntoItsBucketAndWritesCumulativePrometheusBuckets() {
    LatencyHistogram histogram = new LatencyHistogram();
    histogram.record(Duration.ofMillis(1)); // on a bound: counts in that bucket, as le means
    histogram.record(Duration.ofMillis(3));
    histogram.record(Duration.ofMillis(40));
    histogram.record(Duration.ofSeconds(30)); // beyond every bound
    histogram.record(-5); // a clock step: counted as no wait

    assertThat(histogram.count()).isEqualTo(5);
    assertThat(lines(histogram, ""))
        .containsExactly(
            "wait_seconds_bucket{le=\"0.001\"} 2",
            "wait_seconds_bucket{le=\"0.0025\"} 2",
            "wait_seconds_bucket{le=\"0.005\"} 3",
            "wait_seconds_bucket{le=\"0.01\"} 3",
            "wait_seconds_bucket{le=\"0.025\"} 3",
            "wait_seconds_bucket{le=\"0.05\"} 4",
            "wait_seconds_bucket{le=\"0.1\"} 4",
            "wait_seconds_bucket{le=\"0.25\"} 4",
            "wait_seconds_bucket{le=\"0.5\"} 4",
            "wait_seconds_bucket{le=\"1.0\"} 4",
            "wait_seconds_bucket{le=\"2.5\"} 4",
            "wait_seconds_bucket{le=\"5.0\"} 4",
            "wait_seconds_bucket{le=\"10.0\"} 4",
            "wait_seconds_bucket{le=\"+Inf\"} 5",
            "wait_seconds_sum 30.044000",
            "wait_seconds_count 5");
  }

  @Test
  void putsTheCallersLabelsBeforeTheBoundAndOnSumAndCount() {
    LatencyHistogram histogram = new LatencyHistogram();
    histogram.record(Duration.ofMillis(7));

    List<String> lines = lines(histogram, "rule=\"flood-warning\"");

    assertThat(lines.get(0))
        .isEqualTo("wait_seconds_bucket{rule=\"flood-warning\",le=\"0.001\"} 0");
    assertThat(lines.get(3)).isEqualTo("wait_seconds_bucket{rule=\"flood-warning\",le=\"0.01\"} 1");
    assertThat(lines.subList(lines.size() - 2, lines.size()))
        .containsExactly(
            "wait_seconds_sum{rule=\"flood-warning\"} 0.007000",
            "wait_seconds_count{rule=\"flood-warning\"} 1");
  }

  @Test
  void writesHelpAndTypeOnce() {
    StringBuilder text = new StringBuilder();
    LatencyHistogram.appendHeader(text, "wait_seconds", "How long it waited.");

    assertThat(text.toString())
        .isEqualTo("# HELP wait_seconds How long it waited.\n# TYPE wait_seconds histogram\n");
  }

  @Test
  void countsFromManyThreadsWithoutLosingAny() throws InterruptedException {
    LatencyHistogram histogram = new LatencyHistogram();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  histogram.record(i * 1_000L);
                }
              });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(histogram.count()).isEqualTo(40_000);
    assertThat(lines(histogram, "")).contains("wait_seconds_bucket{le=\"+Inf\"} 40000");
  }
}
