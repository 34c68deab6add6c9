package org.citytwin.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.citytwin.fusion.PatrolTeam;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.twin.WgsPoint;

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

  /**
   * A river and its embankments: the river a zone {@code riverMetres} either side of its course,
   * and an {@code embankment} zone {@code embankmentMetres} either side of each leg, numbered from
   * 1 (the embankment rule watches one leg at a time).
   *
   * @param course the river's {longitude, latitude} points, upstream first
   */
  public static List<JsonObject> river(
      String id, String name, double[][] course, double riverMetres, double embankmentMetres) {
    List<JsonObject> features = new java.util.ArrayList<>();
    features.add(line(id, "river", name, List.of(course), riverMetres));
    for (int leg = 0; leg + 1 < course.length; leg++) {
      features.add(
          line(
              "embankment-" + (leg + 1),
              "embankment",
              name + " embankment " + (leg + 1),
              List.of(course[leg], course[leg + 1]),
              embankmentMetres));
    }
    return features;
  }

  /**
   * The point a {@code share} (0 to 1) of the way along {@code course}, counting each leg as an
   * equal share whatever its length.
   */
  public static WgsPoint along(double[][] course, double share) {
    double position = share * (course.length - 1);
    int leg = Math.min(course.length - 2, (int) position);
    double within = position - leg;
    double[] from = course[leg];
    double[] to = course[leg + 1];
    return new WgsPoint(from[0] + (to[0] - from[0]) * within, from[1] + (to[1] - from[1]) * within);
  }

  /** The whole Gongshu district, the top level incidents are routed through. */
  static JsonObject district() {
    return rectangle(
        "gongshu",
        "district",
        "Gongshu District",
        DemoDistrict.WEST,
        DemoDistrict.SOUTH,
        DemoDistrict.EAST - DemoDistrict.WEST,
        DemoDistrict.NORTH - DemoDistrict.SOUTH,
        new JsonObject());
  }

  /** Street {@code number} (from 1): a band across the whole district from {@code south}. */
  static JsonObject street(int number, double south, double height) {
    return rectangle(
        "street-" + number,
        "street",
        "Street " + number,
        DemoDistrict.WEST,
        south,
        DemoDistrict.EAST - DemoDistrict.WEST,
        height,
        new JsonObject());
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
