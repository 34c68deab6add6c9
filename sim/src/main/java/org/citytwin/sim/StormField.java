package org.citytwin.sim;

import java.time.Duration;
import java.time.Instant;
import org.citytwin.twin.WgsPoint;

/**
 * The standing water a rain cell leaves as it crosses the demo district from west to east, again
 * and again: the ground truth of the rainstorm. The depth is a Gaussian around the cell's centre,
 * which moves along the district's middle latitude.
 *
 * @param start when the cell first enters, a radius west of the district
 * @param settings the storm's interval, crossing time, peak depth and radius
 */
public record StormField(Instant start, Rainstorm.Settings settings) {

  private static final double METRES_PER_DEGREE_LATITUDE = 111_320;

  /** The rain at the cell's centre, in mm/h per centimetre of peak standing water. */
  private static final double RAIN_PER_PEAK_CENTIMETRE = 2.5;

  /** The rain falls wider than the water stands: the cell's rain radius over its water radius. */
  private static final double RAIN_SPREAD = 2.5;

  /** The river's level against its warning line when no rain falls, in metres. */
  private static final double DRY_RIVER_BELOW_WARNING = -1.2;

  /** How far the river rises, in metres, per centimetre of standing water beside it. */
  private static final double RIVER_RISE_PER_CENTIMETRE = 0.05;

  /** The depth, in centimetres to a millimetre, at {@code where} at {@code at}. */
  public double depthCentimetres(WgsPoint where, Instant at) {
    return Math.round(settings.peakDepthCentimetres() * falloff(where, at, 1) * 10) / 10.0;
  }

  /**
   * The rain intensity, in mm/h, at {@code where} at {@code at}: heaviest under the cell's centre
   * (2.5 mm/h per centimetre of peak depth, 100 mm/h for the demo's 40 cm), falling off over a
   * wider radius than the water.
   */
  public double rainMillimetresPerHour(WgsPoint where, Instant at) {
    return settings.peakDepthCentimetres()
        * RAIN_PER_PEAK_CENTIMETRE
        * falloff(where, at, RAIN_SPREAD);
  }

  /**
   * How far, in metres to a millimetre, the river stands above its warning line at {@code where} at
   * {@code at}: 1.2 m below it in dry weather, rising 5 cm for every centimetre of standing water
   * the cell leaves there, so that it tops the line where the water stands over 24 cm.
   */
  public double riverAboveWarningMetres(WgsPoint where, Instant at) {
    double centimetres = settings.peakDepthCentimetres() * falloff(where, at, 1);
    return Math.round((DRY_RIVER_BELOW_WARNING + RIVER_RISE_PER_CENTIMETRE * centimetres) * 1000)
        / 1000.0;
  }

  private double falloff(WgsPoint where, Instant at, double spread) {
    double crossingMillis = settings.crossing().toMillis();
    double phase =
        (Math.floorMod(Duration.between(start, at).toMillis(), (long) crossingMillis))
            / crossingMillis;
    // The cell enters a radius west of the district and leaves a radius east of it.
    double centreLatitude = (DemoDistrict.SOUTH + DemoDistrict.NORTH) / 2;
    double metresPerDegreeLongitude =
        METRES_PER_DEGREE_LATITUDE * Math.cos(Math.toRadians(centreLatitude));
    double margin = settings.radiusMetres() / metresPerDegreeLongitude;
    double centreLongitude =
        DemoDistrict.WEST - margin + phase * (DemoDistrict.EAST - DemoDistrict.WEST + 2 * margin);
    double dx = (where.longitude() - centreLongitude) * metresPerDegreeLongitude;
    double dy = (where.latitude() - centreLatitude) * METRES_PER_DEGREE_LATITUDE;
    double radius = settings.radiusMetres() * spread;
    return Math.exp(-(dx * dx + dy * dy) / (radius * radius));
  }
}
