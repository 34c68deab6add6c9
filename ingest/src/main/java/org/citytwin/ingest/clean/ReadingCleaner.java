package org.citytwin.ingest.clean;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.citytwin.ingest.clean.CleaningRules.Rule;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.eclipse.ditto.things.model.ThingId;

/**
 * Judges each reading against what came before from the same sensor, and flags what it doubts (see
 * {@link QualityFlag}). It never drops a reading it doubts, so history keeps everything a device
 * said; it drops only exact repeats of a reading it has already taken (same twin, feature property
 * and observation time), so that a device resending after a lost acknowledgement does not double
 * history.
 *
 * <p>State is per series (twin, feature, property) and in memory: after a restart the first reading
 * of each series starts afresh. Safe for concurrent use; readings of one series are judged one at a
 * time.
 */
public final class ReadingCleaner {

  /** A reading observed longer ago than this when it arrives is late. */
  public static final Duration LATE_AFTER = Duration.ofMinutes(10);

  /** How far ahead of the server's clock a device's clock may run before it counts as wrong. */
  public static final Duration CLOCK_SLACK = Duration.ofMinutes(5);

  /** Observation times remembered per series for duplicate detection. */
  static final int REMEMBERED_TIMES = 16;

  private record SeriesKey(ThingId thingId, String feature, String property) {}

  /** What cleaning made of some readings. */
  public record Cleaned(List<Reading> kept, int duplicates) {
    public Cleaned {
      kept = List.copyOf(kept);
    }
  }

  private final CleaningRules rules;
  private final ConcurrentHashMap<SeriesKey, Series> series = new ConcurrentHashMap<>();

  public ReadingCleaner(CleaningRules rules) {
    this.rules = rules;
  }

  /**
   * Flags {@code readings} and leaves out repeats, judging them in list order.
   *
   * @param receivedAt when they arrived, for lateness and clock checks
   */
  public Cleaned clean(List<Reading> readings, Instant receivedAt) {
    List<Reading> kept = new ArrayList<>(readings.size());
    int duplicates = 0;
    for (Reading reading : readings) {
      SeriesKey key = new SeriesKey(reading.thingId(), reading.feature(), reading.property());
      Series one =
          series.computeIfAbsent(key, k -> new Series(rules.rule(k.feature(), k.property())));
      Reading judged;
      synchronized (one) {
        judged = one.judge(reading, receivedAt);
      }
      if (judged == null) {
        duplicates++;
      } else {
        kept.add(judged);
      }
    }
    return new Cleaned(kept, duplicates);
  }

  /**
   * Forgets that {@code readings} (as returned by {@link #clean}) were seen, because they were
   * never stored: a device resending them must not be told they are repeats.
   */
  public void forget(List<Reading> readings) {
    for (Reading reading : readings) {
      Series one =
          series.get(new SeriesKey(reading.thingId(), reading.feature(), reading.property()));
      if (one != null) {
        synchronized (one) {
          one.forget(reading.observedAt());
        }
      }
    }
  }

  /** One sensor's recent past. Guarded by its own monitor. */
  private static final class Series {
    private final Optional<Rule> rule;
    private final long[] recentMicros = new long[REMEMBERED_TIMES];
    private int recentCount;
    private int nextSlot;

    private Instant newest;

    private boolean hasGood;
    private double lastGood;
    private Instant lastGoodAt;

    private boolean hasSuspect;
    private double suspect;
    private Instant suspectAt;

    private boolean hasFlat;
    private double flatValue;
    private Instant flatSince;

    Series(Optional<Rule> rule) {
      this.rule = rule;
    }

    /** The reading with its flags, or null for a repeat. */
    Reading judge(Reading reading, Instant receivedAt) {
      Instant at = reading.observedAt();
      long micros = ChronoUnit.MICROS.between(Instant.EPOCH, at);
      if (seen(micros)) {
        return null;
      }
      remember(micros);
      EnumSet<QualityFlag> flags = EnumSet.noneOf(QualityFlag.class);
      flags.addAll(reading.quality());
      if (at.isAfter(receivedAt.plus(CLOCK_SLACK))) {
        flags.add(QualityFlag.CLOCK_AHEAD);
        return reading.withQuality(flags);
      }
      if (newest != null && at.isBefore(newest)) {
        flags.add(QualityFlag.OUT_OF_ORDER);
        return reading.withQuality(flags);
      }
      newest = at;
      if (Duration.between(at, receivedAt).compareTo(LATE_AFTER) > 0) {
        flags.add(QualityFlag.LATE);
      }
      if (!(reading.value() instanceof ReadingValue.Numeric numeric)) {
        // A lamp's state or a camera's scene has no rate of change and may rightly stay the same.
        return flags.equals(reading.quality()) ? reading : reading.withQuality(flags);
      }
      double value = numeric.number();
      if (rule.isPresent() && isSpike(value, at, rule.get())) {
        flags.add(QualityFlag.SPIKE);
        return reading.withQuality(flags);
      }
      hasGood = true;
      lastGood = value;
      lastGoodAt = at;
      hasSuspect = false;
      if (rule.isPresent() && isStuck(value, at, rule.get())) {
        flags.add(QualityFlag.STUCK);
      }
      return flags.equals(reading.quality()) ? reading : reading.withQuality(flags);
    }

    /**
     * A jump from the last good value larger than the quantity can make, unless it confirms an
     * earlier suspect jump: then the level really moved (a gauge reset, a sudden flood).
     */
    private boolean isSpike(double value, Instant at, Rule rule) {
      if (rule.maxChangePerMinute().isEmpty() || !hasGood) {
        return false;
      }
      double perMinute = rule.maxChangePerMinute().getAsDouble();
      if (Math.abs(value - lastGood) <= allowedChange(perMinute, lastGoodAt, at)) {
        return false;
      }
      if (hasSuspect && Math.abs(value - suspect) <= allowedChange(perMinute, suspectAt, at)) {
        return false;
      }
      hasSuspect = true;
      suspect = value;
      suspectAt = at;
      return true;
    }

    private static double allowedChange(double perMinute, Instant from, Instant to) {
      double minutes = Duration.between(from, to).toMillis() / 60_000.0;
      return perMinute * Math.max(1.0, minutes);
    }

    private boolean isStuck(double value, Instant at, Rule rule) {
      if (rule.stuckAfter().isEmpty()) {
        return false;
      }
      if (!hasFlat || value != flatValue) {
        hasFlat = true;
        flatValue = value;
        flatSince = at;
        return false;
      }
      return !rule.restingValues().contains(value)
          && Duration.between(flatSince, at).compareTo(rule.stuckAfter().get()) > 0;
    }

    private boolean seen(long micros) {
      for (int i = 0; i < recentCount; i++) {
        if (recentMicros[i] == micros) {
          return true;
        }
      }
      return false;
    }

    private void remember(long micros) {
      recentMicros[nextSlot] = micros;
      nextSlot = (nextSlot + 1) % REMEMBERED_TIMES;
      recentCount = Math.min(recentCount + 1, REMEMBERED_TIMES);
    }

    void forget(Instant observedAt) {
      long micros = ChronoUnit.MICROS.between(Instant.EPOCH, observedAt);
      for (int i = 0; i < recentCount; i++) {
        if (recentMicros[i] == micros) {
          // No real reading is observed at the epoch's first microsecond before 1970.
          recentMicros[i] = Long.MIN_VALUE;
        }
      }
    }
  }
}
