package org.citytwin.ingest.format;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.ditto.things.model.ThingId;

/**
 * Turns a cumulative counter (a rain gauge's tips since power-on, a meter's register) into a rate
 * between a device's consecutive readings. The counter itself is stored as its own reading, so a
 * rate can always be recomputed from history; this only remembers each device's newest count.
 *
 * <p>No rate comes from a device's first count after citytwin starts, from a count no newer than
 * the remembered one (a repeat or a late reading), or from a count lower than the remembered one (a
 * device restart or a wrapped counter: the new count becomes the base). Safe for concurrent use:
 * one device's counts may arrive on several event loops.
 */
final class CounterRates {

  private record Count(double value, Instant at) {}

  private final ConcurrentHashMap<ThingId, Count> newest = new ConcurrentHashMap<>();

  /**
   * The rate per {@code per} since the device's previous count, and remembers this one when it is
   * the newest.
   */
  OptionalDouble next(ThingId device, double count, Instant at, Duration per) {
    double[] rate = {Double.NaN};
    newest.compute(
        device,
        (key, previous) -> {
          if (previous == null) {
            return new Count(count, at);
          }
          if (!at.isAfter(previous.at())) {
            return previous;
          }
          if (count >= previous.value()) {
            double elapsedPer =
                (double) Duration.between(previous.at(), at).toNanos() / per.toNanos();
            rate[0] = (count - previous.value()) / elapsedPer;
          }
          return new Count(count, at);
        });
    return Double.isNaN(rate[0]) ? OptionalDouble.empty() : OptionalDouble.of(rate[0]);
  }
}
