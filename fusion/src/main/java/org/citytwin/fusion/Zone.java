package org.citytwin.fusion;

import java.util.Objects;
import org.locationtech.jts.geom.Geometry;

/**
 * A named area of the district: a catchment, a grid, an embankment buffer, a construction site.
 *
 * @param id unique among all zones, for example {@code catchment-03}
 * @param type what kind of area it is; rules select zones by type
 * @param name what people call it
 * @param geometry its outline in WGS84 longitude/latitude
 */
public record Zone(String id, String type, String name, Geometry geometry) {

  public Zone {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(geometry, "geometry");
    if (!geometry.isValid()) {
      throw new IllegalArgumentException("zone " + id + " has an invalid geometry");
    }
  }
}
