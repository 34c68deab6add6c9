package org.citytwin.api.http;

import java.util.Optional;
import org.citytwin.fusion.Zone;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.twin.GeoFilter;
import org.citytwin.twin.WgsPoint;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKTReader;

/**
 * citytwin's {@code geo=} search parameter, ANDed with the RQL filter:
 *
 * <ul>
 *   <li>{@code within(zone:<zoneId>)}: inside a named zone (a catchment, grid, site, ...);
 *   <li>{@code within(<WKT polygon>)}: inside an area given in WGS84 longitude/latitude;
 *   <li>{@code intersects(<WKT geometry>)}: touching a geometry;
 *   <li>{@code near(<longitude>,<latitude>,<metres>)}: within a distance of a point.
 * </ul>
 */
final class GeoParameter {

  private static final GeometryFactory WGS84 = new GeometryFactory(new PrecisionModel(), 4326);

  private GeoParameter() {}

  static Optional<GeoFilter> parse(String parameter, ZoneIndex zones) {
    if (parameter == null || parameter.isBlank()) {
      return Optional.empty();
    }
    String text = parameter.trim();
    int open = text.indexOf('(');
    if (open < 1 || !text.endsWith(")")) {
      throw invalid(text, "use within(...), intersects(...) or near(lon,lat,metres)");
    }
    String kind = text.substring(0, open);
    String argument = text.substring(open + 1, text.length() - 1).trim();
    try {
      return Optional.of(
          switch (kind) {
            case "within" -> GeoFilter.within(area(argument, zones));
            case "intersects" -> GeoFilter.intersects(wkt(argument));
            case "near" -> near(argument);
            default -> throw invalid(text, "unknown predicate '" + kind + "'");
          });
    } catch (IllegalArgumentException e) {
      throw invalid(text, e.getMessage());
    }
  }

  private static Geometry area(String argument, ZoneIndex zones) {
    if (argument.startsWith("zone:")) {
      String zoneId = argument.substring("zone:".length());
      return zones.all().stream()
          .filter(zone -> zone.id().equals(zoneId))
          .map(Zone::geometry)
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("there is no zone '" + zoneId + "'"));
    }
    return wkt(argument);
  }

  private static Geometry wkt(String argument) {
    try {
      Geometry geometry = new WKTReader(WGS84).read(argument);
      if (!geometry.isValid()) {
        throw new IllegalArgumentException(
            "the geometry is not valid (self-intersecting or unclosed)");
      }
      return geometry;
    } catch (ParseException e) {
      throw new IllegalArgumentException("not WKT: " + e.getMessage());
    }
  }

  private static GeoFilter near(String argument) {
    String[] parts = argument.split(",");
    if (parts.length != 3) {
      throw new IllegalArgumentException("near takes longitude, latitude and metres");
    }
    try {
      return GeoFilter.near(
          new WgsPoint(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())),
          Double.parseDouble(parts[2].trim()),
          WGS84);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("near takes three numbers");
    }
  }

  private static RuntimeException invalid(String parameter, String why) {
    return ApiErrors.GEO_INVALID.toException("geo=" + parameter + " is not valid: " + why + ".");
  }
}
