package org.citytwin.ingest.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BinaryNoiseTest {

  @Test
  void sumsOfDecimalsComeOutAsTheDecimalsTheyAre() {
    assertThat(3.12 + 2.15 - 5.0).isNotEqualTo(0.27);
    assertThat(DeclaredFormat.withoutBinaryNoise(3.12 + 2.15 - 5.0)).isEqualTo(0.27);
    assertThat(DeclaredFormat.withoutBinaryNoise(-(0.1 + 0.2))).isEqualTo(-0.3);
    assertThat(DeclaredFormat.withoutBinaryNoise(4521 * 0.1 - 4500 * 0.1)).isEqualTo(2.1);
    assertThat(0.9 / 100).isNotEqualTo(0.009);
    assertThat(DeclaredFormat.withoutBinaryNoise(0.9 / 100)).isEqualTo(0.009);
  }

  @Test
  void keepsTwelveSignificantDigitsWhateverTheMagnitude() {
    assertThat(DeclaredFormat.withoutBinaryNoise(123_456.789_012_345)).isEqualTo(123_456.789_012);
    assertThat(DeclaredFormat.withoutBinaryNoise(0.000_123_456_789_012_345))
        .isEqualTo(0.000_123_456_789_012);
    assertThat(DeclaredFormat.withoutBinaryNoise(120.145_277_123)).isEqualTo(120.145_277_123);
  }

  @Test
  void leavesZeroHugeAndTinyValuesAlone() {
    assertThat(DeclaredFormat.withoutBinaryNoise(0.0)).isZero();
    assertThat(DeclaredFormat.withoutBinaryNoise(1e13 + 0.5)).isEqualTo(1e13 + 0.5);
    assertThat(DeclaredFormat.withoutBinaryNoise(1.234e-30)).isEqualTo(1.234e-30);
  }
}
