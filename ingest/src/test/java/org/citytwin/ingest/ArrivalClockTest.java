package org.citytwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ArrivalClockTest {

  @Test
  void arrivalsInTheSameMicrosecondGetDistinctIncreasingInstants() {
    Instant frozen = Instant.parse("2026-07-14T08:00:00.000001Z");
    ArrivalClock clock = new ArrivalClock(Clock.fixed(frozen, ZoneOffset.UTC));

    Instant first = clock.instant();
    Instant second = clock.instant();
    Instant third = clock.instant();

    assertThat(first).isEqualTo(frozen);
    assertThat(second).isEqualTo(frozen.plusNanos(1_000));
    assertThat(third).isEqualTo(frozen.plusNanos(2_000));
  }

  @Test
  void followsTheWallClockWhenItMovesOnAndNeverGoesBack() {
    Instant[] wall = {Instant.parse("2026-07-14T08:00:00Z")};
    Clock moving =
        new Clock() {
          @Override
          public Instant instant() {
            return wall[0];
          }

          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }
        };
    ArrivalClock clock = new ArrivalClock(moving);
    clock.instant();
    wall[0] = wall[0].plusSeconds(5);
    assertThat(clock.instant()).isEqualTo(wall[0]);
    wall[0] = wall[0].minusSeconds(60);
    assertThat(clock.instant()).isEqualTo(wall[0].plusSeconds(60).plusNanos(1_000));
  }
}
