package org.citytwin.ingest;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stamps arrivals: a clock whose instants, at the microsecond history keeps, never repeat and never
 * go back. A payload without its own time is observed when it arrives, and cleaning drops a second
 * reading of a sensor at the same instant as a repeat; two distinct payloads arriving in the same
 * microsecond must therefore not share one.
 */
public final class ArrivalClock extends Clock {

  private final Clock wallClock;
  private final AtomicLong lastMicros = new AtomicLong(Long.MIN_VALUE);

  public ArrivalClock(Clock wallClock) {
    this.wallClock = wallClock;
  }

  @Override
  public Instant instant() {
    long now = ChronoUnit.MICROS.between(Instant.EPOCH, wallClock.instant());
    long stamped = lastMicros.accumulateAndGet(now, (last, wall) -> Math.max(last + 1, wall));
    return Instant.EPOCH.plus(stamped, ChronoUnit.MICROS);
  }

  @Override
  public ZoneId getZone() {
    return wallClock.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new ArrivalClock(wallClock.withZone(zone));
  }
}
