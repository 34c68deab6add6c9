package org.citytwin.fusion;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.citytwin.twin.WgsPoint;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.geojson.GeoJsonReader;

/**
 * The district's zones, indexed for point-in-zone questions.
 *
 * <p>An STR-tree narrows a query to the zones whose envelope holds the point, and each candidate is
 * tested against a {@link PreparedGeometry}, which caches the polygon's edge index so repeated
 * containment tests against one zone cost O(log n) in its vertices rather than O(n). Immutable once
 * built, so safe to share between threads.
 */
public final class ZoneIndex {

  /** WGS84 (SRID 4326), floating precision: the frame every zone is stored in. */
  private static final GeometryFactory WGS84 = new GeometryFactory(new PrecisionModel(), 4326);

  private record Entry(Zone zone, PreparedGeometry prepared) {}

  private final STRtree tree = new STRtree();
  private final List<Zone> zones;

  public ZoneIndex(List<Zone> zones) {
    Set<String> ids = new HashSet<>();
    for (Zone zone : zones) {
      if (!ids.add(zone.id())) {
        throw new IllegalArgumentException("two zones share the id " + zone.id());
      }
      tree.insert(
          zone.geometry().getEnvelopeInternal(),
          new Entry(zone, PreparedGeometryFactory.prepare(zone.geometry())));
    }
    tree.build();
    this.zones = List.copyOf(zones);
  }

  /**
   * Reads a GeoJSON FeatureCollection whose features carry {@code id}, {@code type} and {@code
   * name} properties.
   *
   * @throws IllegalArgumentException naming the first feature that is not a valid zone
   */
  public static ZoneIndex fromGeoJson(JsonObject featureCollection) {
    JsonArray features = featureCollection.getJsonArray("features");
    if (!"FeatureCollection".equals(featureCollection.getString("type")) || features == null) {
      throw new IllegalArgumentException("zones must be a GeoJSON FeatureCollection");
    }
    GeoJsonReader reader = new GeoJsonReader(WGS84);
    List<Zone> zones = new ArrayList<>(features.size());
    for (int i = 0; i < features.size(); i++) {
      JsonObject feature = features.getJsonObject(i);
      JsonObject properties = feature.getJsonObject("properties", new JsonObject());
      String id = properties.getString("id");
      try {
        Geometry geometry = reader.read(feature.getJsonObject("geometry").encode());
        zones.add(
            new Zone(id, properties.getString("type"), properties.getString("name", id), geometry));
      } catch (ParseException | RuntimeException e) {
        throw new IllegalArgumentException(
            "zone feature #" + i + " (" + id + "): " + e.getMessage(), e);
      }
    }
    return new ZoneIndex(zones);
  }

  /** The zones of {@code type} that contain {@code point}, by id. */
  public List<Zone> containing(WgsPoint point, String type) {
    Point query = point.toJts(WGS84);
    List<Zone> found = new ArrayList<>();
    for (Object candidate : tree.query(query.getEnvelopeInternal())) {
      Entry entry = (Entry) candidate;
      if (entry.zone().type().equals(type) && entry.prepared().covers(query)) {
        found.add(entry.zone());
      }
    }
    found.sort(Comparator.comparing(Zone::id));
    return found;
  }

  public List<Zone> all() {
    return zones;
  }
}
