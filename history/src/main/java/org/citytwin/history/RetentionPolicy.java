package org.citytwin.history;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * How long history is kept: raw readings for {@code raw}, then as minute aggregates (count, min,
 * max, sum, last) until {@code aggregates}. Cut-offs fall on UTC midnights, so a day leaves raw
 * storage whole: on PostgreSQL that drops one partition instead of deleting rows.
 */
public record RetentionPolicy(Duration raw, Duration aggregates) {

  public RetentionPolicy {
    if (raw.compareTo(Duration.ofDays(1)) < 0) {
      throw new IllegalArgumentException("raw readings must be kept at least 1 day");
    }
    if (aggregates.compareTo(raw) < 0) {
      throw new IllegalArgumentException(
          "aggregates must be kept at least as long as raw readings");
    }
  }

  /** Raw readings observed before this instant are rolled up and removed. */
  public Instant rawCutoff(Instant now) {
    return now.minus(raw).truncatedTo(ChronoUnit.DAYS);
  }

  /** Minute aggregates that start before this instant are removed. */
  public Instant aggregateCutoff(Instant now) {
    return now.minus(aggregates).truncatedTo(ChronoUnit.DAYS);
  }
}
