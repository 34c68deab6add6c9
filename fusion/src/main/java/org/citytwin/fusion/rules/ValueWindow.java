package org.citytwin.fusion.rules;

import java.time.Duration;
import java.time.Instant;

/**
 * One twin's recent numeric values for one signal, oldest first, kept as long as the signal's
 * condition looks back and at most {@link #MAX_VALUES}. A ring of primitives: a district's worth of
 * them is held, and boxing every reading would double the memory.
 *
 * <p>Not thread-safe; owned by the fusion engine's thread.
 */
public final class ValueWindow {

  /** Bounds one twin's memory however fast it reports (10 minutes at 1 Hz is 600). */
  public static final int MAX_VALUES = 4096;

  private long[] times = new long[8];
  private double[] values = new double[8];
  private int first;
  private int size;

  /** Adds a value and forgets those older than {@code keep} before it. */
  public void add(Instant at, double value, Duration keep) {
    long now = at.toEpochMilli();
    long oldest = now - keep.toMillis();
    while (size > 0 && (times[first] < oldest || size >= MAX_VALUES)) {
      first = (first + 1) % times.length;
      size--;
    }
    if (size == times.length) {
      grow();
    }
    int last = (first + size) % times.length;
    times[last] = now;
    values[last] = value;
    size++;
  }

  private void grow() {
    long[] newTimes = new long[times.length * 2];
    double[] newValues = new double[values.length * 2];
    for (int i = 0; i < size; i++) {
      newTimes[i] = times[(first + i) % times.length];
      newValues[i] = values[(first + i) % values.length];
    }
    times = newTimes;
    values = newValues;
    first = 0;
  }

  /** The values from {@code since} (inclusive) on, aggregated. */
  public double aggregate(Aggregate aggregate, Instant since) {
    long from = since.toEpochMilli();
    double sum = 0;
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    int count = 0;
    // The ring in its two runs of slots, oldest first: no division per value, which a gauge
    // reporting every second for a 15-minute rise window asks 900 times per reading.
    int end = first + size;
    for (int run = 0; run < 2; run++) {
      int firstSlot = run == 0 ? first : 0;
      int endSlot = run == 0 ? Math.min(end, times.length) : end - times.length;
      for (int slot = firstSlot; slot < endSlot; slot++) {
        if (times[slot] < from) {
          continue;
        }
        double value = values[slot];
        sum += value;
        max = Math.max(max, value);
        min = Math.min(min, value);
        count++;
      }
    }
    if (count == 0) {
      return Double.NaN;
    }
    return switch (aggregate) {
      case SUM -> sum;
      case AVG -> sum / count;
      case MAX -> max;
      case MIN -> min;
      case COUNT -> count;
    };
  }

  /** What a window condition computes over a twin's recent values. */
  public enum Aggregate {
    SUM,
    AVG,
    MAX,
    MIN,
    COUNT
  }
}
