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

  /** The depth, in centimetres to a millimetre, at {@code where} at {@code at}. */
  public double depthCentimetres(WgsPoint where, Instant at) {
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
    double distanceSquared =
        (dx * dx + dy * dy) / (settings.radiusMetres() * settings.radiusMetres());
    return Math.round(settings.peakDepthCentimetres() * Math.exp(-distanceSquared) * 10) / 10.0;
  }
}
