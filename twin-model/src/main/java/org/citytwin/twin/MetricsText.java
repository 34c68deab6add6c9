package org.citytwin.twin;

/**
 * Writes samples in Prometheus' text format, for the parts that each write their own share of
 * {@code /metrics} ({@link LatencyHistogram} writes its own series). Labels are given as
 * Prometheus' label text without braces ({@code feed="twins"}); empty for none.
 */
public final class MetricsText {

  private MetricsText() {}

  /** The {@code # HELP} and {@code # TYPE} lines of {@code name}. */
  public static void header(StringBuilder text, String name, String type, String help) {
    text.append("# HELP ").append(name).append(' ').append(help).append('\n');
    text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  /** One sample of {@code name} with {@code labels}. */
  public static void sample(StringBuilder text, String name, String labels, long value) {
    text.append(name);
    if (!labels.isEmpty()) {
      text.append('{').append(labels).append('}');
    }
    text.append(' ').append(value).append('\n');
  }

  /**
   * The label text {@code name="value"}, the value escaped as Prometheus' text format asks
   * (backslash, double quote, line feed), so that any rule id or name is safe in a label.
   */
  public static String label(String name, String value) {
    String escaped = value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    return name + "=\"" + escaped + "\"";
  }

  /** A counter with one unlabelled sample, header included. */
  public static void counter(StringBuilder text, String name, String help, long value) {
    header(text, name, "counter", help);
    sample(text, name, "", value);
  }

  /** A gauge with one unlabelled sample, header included. */
  public static void gauge(StringBuilder text, String name, String help, long value) {
    header(text, name, "gauge", help);
    sample(text, name, "", value);
  }
}
