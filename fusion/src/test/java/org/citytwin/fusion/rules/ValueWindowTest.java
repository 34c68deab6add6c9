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
    Random random = new Random(20);
    ValueWindow window = new ValueWindow();
    Deque<Kept> kept = new ArrayDeque<>();
    Duration keep = Duration.ofMinutes(15);
    long now = START.toEpochMilli();
    for (int i = 0; i < 20_000; i++) {
      // Bursts (which grow the ring and fill it to its bound) and pauses (which empty it).
      now += random.nextInt(100) < 97 ? random.nextInt(400) : random.nextInt(1_200_000);
      double value = Math.round(random.nextGaussian() * 1000) / 1000.0;
      window.add(Instant.ofEpochMilli(now), value, keep);
      while (!kept.isEmpty()
          && (kept.peekFirst().at() < now - keep.toMillis()
              || kept.size() >= ValueWindow.MAX_VALUES)) {
        kept.removeFirst();
      }
      kept.addLast(new Kept(now, value));

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
