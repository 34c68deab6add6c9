package org.citytwin.history;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.eclipse.ditto.things.model.ThingId;

/**
 * The newest reading of one feature property for each of {@code things}, as it stood at {@code at}:
 * observed before {@code at} and no longer than {@code lookback} before it. A thing with no such
 * reading is left out of the answer. Readings flagged {@code spike} or {@code clock-ahead} do not
 * count, as they are kept off the twin.
 */
public record LatestQuery(
    List<ThingId> things, String feature, String property, Instant at, Duration lookback) {

  /** One answer covers at most this many things; callers page through a search. */
  public static final int MAX_THINGS = 1_000;

  /** How far back a latest value is looked for at most. */
  public static final Duration MAX_LOOKBACK = Duration.ofDays(366);

  public LatestQuery {
    things = List.copyOf(things);
    Objects.requireNonNull(feature, "feature");
    Objects.requireNonNull(property, "property");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(lookback, "lookback");
    if (things.size() > MAX_THINGS) {
      throw new IllegalArgumentException("at most " + MAX_THINGS + " things per query");
    }
    checkLookback(lookback);
  }

  /**
   * Refuses a lookback that is not positive or longer than {@link #MAX_LOOKBACK}, for callers that
   * check a request before building the query.
   *
   * @throws IllegalArgumentException naming the allowed range
   */
  public static void checkLookback(Duration lookback) {
    if (lookback.isNegative() || lookback.isZero() || lookback.compareTo(MAX_LOOKBACK) > 0) {
      throw new IllegalArgumentException("'lookback' must lie between 1 s and 366 days");
    }
  }

  /** The oldest instant a latest value may have been observed at. */
  public Instant since() {
    return at.minus(lookback);
  }
}
