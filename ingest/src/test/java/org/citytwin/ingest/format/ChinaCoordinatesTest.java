package org.citytwin.ingest.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.citytwin.twin.WgsPoint;
import org.junit.jupiter.api.Test;

class ChinaCoordinatesTest {

  private static final double METRES_PER_DEGREE_LATITUDE = 110_540;

  @Test
  void gcj02IsUndoneToWithinAMillimetre() {
    for (double[] wgs : new double[][] {{120.1551, 30.2741}, {116.3913, 39.9075}, {87.6, 43.8}}) {
      double[] gcj = ChinaCoordinates.wgs84ToGcj02(wgs[0], wgs[1]);
      WgsPoint back = ChinaCoordinates.gcj02ToWgs84(gcj[0], gcj[1]);
      assertThat(back.longitude()).isCloseTo(wgs[0], within(1e-8));
      assertThat(back.latitude()).isCloseTo(wgs[1], within(1e-8));
    }
  }

  @Test
  void theGcj02OffsetInHangzhouIsTheFewHundredMetresEveryMapShows() {
    double[] gcj = ChinaCoordinates.wgs84ToGcj02(120.1551, 30.2741);
    double east =
        (gcj[0] - 120.1551) * METRES_PER_DEGREE_LATITUDE * Math.cos(Math.toRadians(30.27));
    double north = (gcj[1] - 30.2741) * METRES_PER_DEGREE_LATITUDE;
    // Published comparisons of WGS84 and GCJ-02 maps of Hangzhou: roughly 450 m east, 250 m south.
    assertThat(east).isBetween(400.0, 500.0);
    assertThat(north).isBetween(-300.0, -200.0);
  }

  @Test
  void bd09IsUndoneThroughGcj02() {
    double[] gcj = ChinaCoordinates.wgs84ToGcj02(120.1551, 30.2741);
    double[] bd = ChinaCoordinates.gcj02ToBd09(gcj[0], gcj[1]);
    assertThat(bd[0] - gcj[0]).as("BD-09 lies east of GCJ-02").isBetween(0.005, 0.008);
    WgsPoint back = ChinaCoordinates.bd09ToWgs84(bd[0], bd[1]);
    assertThat(back.longitude()).isCloseTo(120.1551, within(1e-8));
    assertThat(back.latitude()).isCloseTo(30.2741, within(1e-8));
  }

  @Test
  void outsideChinaNothingMoves() {
    WgsPoint paris = ChinaCoordinates.gcj02ToWgs84(2.3522, 48.8566);
    assertThat(paris).isEqualTo(new WgsPoint(2.3522, 48.8566));
  }
}
