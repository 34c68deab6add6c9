package org.citytwin.fusion.rules;

import java.time.Duration;
import java.time.Instant;

/**
 * One twin's recent numeric values for one signal, oldest first, kept as long as the signal's
 * condition looks back and at most {@link #MAX_VALUES}. A ring of primitives: a district's worth of
 * them is held, and boxing every reading would double the memory.
 *
 * <p>The lowest and highest values since any time are answered without a scan: beside the ring sit
 * two monotone queues (the classic sliding-window minimum), each the values that are still the
 * lowest (highest) of everything after them. A rise condition asks for the lowest value of the last
 * 15 minutes at every reading; a gauge reporting every second keeps 900 values, and scanning them
 * was a third of fusion's time under load. The queues rely on values arriving in time order, as a
 * twin's do (a twin never rolls back); should one arrive out of order, the window answers by
 * scanning until it empties.
 *
 * <p>Not thread-safe; owned by the fusion engine's thread.
 */
public final class ValueWindow {

  /** Bounds one twin's memory however fast it reports (10 minutes at 1 Hz is 600). */
  public static final int MAX_VALUES = 4096;

  // Values are numbered in arrival order; value n sits in slot n & (capacity - 1).
  private long[] times = new long[8];
  private double[] values = new double[8];
  private long oldest; // the number of the oldest value held
  private long next; // the number the next value gets
  // Numbers of values, oldest first, whose values rise (lowest) or fall (highest) strictly.
  private final NumberQueue lowest = new NumberQueue();
  private final NumberQueue highest = new NumberQueue();
  // False once a value arrived earlier than the one before it, until the window empties.
  private boolean inTimeOrder = true;

  /** Adds a value and forgets those older than {@code keep} before it. */
  public void add(Instant at, double value, Duration keep) {
    long now = at.toEpochMilli();
    long forgetBefore = now - keep.toMillis();
    while (size() > 0 && (timeOf(oldest) < forgetBefore || size() >= MAX_VALUES)) {
      lowest.dropIfFirst(oldest);
      highest.dropIfFirst(oldest);
      oldest++;
    }
    if (size() == 0) {
      inTimeOrder = true;
    } else if (now < timeOf(next - 1)) {
      inTimeOrder = false;
    }
    if (size() == times.length) {
      grow();
    }
    int slot = slot(next);
    times[slot] = now;
    values[slot] = value;
    while (!lowest.isEmpty() && valueOf(lowest.last()) >= value) {
      lowest.dropLast();
    }
    lowest.add(next);
    while (!highest.isEmpty() && valueOf(highest.last()) <= value) {
      highest.dropLast();
    }
    highest.add(next);
    next++;
  }

  private int size() {
    return (int) (next - oldest);
  }

  private int slot(long number) {
    return (int) (number & (times.length - 1));
  }

  private long timeOf(long number) {
    return times[slot(number)];
  }

  private double valueOf(long number) {
    return values[slot(number)];
  }

  private void grow() {
    long[] newTimes = new long[times.length * 2];
    double[] newValues = new double[values.length * 2];
    for (long number = oldest; number < next; number++) {
      int newSlot = (int) (number & (newTimes.length - 1));
      newTimes[newSlot] = timeOf(number);
      newValues[newSlot] = valueOf(number);
    }
    times = newTimes;
    values = newValues;
  }

  /** The values from {@code since} (inclusive) on, aggregated. */
  public double aggregate(Aggregate aggregate, Instant since) {
    long from = since.toEpochMilli();
    if (inTimeOrder && (aggregate == Aggregate.MIN || aggregate == Aggregate.MAX)) {
      NumberQueue queue = aggregate == Aggregate.MIN ? lowest : highest;
      // The first queued value from `from` on is the extreme of every value from there on: those
      // between it and the one queued before it were no lower (higher) than it.
      long first = queue.firstAtOrAfter(this, from);
      return first < 0 ? Double.NaN : valueOf(first);
    }
    double sum = 0;
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    int count = 0;
    for (long number = oldest; number < next; number++) {
      int slot = slot(number);
      if (times[slot] < from) {
        continue;
      }
      double value = values[slot];
      sum += value;
      max = Math.max(max, value);
      min = Math.min(min, value);
      count++;
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

  /** A double-ended queue of value numbers, in a growing ring of primitives. */
  private static final class NumberQueue {
    private long[] numbers = new long[8];
    private int first;
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    long last() {
      return numbers[(first + size - 1) & (numbers.length - 1)];
    }

    void dropLast() {
      size--;
    }

    void dropIfFirst(long number) {
      if (size > 0 && numbers[first] == number) {
        first = (first + 1) & (numbers.length - 1);
        size--;
      }
    }

    void add(long number) {
      if (size == numbers.length) {
        long[] grown = new long[numbers.length * 2];
        for (int i = 0; i < size; i++) {
          grown[i] = numbers[(first + i) & (numbers.length - 1)];
        }
        numbers = grown;
        first = 0;
      }
      numbers[(first + size) & (numbers.length - 1)] = number;
      size++;
    }

    /** The first queued number whose value came at or after {@code from}; -1 if none did. */
    long firstAtOrAfter(ValueWindow window, long from) {
      // Times rise along the queue: search for the first at or after `from`.
      int low = 0;
      int high = size;
      while (low < high) {
        int middle = (low + high) >>> 1;
        if (window.timeOf(numbers[(first + middle) & (numbers.length - 1)]) < from) {
          low = middle + 1;
        } else {
          high = middle;
        }
      }
      return low == size ? -1 : numbers[(first + low) & (numbers.length - 1)];
    }
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
