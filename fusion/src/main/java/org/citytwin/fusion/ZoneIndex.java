package org.citytwin.fusion;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;
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
  static final GeometryFactory WGS84 = new GeometryFactory(new PrecisionModel(), 4326);

  /** The GeoJSON property that turns a line or outline into the area within so many metres. */
  public static final String BUFFER_METRES = "bufferMetres";

  private record Entry(Zone zone, PreparedGeometry prepared) {}

  private final STRtree tree = new STRtree();
  // One tree per type as well: a rule asks for one type, and a search among 200 construction sites
  // should not walk the envelopes of 10,000 zones of every type.
  private final Map<String, STRtree> treesByType = new HashMap<>();
  private final List<Zone> zones;
  private final Map<String, Zone> byId = new HashMap<>();

  public ZoneIndex(List<Zone> zones) {
    for (Zone zone : zones) {
      if (byId.putIfAbsent(zone.id(), zone) != null) {
        throw new IllegalArgumentException("two zones share the id " + zone.id());
      }
      Entry entry = new Entry(zone, PreparedGeometryFactory.prepare(zone.geometry()));
      tree.insert(zone.geometry().getEnvelopeInternal(), entry);
      treesByType
          .computeIfAbsent(zone.type(), type -> new STRtree())
          .insert(zone.geometry().getEnvelopeInternal(), entry);
    }
    tree.build();
    treesByType.values().forEach(STRtree::build);
    this.zones = List.copyOf(zones);
  }

  /**
   * Reads a GeoJSON FeatureCollection whose features carry {@code id}, {@code type} and {@code
   * name} properties; other properties are kept on the zone. A feature with {@code bufferMetres}
   * becomes the area within that many metres of its geometry (a river's line becomes its embankment
   * strip). Features of type {@value PatrolTeam#FEATURE_TYPE} are teams, not zones, and are skipped
   * here.
   *
   * @throws IllegalArgumentException naming the first feature that is not a valid zone
   */
  public static ZoneIndex fromGeoJson(JsonObject featureCollection) {
    JsonArray features = features(featureCollection);
    GeoJsonReader reader = new GeoJsonReader(WGS84);
    GaussKrugerMetres metres = new GaussKrugerMetres();
    List<Zone> zones = new ArrayList<>(features.size());
    for (int i = 0; i < features.size(); i++) {
      Object item = features.getValue(i);
      JsonObject feature = item instanceof JsonObject object ? object : new JsonObject();
      JsonObject properties = feature.getJsonObject("properties", new JsonObject());
      String id = properties.getString("id");
      if (PatrolTeam.FEATURE_TYPE.equals(properties.getValue("type"))) {
        continue;
      }
      try {
        Geometry geometry = reader.read(feature.getJsonObject("geometry").encode());
        Object buffer = properties.getValue(BUFFER_METRES);
        if (buffer != null) {
          if (!(buffer instanceof Number distance) || distance.doubleValue() <= 0) {
            throw new IllegalArgumentException(BUFFER_METRES + " must be a positive number");
          }
          geometry = metres.buffer(geometry, distance.doubleValue());
        }
        Zone zone =
            new Zone(
                require(properties, "id"),
                require(properties, "type"),
                properties.getString("name", id),
                geometry,
                JsonFactory.newObject(properties.encode()));
        zone.openAt(LocalTime.NOON); // refuses unreadable working hours now, not at 3 a.m.
        zone.timeZone();
        zones.add(zone);
      } catch (ParseException | RuntimeException e) {
        throw new IllegalArgumentException(
            "zone feature #" + i + " (" + id + "): " + e.getMessage(), e);
      }
    }
    return new ZoneIndex(zones);
  }

  static JsonArray features(JsonObject featureCollection) {
    Object features = featureCollection.getValue("features");
    if (!"FeatureCollection".equals(featureCollection.getValue("type"))
        || !(features instanceof JsonArray array)) {
      throw new IllegalArgumentException("zones must be a GeoJSON FeatureCollection");
    }
    return array;
  }

  private static String require(JsonObject properties, String name) {
    Object value = properties.getValue(name);
    if (value instanceof String text && !text.isBlank()) {
      return text;
    }
    throw new IllegalArgumentException("property '" + name + "' is required and must be text");
  }

  /** The zones of {@code type} that contain {@code point}, by id. */
  public List<Zone> containing(WgsPoint point, String type) {
    STRtree ofType = treesByType.get(type);
    if (ofType == null) {
      return List.of();
    }
    Point query = point.toJts(WGS84);
    List<Zone> found = new ArrayList<>(2);
    for (Object candidate : ofType.query(query.getEnvelopeInternal())) {
      Entry entry = (Entry) candidate;
      if (entry.prepared().covers(query)) {
        found.add(entry.zone());
      }
    }
    if (found.size() > 1) {
      found.sort(Comparator.comparing(Zone::id));
    }
    return found;
  }

  /** Every zone that contains {@code point}, grouped by type, each group by id. */
  public Map<String, List<Zone>> containing(WgsPoint point) {
    Point query = point.toJts(WGS84);
    List<Zone> found = new ArrayList<>(8);
    for (Object candidate : tree.query(query.getEnvelopeInternal())) {
      Entry entry = (Entry) candidate;
      if (entry.prepared().covers(query)) {
        found.add(entry.zone());
      }
    }
    found.sort(Comparator.comparing(Zone::id));
    Map<String, List<Zone>> byType = new LinkedHashMap<>();
    for (Zone zone : found) {
      byType.computeIfAbsent(zone.type(), type -> new ArrayList<>(2)).add(zone);
    }
    return byType;
  }

  public Optional<Zone> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public Set<String> types() {
    Set<String> types = new TreeSet<>();
    zones.forEach(zone -> types.add(zone.type()));
    return types;
  }

  public List<Zone> all() {
    return zones;
  }

  /** The zones of one type, by id. */
  public List<Zone> ofType(String type) {
    return zones.stream()
        .filter(zone -> zone.type().equals(type))
        .sorted(Comparator.comparing(Zone::id))
        .toList();
  }
}
