package org.citytwin.twin;

import java.util.Objects;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateFilter;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;

/**
 * A spatial condition on a thing's {@code attributes/location}, beyond Ditto's RQL: within an area,
 * intersecting a geometry, or within a distance of a point.
 *
 * <p>Distances are in metres, measured in a local equirectangular projection centred on the query
 * point: within the 10 to 20 km of a district it is off by far less than 0.1 %, which is below any
 * gauge's position error.
 */
public final class GeoFilter {

  /** How the thing's location must relate to the geometry. */
  public enum Kind {
    /** The location lies inside the area (its boundary included). */
    WITHIN,
    /** The location and the geometry share at least one point. */
    INTERSECTS,
    /** The location comes within {@code metres} of the point. */
    NEAR
  }

  private static final double METRES_PER_DEGREE_LATITUDE = 110_574;
  private static final double METRES_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111_320;

  private final Kind kind;
  private final Geometry geometry;
  private final double metres;
  private final PreparedGeometry prepared;

  private GeoFilter(Kind kind, Geometry geometry, double metres) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.geometry = Objects.requireNonNull(geometry, "geometry");
    this.metres = metres;
    this.prepared = PreparedGeometryFactory.prepare(geometry);
  }

  /** Things located inside {@code area} (a polygon or multipolygon in WGS84). */
  public static GeoFilter within(Geometry area) {
    if (area.getDimension() != 2) {
      throw new IllegalArgumentException(
          "within needs an area (a polygon), not a " + area.getGeometryType());
    }
    return new GeoFilter(Kind.WITHIN, area, 0);
  }

  /** Things whose location intersects {@code geometry} (in WGS84). */
  public static GeoFilter intersects(Geometry geometry) {
    return new GeoFilter(Kind.INTERSECTS, geometry, 0);
  }

  /** Things located within {@code metres} of {@code point}. */
  public static GeoFilter near(
      WgsPoint point, double metres, org.locationtech.jts.geom.GeometryFactory geometries) {
    if (!(metres > 0) || metres > 100_000) {
      throw new IllegalArgumentException("a distance lies between 0 and 100,000 m, not " + metres);
    }
    return new GeoFilter(Kind.NEAR, point.toJts(geometries), metres);
  }

  public Kind kind() {
    return kind;
  }

  /** The area to look in, for a spatial index: the geometry's envelope, grown by the distance. */
  public Envelope searchEnvelope() {
    Envelope envelope = new Envelope(geometry.getEnvelopeInternal());
    if (kind == Kind.NEAR) {
      double latitude = geometry.getCoordinate().y;
      envelope.expandBy(
          metres / (METRES_PER_DEGREE_LONGITUDE_AT_EQUATOR * Math.cos(Math.toRadians(latitude))),
          metres / METRES_PER_DEGREE_LATITUDE);
    }
    return envelope;
  }

  /** Whether a thing located at {@code location} meets the condition. */
  public boolean matches(Geometry location) {
    return switch (kind) {
      case WITHIN -> prepared.covers(location);
      case INTERSECTS -> prepared.intersects(location);
      case NEAR -> distanceMetres(location) <= metres;
    };
  }

  private double distanceMetres(Geometry location) {
    Coordinate origin = geometry.getCoordinate();
    double metresPerDegreeLongitude =
        METRES_PER_DEGREE_LONGITUDE_AT_EQUATOR * Math.cos(Math.toRadians(origin.y));
    Geometry local = location.copy();
    local.apply(
        (CoordinateFilter)
            c -> {
              c.x = (c.x - origin.x) * metresPerDegreeLongitude;
              c.y = (c.y - origin.y) * METRES_PER_DEGREE_LATITUDE;
            });
    local.geometryChanged();
    return local.distance(local.getFactory().createPoint(new Coordinate(0, 0)));
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase()
        + "("
        + geometry
        + (kind == Kind.NEAR ? ", " + metres + " m" : "")
        + ")";
  }
}
