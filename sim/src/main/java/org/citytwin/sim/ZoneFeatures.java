package org.citytwin.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.citytwin.fusion.PatrolTeam;
import org.citytwin.fusion.ZoneIndex;

/**
 * GeoJSON features of a generated district's zones file, in the shape the server reads ({@code id},
 * {@code type}, {@code name} and any other properties): the demo district's and the fusion
 * benchmark's.
 */
public final class ZoneFeatures {

  private ZoneFeatures() {}

  /**
   * A zone that is a rectangle in longitude and latitude.
   *
   * @param extra further properties, for example a site's {@code workingHours}
   */
  public static JsonObject rectangle(
      String id,
      String type,
      String name,
      double west,
      double south,
      double width,
      double height,
      JsonObject extra) {
    JsonArray ring =
        new JsonArray()
            .add(new JsonArray().add(west).add(south))
            .add(new JsonArray().add(west + width).add(south))
            .add(new JsonArray().add(west + width).add(south + height))
            .add(new JsonArray().add(west).add(south + height))
            .add(new JsonArray().add(west).add(south));
    return new JsonObject()
        .put("type", "Feature")
        .put("properties", extra.copy().put("id", id).put("type", type).put("name", name))
        .put(
            "geometry",
            new JsonObject().put("type", "Polygon").put("coordinates", new JsonArray().add(ring)));
  }

  /**
   * A zone drawn along a line, {@code bufferMetres} either side of it (a road, an embankment).
   *
   * @param points the line's {longitude, latitude} pairs
   */
  public static JsonObject line(
      String id, String type, String name, List<double[]> points, double bufferMetres) {
    JsonArray coordinates = new JsonArray();
    points.forEach(point -> coordinates.add(new JsonArray().add(point[0]).add(point[1])));
    return new JsonObject()
        .put("type", "Feature")
        .put(
            "properties",
            new JsonObject()
                .put("id", id)
                .put("type", type)
                .put("name", name)
                .put(ZoneIndex.BUFFER_METRES, bufferMetres))
        .put(
            "geometry", new JsonObject().put("type", "LineString").put("coordinates", coordinates));
  }

  /** A patrol team based at a point. */
  public static JsonObject patrolTeam(
      String id, String department, double longitude, double latitude) {
    return new JsonObject()
        .put("type", "Feature")
        .put(
            "properties",
            new JsonObject()
                .put("id", id)
                .put("type", PatrolTeam.FEATURE_TYPE)
                .put("name", id)
                .put("department", department))
        .put(
            "geometry",
            new JsonObject()
                .put("type", "Point")
                .put("coordinates", new JsonArray().add(longitude).add(latitude)));
  }
}
