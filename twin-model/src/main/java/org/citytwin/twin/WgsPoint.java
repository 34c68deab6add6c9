package org.citytwin.twin;

import org.eclipse.ditto.json.JsonArray;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonValue;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;

/**
 * A position in WGS84 (EPSG:4326), longitude first as in GeoJSON.
 *
 * <p>Every location stored on a twin is WGS84; positions reported in GCJ-02, BD-09 or CGCS2000 are
 * converted at ingest, before they become a {@code WgsPoint}.
 */
public record WgsPoint(double longitude, double latitude) {

  public WgsPoint {
    if (!(longitude >= -180 && longitude <= 180) || !(latitude >= -90 && latitude <= 90)) {
      throw new IllegalArgumentException(
          "not a WGS84 position: longitude " + longitude + ", latitude " + latitude);
    }
  }

  /** The GeoJSON Point this position is stored as in a thing's {@code location} attribute. */
  public JsonObject toGeoJson() {
    return JsonObject.newBuilder()
        .set("type", "Point")
        .set("coordinates", JsonArray.of(JsonValue.of(longitude), JsonValue.of(latitude)))
        .build();
  }

  private static final org.eclipse.ditto.json.JsonPointer TYPE =
      org.eclipse.ditto.json.JsonPointer.of("type");
  private static final org.eclipse.ditto.json.JsonPointer COORDINATES =
      org.eclipse.ditto.json.JsonPointer.of("coordinates");

  /**
   * Reads a GeoJSON Point.
   *
   * @throws IllegalArgumentException if the value is not a GeoJSON Point with two coordinates
   */
  public static WgsPoint fromGeoJson(JsonValue value) {
    if (!value.isObject()) {
      throw new IllegalArgumentException("a location must be a GeoJSON Point object");
    }
    JsonObject point = value.asObject();
    if (!point.getValue(TYPE).map(JsonValue::formatAsString).orElse("").equals("Point")) {
      throw new IllegalArgumentException("a location must be a GeoJSON Point");
    }
    JsonArray coordinates =
        point
            .getValue(COORDINATES)
            .filter(JsonValue::isArray)
            .map(JsonValue::asArray)
            .filter(array -> array.getSize() >= 2)
            .orElseThrow(() -> new IllegalArgumentException("a Point needs [longitude, latitude]"));
    return new WgsPoint(
        coordinates.get(0).orElseThrow().asDouble(), coordinates.get(1).orElseThrow().asDouble());
  }

  public Point toJts(GeometryFactory geometries) {
    return geometries.createPoint(new Coordinate(longitude, latitude));
  }
}
