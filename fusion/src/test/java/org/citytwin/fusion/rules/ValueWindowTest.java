package org.citytwin.fusion.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The ring against the plain list it stands for, over wrap-arounds, growth and forgetting. */
class ValueWindowTest {

  private static final Instant START = Instant.parse("2026-07-20T14:00:00Z");

  /** One kept value of the plain model. */
  private record Kept(long at, double value) {}

  private static double expected(Deque<Kept> kept, ValueWindow.Aggregate aggregate, long from) {
    double[] chosen = kept.stream().filter(k -> k.at() >= from).mapToDouble(Kept::value).toArray();
    if (chosen.length == 0) {
      return Double.NaN;
    }
    return switch (aggregate) {
      case SUM -> Arrays.stream(chosen).sum();
      case AVG -> Arrays.stream(chosen).sum() / chosen.length;
      case MAX -> Arrays.stream(chosen).max().orElseThrow();
      case MIN -> Arrays.stream(chosen).min().orElseThrow();
      case COUNT -> chosen.length;
    };
  }

  @Test
  void aggregatesWhatAPlainListOfTheKeptValuesWould() {
    agreesWithThePlainList(new Random(20), 0);
  }

  @Test
  void aggregatesWhatAPlainListWouldWhenValuesComeOutOfTimeOrder() {
    // One value in fifty from the past: the lowest and highest are then found by scanning.
    agreesWithThePlainList(new Random(21), 2);
  }

  @Test
  void aggregatesWhatAPlainListWouldOverRepeatedValues() {
    Random random = new Random(22);
    ValueWindow window = new ValueWindow();
    Deque<Kept> kept = new ArrayDeque<>();
    Duration keep = Duration.ofMinutes(15);
    long now = START.toEpochMilli();
    for (int i = 0; i < 5_000; i++) {
      now += random.nextInt(3) * 1_000;
      // Few distinct values and many equal times: ties in both.
      double value = random.nextInt(4) / 4.0;
      window.add(Instant.ofEpochMilli(now), value, keep);
      forgetAsTheWindowDoes(kept, now, keep);
      kept.addLast(new Kept(now, value));
      long from = now - random.nextInt(20) * 1_000;
      for (ValueWindow.Aggregate aggregate : ValueWindow.Aggregate.values()) {
        assertThat(window.aggregate(aggregate, Instant.ofEpochMilli(from)))
            .as("%s at step %d", aggregate, i)
            .isCloseTo(expected(kept, aggregate, from), within(expected(kept, aggregate, from)));
      }
    }
  }

  private static void forgetAsTheWindowDoes(Deque<Kept> kept, long now, Duration keep) {
    while (!kept.isEmpty()
        && (kept.peekFirst().at() < now - keep.toMillis()
            || kept.size() >= ValueWindow.MAX_VALUES)) {
      kept.removeFirst();
    }
  }

  private static void agreesWithThePlainList(Random random, int percentFromThePast) {
    ValueWindow window = new ValueWindow();
    Deque<Kept> kept = new ArrayDeque<>();
    Duration keep = Duration.ofMinutes(15);
    long now = START.toEpochMilli();
    for (int i = 0; i < 20_000; i++) {
      // Bursts (which grow the ring and fill it to its bound) and pauses (which empty it).
      now += random.nextInt(100) < 97 ? random.nextInt(400) : random.nextInt(1_200_000);
      long at = random.nextInt(100) < percentFromThePast ? now - random.nextInt(600_000) : now;
      double value = Math.round(random.nextGaussian() * 1000) / 1000.0;
      window.add(Instant.ofEpochMilli(at), value, keep);
      forgetAsTheWindowDoes(kept, at, keep);
      kept.addLast(new Kept(at, value));

      long from = now - random.nextInt((int) keep.toMillis() + 60_000);
      for (ValueWindow.Aggregate aggregate : ValueWindow.Aggregate.values()) {
        double actual = window.aggregate(aggregate, Instant.ofEpochMilli(from));
        double wanted = expected(kept, aggregate, from);
        if (Double.isNaN(wanted)) {
          assertThat(actual).as("%s at step %d", aggregate, i).isNaN();
        } else {
          assertThat(actual).as("%s at step %d", aggregate, i).isCloseTo(wanted, within(wanted));
        }
      }
    }
  }

  private static Offset<Double> within(double wanted) {
    return Offset.offset(1e-9 * Math.max(1, Math.abs(wanted)));
  }
}
