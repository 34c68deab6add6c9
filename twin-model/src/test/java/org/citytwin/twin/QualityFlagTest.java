package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QualityFlagTest {

  @Test
  void everySetOfFlagsSurvivesItsMaskAndItsText() {
    int sets = 1 << QualityFlag.values().length;
    for (int mask = 0; mask < sets; mask++) {
      Set<QualityFlag> flags = QualityFlag.fromMask(mask);
      assertThat(QualityFlag.mask(flags)).isEqualTo(mask);
      assertThat(QualityFlag.parse(QualityFlag.format(flags))).isEqualTo(flags);
    }
  }

  @Test
  void storedBitsNeverMove() {
    // History keeps these bits on disk: reordering the enum would silently change old rows.
    assertThat(QualityFlag.mask(EnumSet.of(QualityFlag.SPIKE))).isEqualTo(1);
    assertThat(QualityFlag.mask(EnumSet.of(QualityFlag.STUCK))).isEqualTo(2);
    assertThat(QualityFlag.mask(EnumSet.of(QualityFlag.OUT_OF_ORDER))).isEqualTo(4);
    assertThat(QualityFlag.mask(EnumSet.of(QualityFlag.LATE))).isEqualTo(8);
    assertThat(QualityFlag.mask(EnumSet.of(QualityFlag.CLOCK_AHEAD))).isEqualTo(16);
  }
}
