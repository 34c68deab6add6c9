package org.citytwin.twin;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * How long something took, counted into fixed buckets from a millisecond to ten seconds and written
 * in Prometheus' histogram text format, so that an operator can read a percentile over any window
 * ({@code histogram_quantile}) rather than one the process chose. Safe for concurrent use:
 * recording is a few uncontended additions, cheap enough for every reading of a busy district.
 *
 * <p>The bounds suit the waits of a live district: a group commit of a few milliseconds, a twin
 * change delivered within the 50 ms the flood screen allows, a storage stall of seconds.
 */
public final class LatencyHistogram {

  /** Upper bounds of the buckets, in seconds; a last bucket takes everything longer. */
  static final double[] BOUNDS_SECONDS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];

  static {
    for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
      BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
    }
  }

  // Each bucket counts only its own range; the text adds them up, as Prometheus' buckets are
  // cumulative.
  private final LongAdder[] buckets = new LongAdder[BOUNDS_SECONDS.length + 1];
  private final LongAdder sumNanos = new LongAdder();

  public LatencyHistogram() {
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  /** Counts one wait of {@code nanos} nanoseconds; a negative one (a clock step) as zero. */
  public void record(long nanos) {
    long wait = Math.max(0, nanos);
    int bucket = 0;
    while (bucket < BOUNDS_NANOS.length && wait > BOUNDS_NANOS[bucket]) {
      bucket++;
    }
    buckets[bucket].increment();
    sumNanos.add(wait);
  }

  /** Counts one wait; see {@link #record(long)}. */
  public void record(Duration wait) {
    record(wait.toNanos());
  }

  /** Waits counted so far. */
  public long count() {
    long count = 0;
    for (LongAdder bucket : buckets) {
      count += bucket.sum();
    }
    return count;
  }

  /**
   * Writes the histogram's series ({@code _bucket}, {@code _sum}, {@code _count}) under {@code
   * name}, each with {@code labels} (Prometheus' label text without braces, such as {@code
   * rule="flood"}; empty for none). The caller writes the {@code # HELP} and {@code # TYPE} lines
   * once per name.
   */
  public void appendTo(StringBuilder text, String name, String labels) {
    String separator = labels.isEmpty() ? "" : ",";
    long cumulative = 0;
    for (int i = 0; i < buckets.length; i++) {
      cumulative += buckets[i].sum();
      String bound = i < BOUNDS_SECONDS.length ? bound(BOUNDS_SECONDS[i]) : "+Inf";
      text.append(name)
          .append("_bucket{")
          .append(labels)
          .append(separator)
          .append("le=\"")
          .append(bound)
          .append("\"} ")
          .append(cumulative)
          .append('\n');
    }
    String braced = labels.isEmpty() ? "" : "{" + labels + "}";
    text.append(name)
        .append("_sum")
        .append(braced)
        .append(' ')
        .append(String.format(Locale.ROOT, "%.6f", sumNanos.sum() / 1e9))
        .append('\n');
    text.append(name).append("_count").append(braced).append(' ').append(cumulative).append('\n');
  }

  /** Writes the histogram's header and then its series without labels, under {@code name}. */
  public void appendWithHeader(StringBuilder text, String name, String help) {
    appendHeader(text, name, help);
    appendTo(text, name, "");
  }

  /** The {@code # HELP} and {@code # TYPE} lines of a histogram called {@code name}. */
  public static void appendHeader(StringBuilder text, String name, String help) {
    MetricsText.header(text, name, "histogram", help);
  }

  private static String bound(double seconds) {
    String text = String.format(Locale.ROOT, "%.4f", seconds);
    // 0.0010 -> 0.001, 1.0000 -> 1.0, as Prometheus' clients print them
    text = text.replaceAll("0+$", "");
    return text.endsWith(".") ? text + "0" : text;
  }
}
