package org.citytwin.history;

import java.time.Instant;
import java.util.Objects;
import org.eclipse.ditto.things.model.ThingId;

/**
 * The readings of one feature property of one thing observed in {@code [from, to)}, oldest first,
 * at most {@code limit} of them.
 */
public record RangeQuery(
    ThingId thingId, String feature, String property, Instant from, Instant to, int limit) {

  /** No single answer holds more rows than this; callers page by time. */
  public static final int MAX_LIMIT = 100_000;

  public RangeQuery {
    Objects.requireNonNull(thingId, "thingId");
    Objects.requireNonNull(feature, "feature");
    Objects.requireNonNull(property, "property");
    TimeRange.check(from, to);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("'limit' must lie between 1 and " + MAX_LIMIT);
    }
  }
}
