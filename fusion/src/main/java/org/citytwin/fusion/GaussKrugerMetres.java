package org.citytwin.fusion;

import org.citytwin.twin.WgsPoint;
import org.locationtech.jts.geom.CoordinateFilter;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.proj4j.CRSFactory;
import org.locationtech.proj4j.CoordinateReferenceSystem;
import org.locationtech.proj4j.CoordinateTransform;
import org.locationtech.proj4j.CoordinateTransformFactory;
import org.locationtech.proj4j.ProjCoordinate;

/**
 * Distances and buffers in metres, computed in CGCS2000 3-degree Gauss-Kruger, central meridian 120
 * E (EPSG:4549), the plane the district's surveyors use.
 *
 * <p>Degrees are not metres: at 30 N a degree of longitude is about 96 km and a degree of latitude
 * 111 km, so a buffer drawn in degrees is an ellipse 15 % off. Projecting to the Gauss-Kruger plane
 * keeps scale error under 0.1 % within 1.5 degrees of the central meridian, which covers Hangzhou.
 * CGCS2000 and WGS84 differ by centimetres, well inside a sensor's placement error, so positions
 * are projected as if WGS84 were CGCS2000.
 *
 * <p>The projection is given by its parameters (those of EPSG:4549) rather than looked up, so no
 * EPSG database is needed. proj4j's transforms keep scratch state, so each instance is confined to
 * one thread; build one per thread (they are cheap).
 */
public final class GaussKrugerMetres {

  /** EPSG:4549's definition: transverse Mercator on the GRS80 (CGCS2000) ellipsoid. */
  public static final String EPSG_4549 =
      "+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs";

  private static final String WGS84 = "+proj=longlat +ellps=GRS80 +no_defs";

  private final CoordinateTransform toPlane;
  private final CoordinateTransform toDegrees;
  private final ProjCoordinate in = new ProjCoordinate();
  private final ProjCoordinate out = new ProjCoordinate();

  public GaussKrugerMetres() {
    CRSFactory crs = new CRSFactory();
    CoordinateReferenceSystem plane = crs.createFromParameters("EPSG:4549", EPSG_4549);
    CoordinateReferenceSystem geographic = crs.createFromParameters("EPSG:4490", WGS84);
    CoordinateTransformFactory transforms = new CoordinateTransformFactory();
    toPlane = transforms.createTransform(geographic, plane);
    toDegrees = transforms.createTransform(plane, geographic);
  }

  /** A point on the Gauss-Kruger plane: easting and northing in metres. */
  public record PlanePoint(double easting, double northing) {

    public double metresTo(PlanePoint other) {
      return Math.hypot(easting - other.easting, northing - other.northing);
    }
  }

  public PlanePoint project(WgsPoint point) {
    in.x = point.longitude();
    in.y = point.latitude();
    toPlane.transform(in, out);
    return new PlanePoint(out.x, out.y);
  }

  public WgsPoint unproject(PlanePoint point) {
    in.x = point.easting();
    in.y = point.northing();
    toDegrees.transform(in, out);
    return new WgsPoint(out.x, out.y);
  }

  /** The distance between two positions in metres. */
  public double metresBetween(WgsPoint a, WgsPoint b) {
    return project(a).metresTo(project(b));
  }

  /**
   * The area within {@code metres} of a longitude/latitude geometry (a river's line, a site's
   * outline), drawn on the plane and returned in longitude/latitude.
   */
  public Geometry buffer(Geometry degrees, double metres) {
    Geometry plane = degrees.copy();
    plane.apply(transforming(toPlane));
    plane.geometryChanged();
    Geometry buffered = plane.buffer(metres);
    buffered.apply(transforming(toDegrees));
    buffered.geometryChanged();
    buffered.setSRID(degrees.getSRID());
    return buffered;
  }

  private CoordinateFilter transforming(CoordinateTransform transform) {
    return coordinate -> {
      in.x = coordinate.x;
      in.y = coordinate.y;
      transform.transform(in, out);
      coordinate.x = out.x;
      coordinate.y = out.y;
    };
  }
}
