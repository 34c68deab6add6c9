package org.citytwin.twin.search;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.geojson.GeoJsonReader;

/**
 * Secondary indexes over the twins, kept current by the thing store on every change: things by
 * namespace, by the text value of a few often-filtered properties ({@link #INDEXED}), and by
 * location in a JTS quadtree (which, unlike an STR-tree, takes removals).
 *
 * <p>Safe for concurrent use: updates to one thing arrive in order (the store serialises them), the
 * maps are concurrent, and the quadtree is guarded by a read-write lock.
 */
public final class SearchIndex {

  /** Properties whose string values are indexed: definition and the hierarchy levels. */
  public static final List<JsonPointer> INDEXED =
      List.of(
          JsonPointer.of("/definition"),
          JsonPointer.of("/attributes/hierarchy/district"),
          JsonPointer.of("/attributes/hierarchy/street"),
          JsonPointer.of("/attributes/hierarchy/community"),
          JsonPointer.of("/attributes/hierarchy/grid"));

  private static final GeometryFactory WGS84 = new GeometryFactory(new PrecisionModel(), 4326);

  private final Map<String, Set<ThingId>> byNamespace = new ConcurrentHashMap<>();
  private final Map<JsonPointer, Map<String, Set<ThingId>>> byValue = new ConcurrentHashMap<>();
  private final Map<ThingId, Geometry> locations = new ConcurrentHashMap<>();
  private final Map<Long, Set<ThingId>> cells = new ConcurrentHashMap<>();

  /** Cell size in degrees: about 220 m of latitude, 190 m of longitude at 30 degrees north. */
  private static final double CELL_DEGREES = 0.002;

  /** An area query covering more cells than this reads every location instead. */
  private static final long MAX_CELLS_PER_QUERY = 20_000;

  public SearchIndex() {
    INDEXED.forEach(pointer -> byValue.put(pointer, new ConcurrentHashMap<>()));
  }

  /** Records that {@code before} (null if new) became {@code after} (null if deleted). */
  public void update(ThingId thingId, Thing before, Thing after) {
    if (before == null) {
      byNamespace
          .computeIfAbsent(thingId.getNamespace(), n -> ConcurrentHashMap.newKeySet())
          .add(thingId);
    } else if (after == null) {
      Set<ThingId> namespace = byNamespace.get(thingId.getNamespace());
      if (namespace != null) {
        namespace.remove(thingId);
      }
    }
    // A reading changes feature properties only; Ditto's immutable model then keeps the very same
    // definition and attributes objects, and nothing indexed can have changed.
    if (before != null
        && after != null
        && before.getAttributes().orElse(null) == after.getAttributes().orElse(null)
        && before.getDefinition().equals(after.getDefinition())) {
      return;
    }
    for (JsonPointer pointer : INDEXED) {
      Optional<String> old = text(before, pointer);
      Optional<String> now = text(after, pointer);
      if (!old.equals(now)) {
        Map<String, Set<ThingId>> index = byValue.get(pointer);
        old.ifPresent(value -> index.getOrDefault(value, Set.of()).remove(thingId));
        now.ifPresent(
            value -> index.computeIfAbsent(value, v -> ConcurrentHashMap.newKeySet()).add(thingId));
      }
    }
    Optional<JsonValue> oldLocation =
        before == null
            ? Optional.empty()
            : before.getAttributes().flatMap(a -> a.getValue("location"));
    Optional<JsonValue> newLocation =
        after == null
            ? Optional.empty()
            : after.getAttributes().flatMap(a -> a.getValue("location"));
    if (!oldLocation.equals(newLocation)) {
      Geometry previous = locations.remove(thingId);
      if (previous != null) {
        forEachCell(
            previous.getEnvelopeInternal(),
            cell -> {
              Set<ThingId> members = cells.get(cell);
              if (members != null) {
                members.remove(thingId);
              }
            });
      }
      newLocation
          .flatMap(SearchIndex::geometry)
          .ifPresent(
              geometry -> {
                locations.put(thingId, geometry);
                forEachCell(
                    geometry.getEnvelopeInternal(),
                    cell ->
                        cells
                            .computeIfAbsent(cell, c -> ConcurrentHashMap.newKeySet())
                            .add(thingId));
              });
    }
  }

  private static long cellCount(Envelope envelope) {
    long columns =
        (long) Math.floor(envelope.getMaxX() / CELL_DEGREES)
            - (long) Math.floor(envelope.getMinX() / CELL_DEGREES)
            + 1;
    long rows =
        (long) Math.floor(envelope.getMaxY() / CELL_DEGREES)
            - (long) Math.floor(envelope.getMinY() / CELL_DEGREES)
            + 1;
    return columns * rows;
  }

  private static void forEachCell(Envelope envelope, java.util.function.LongConsumer action) {
    long minX = (long) Math.floor(envelope.getMinX() / CELL_DEGREES);
    long maxX = (long) Math.floor(envelope.getMaxX() / CELL_DEGREES);
    long minY = (long) Math.floor(envelope.getMinY() / CELL_DEGREES);
    long maxY = (long) Math.floor(envelope.getMaxY() / CELL_DEGREES);
    for (long x = minX; x <= maxX; x++) {
      for (long y = minY; y <= maxY; y++) {
        action.accept(x * 1_000_003L + y);
      }
    }
  }

  /** Whether equality on {@code pointer} can be answered from this index. */
  public static boolean isIndexed(JsonPointer pointer) {
    return INDEXED.contains(pointer);
  }

  /**
   * The things whose {@code pointer} equals one of {@code values} (strings only): a live view for
   * one value, a copy for several. Callers compare sizes before copying anything themselves.
   */
  public Set<ThingId> equalTo(JsonPointer pointer, List<Object> values) {
    Map<String, Set<ThingId>> index = byValue.get(pointer);
    if (values.size() == 1) {
      return values.get(0) instanceof String text
          ? Collections.unmodifiableSet(index.getOrDefault(text, Set.of()))
          : Set.of();
    }
    Set<ThingId> found = new HashSet<>();
    for (Object value : values) {
      if (value instanceof String text) {
        found.addAll(index.getOrDefault(text, Set.of()));
      }
    }
    return found;
  }

  /** A live view of the things in {@code namespace}. */
  public Set<ThingId> inNamespace(String namespace) {
    return Collections.unmodifiableSet(byNamespace.getOrDefault(namespace, Set.of()));
  }

  /** The things whose location's envelope meets {@code envelope}: candidates for an exact test. */
  public Set<ThingId> near(Envelope envelope) {
    Set<ThingId> found = new HashSet<>();
    if (cellCount(envelope) > MAX_CELLS_PER_QUERY) {
      locations.forEach(
          (thingId, geometry) -> {
            if (geometry.getEnvelopeInternal().intersects(envelope)) {
              found.add(thingId);
            }
          });
      return found;
    }
    forEachCell(
        envelope,
        cell -> {
          Set<ThingId> members = cells.get(cell);
          if (members != null) {
            for (ThingId thingId : members) {
              Geometry geometry = locations.get(thingId);
              if (geometry != null && geometry.getEnvelopeInternal().intersects(envelope)) {
                found.add(thingId);
              }
            }
          }
        });
    return found;
  }

  /** A thing's location as a JTS geometry in WGS84, if it has a valid GeoJSON one. */
  public Optional<Geometry> location(ThingId thingId) {
    return Optional.ofNullable(locations.get(thingId));
  }

  private static Optional<String> text(Thing thing, JsonPointer pointer) {
    if (thing == null) {
      return Optional.empty();
    }
    if (pointer.equals(INDEXED.get(0))) {
      return thing.getDefinition().map(Object::toString);
    }
    return thing
        .getAttributes()
        .flatMap(attributes -> attributes.getValue(pointer.nextLevel()))
        .filter(JsonValue::isString)
        .map(JsonValue::asString);
  }

  private static Optional<Geometry> geometry(JsonValue geoJson) {
    try {
      Geometry geometry = new GeoJsonReader(WGS84).read(geoJson.toString());
      return geometry.isEmpty() ? Optional.empty() : Optional.of(geometry);
    } catch (ParseException | RuntimeException notGeoJson) {
      return Optional.empty();
    }
  }
}
