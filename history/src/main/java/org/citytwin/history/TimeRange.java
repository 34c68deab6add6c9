package org.citytwin.history;

import java.time.Instant;
import java.util.Objects;

/** The half-open time range every history query takes, checked in one place. */
final class TimeRange {

  private TimeRange() {}

  static void check(Instant from, Instant to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("'from' must lie before 'to'");
    }
  }
}
