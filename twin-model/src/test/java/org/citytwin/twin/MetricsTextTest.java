package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricsTextTest {

  @Test
  void writesCountersAndGaugesWithTheirHeader() {
    StringBuilder text = new StringBuilder();
    MetricsText.counter(text, "rows_total", "Rows written.", 42);
    MetricsText.gauge(text, "waiting", "Appends waiting.", 0);

    assertThat(text.toString())
        .isEqualTo(
            "# HELP rows_total Rows written.\n# TYPE rows_total counter\nrows_total 42\n"
                + "# HELP waiting Appends waiting.\n# TYPE waiting gauge\nwaiting 0\n");
  }

  @Test
  void escapesLabelValuesAsPrometheusAsks() {
    assertThat(MetricsText.label("rule", "flood-warning")).isEqualTo("rule=\"flood-warning\"");
    assertThat(MetricsText.label("rule", "a\"b\\c\nd")).isEqualTo("rule=\"a\\\"b\\\\c\\nd\"");
  }

  @Test
  void bracesLabelsOnlyWhenThereAreSome() {
    StringBuilder text = new StringBuilder();
    MetricsText.sample(text, "subscribers", "feed=\"twins\"", 3);
    MetricsText.sample(text, "subscribers", "", 5);

    assertThat(text.toString()).isEqualTo("subscribers{feed=\"twins\"} 3\nsubscribers 5\n");
  }
}
