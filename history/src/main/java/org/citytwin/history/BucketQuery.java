package org.citytwin.history;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.eclipse.ditto.things.model.ThingId;

/**
 * The numeric readings of one feature property of one thing in {@code [from, to)}, summarised in
 * buckets of {@code width} counted from {@code from}: a day of a gauge at 1 Hz as 1,440 minutes.
 */
public record BucketQuery(
    ThingId thingId, String feature, String property, Instant from, Instant to, Duration width) {

  /** No answer holds more buckets than this; a wider range needs wider buckets. */
  public static final long MAX_BUCKETS = 100_000;

  public BucketQuery {
    Objects.requireNonNull(thingId, "thingId");
    Objects.requireNonNull(feature, "feature");
    Objects.requireNonNull(property, "property");
    Objects.requireNonNull(width, "width");
    TimeRange.check(from, to);
    if (width.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("a bucket must be at least 1 s wide");
    }
    if (Duration.between(from, to).dividedBy(width) >= MAX_BUCKETS) {
      throw new IllegalArgumentException(
          "at most " + MAX_BUCKETS + " buckets: widen the bucket or narrow the range");
    }
  }

  /** The bucket width in microseconds, the unit both databases count time in. */
  public long widthMicros() {
    return width.toNanos() / 1_000;
  }
}
