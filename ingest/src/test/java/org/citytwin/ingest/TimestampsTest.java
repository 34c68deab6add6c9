package org.citytwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  private final Timestamps timestamps = new Timestamps(ZoneId.of("Asia/Shanghai"));
  private static final Instant AT = Instant.parse("2026-07-14T08:30:00Z");

  @Test
  void readsEpochSecondsAndMilliseconds() {
    assertThat(timestamps.parse(AT.getEpochSecond())).isEqualTo(AT);
    assertThat(timestamps.parse(AT.toEpochMilli())).isEqualTo(AT);
  }

  @Test
  void readsIsoTextWithOffset() {
    assertThat(timestamps.parse("2026-07-14T16:30:00+08:00")).isEqualTo(AT);
    assertThat(timestamps.parse("2026-07-14T08:30:00Z")).isEqualTo(AT);
  }

  @Test
  void takesIsoTextWithoutOffsetAsDistrictLocalTime() {
    assertThat(timestamps.parse("2026-07-14T16:30:00")).isEqualTo(AT);
  }

  @Test
  void refusesAnythingElse() {
    assertThatThrownBy(() -> timestamps.parse("yesterday"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> timestamps.parse(-5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> timestamps.parse(true)).isInstanceOf(IllegalArgumentException.class);
  }
}
