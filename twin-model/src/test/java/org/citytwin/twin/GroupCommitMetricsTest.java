package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GroupCommitMetricsTest {

  private final GroupCommitMetrics commits =
      new GroupCommitMetrics(
          new GroupCommitMetrics.Names(
              "rows_commit_seconds",
              "One commit.",
              "rows_committed_total",
              "Rows committed.",
              "appends_waiting",
              "Appends waiting."));

  @Test
  void countsEveryCommitsTimeButOnlyTheItemsOfThoseThatSucceeded() {
    commits.started();
    commits.ended(500);
    commits.started();
    commits.ended(0); // failed

    StringBuilder text = new StringBuilder();
    commits.appendTo(text, 7);

    assertThat(text.toString())
        .startsWith(
            "# HELP rows_commit_seconds One commit.\n# TYPE rows_commit_seconds histogram\n")
        .contains("rows_commit_seconds_count 2\n")
        .contains("# TYPE rows_committed_total counter\nrows_committed_total 500\n")
        .endsWith(
            "# HELP appends_waiting Appends waiting.\n# TYPE appends_waiting gauge\n"
                + "appends_waiting 7\n");
  }

  @Test
  void tellsHowLongTheRunningCommitHasRun() throws InterruptedException {
    commits.started();
    Thread.sleep(5);

    assertThat(commits.runningNanos()).isGreaterThanOrEqualTo(5_000_000L);
  }
}
