package org.citytwin.history;

import java.time.Instant;
import java.util.Objects;
import org.eclipse.ditto.things.model.ThingId;

/**
 * Where a moving thing (a muck truck, a drone) was in {@code [from, to)}: the fixes of its {@code
 * feature}'s {@code longitude} and {@code latitude} observed at the same instant, oldest first, at
 * most {@code limit}.
 */
public record TrajectoryQuery(
    ThingId thingId, String feature, Instant from, Instant to, int limit) {

  public TrajectoryQuery {
    Objects.requireNonNull(thingId, "thingId");
    Objects.requireNonNull(feature, "feature");
    TimeRange.check(from, to);
    if (limit < 1 || limit > RangeQuery.MAX_LIMIT) {
      throw new IllegalArgumentException("'limit' must lie between 1 and " + RangeQuery.MAX_LIMIT);
    }
  }
}
