package org.citytwin.ingest.format;

import org.citytwin.twin.WgsPoint;

/**
 * Converts positions in the coordinate systems Chinese map services and trackers use to WGS84:
 * GCJ-02 (the national "offset" datum every map in China must use) and BD-09 (Baidu's, GCJ-02
 * offset again). CGCS2000 differs from WGS84 by centimetres and is taken as WGS84.
 *
 * <p>GCJ-02 is published only as a forward transform (WGS84 to GCJ-02, offsets of 100 to 700 m that
 * vary smoothly), so the way back is found by fixed-point iteration on it, to well under a
 * centimetre. Outside China's bounding box GCJ-02 equals WGS84.
 */
public final class ChinaCoordinates {

  /** The Krasovsky 1940 ellipsoid GCJ-02 is defined on. */
  private static final double SEMI_MAJOR_AXIS = 6_378_245.0;

  private static final double ECCENTRICITY_SQUARED = 0.006_693_421_622_965_943_23;
  private static final double BD_FACTOR = Math.PI * 3000.0 / 180.0;

  /** Iteration stops when the position moves less than this (about 1 mm). */
  private static final double TOLERANCE_DEGREES = 1e-8;

  private ChinaCoordinates() {}

  /** The WGS84 position of a GCJ-02 one. */
  public static WgsPoint gcj02ToWgs84(double longitude, double latitude) {
    if (outsideChina(longitude, latitude)) {
      return new WgsPoint(longitude, latitude);
    }
    double[] wgs = invert(ChinaCoordinates::wgs84ToGcj02, longitude, latitude, longitude, latitude);
    return new WgsPoint(wgs[0], wgs[1]);
  }

  /** The WGS84 position of a BD-09 one. */
  public static WgsPoint bd09ToWgs84(double longitude, double latitude) {
    double[] gcj = bd09ToGcj02(longitude, latitude);
    return gcj02ToWgs84(gcj[0], gcj[1]);
  }

  /**
   * {longitude, latitude} in GCJ-02 of a WGS84 position: the datum's defining transform. Public for
   * the simulator, whose trackers report as Chinese vendors' do.
   */
  public static double[] wgs84ToGcj02(double longitude, double latitude) {
    if (outsideChina(longitude, latitude)) {
      return new double[] {longitude, latitude};
    }
    double x = longitude - 105.0;
    double y = latitude - 35.0;
    double dLat = latitudeShift(x, y);
    double dLon = longitudeShift(x, y);
    double radLat = Math.toRadians(latitude);
    double magic = 1 - ECCENTRICITY_SQUARED * Math.sin(radLat) * Math.sin(radLat);
    double sqrtMagic = Math.sqrt(magic);
    dLat =
        (dLat * 180.0)
            / ((SEMI_MAJOR_AXIS * (1 - ECCENTRICITY_SQUARED)) / (magic * sqrtMagic) * Math.PI);
    dLon = (dLon * 180.0) / (SEMI_MAJOR_AXIS / sqrtMagic * Math.cos(radLat) * Math.PI);
    return new double[] {longitude + dLon, latitude + dLat};
  }

  /** {longitude, latitude} in BD-09 of a GCJ-02 position. */
  static double[] gcj02ToBd09(double longitude, double latitude) {
    double z = Math.hypot(longitude, latitude) + 0.000_02 * Math.sin(latitude * BD_FACTOR);
    double theta = Math.atan2(latitude, longitude) + 0.000_003 * Math.cos(longitude * BD_FACTOR);
    return new double[] {z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006};
  }

  /**
   * Baidu's published way back is approximate (off by up to about 0.1 m); refined here by the same
   * fixed-point iteration on the forward transform as GCJ-02.
   */
  private static double[] bd09ToGcj02(double longitude, double latitude) {
    double x = longitude - 0.0065;
    double y = latitude - 0.006;
    double z = Math.hypot(x, y) - 0.000_02 * Math.sin(y * BD_FACTOR);
    double theta = Math.atan2(y, x) - 0.000_003 * Math.cos(x * BD_FACTOR);
    return invert(
        ChinaCoordinates::gcj02ToBd09,
        longitude,
        latitude,
        z * Math.cos(theta),
        z * Math.sin(theta));
  }

  /** A transform of a position, {longitude, latitude} in and out. */
  private interface Transform {
    double[] apply(double longitude, double latitude);
  }

  /**
   * The position {@code forward} takes to ({@code longitude}, {@code latitude}), by fixed-point
   * iteration from a first guess: each step moves the guess back by how far {@code forward} misses.
   * Converges in a few steps because these transforms shift positions smoothly by far less than
   * their scale of variation.
   */
  private static double[] invert(
      Transform forward, double longitude, double latitude, double guessLon, double guessLat) {
    double lon = guessLon;
    double lat = guessLat;
    for (int i = 0; i < 30; i++) {
      double[] mapped = forward.apply(lon, lat);
      double dLon = mapped[0] - longitude;
      double dLat = mapped[1] - latitude;
      lon -= dLon;
      lat -= dLat;
      if (Math.abs(dLon) < TOLERANCE_DEGREES && Math.abs(dLat) < TOLERANCE_DEGREES) {
        break;
      }
    }
    return new double[] {lon, lat};
  }

  private static boolean outsideChina(double longitude, double latitude) {
    return longitude < 72.004 || longitude > 137.8347 || latitude < 0.8293 || latitude > 55.8271;
  }

  private static double latitudeShift(double x, double y) {
    double shift = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y;
    shift += 0.2 * Math.sqrt(Math.abs(x));
    shift += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    shift += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    shift +=
        (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return shift;
  }

  private static double longitudeShift(double x, double y) {
    double shift = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y;
    shift += 0.1 * Math.sqrt(Math.abs(x));
    shift += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    shift += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    shift +=
        (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return shift;
  }
}
