package org.citytwin.twin.search;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.ditto.json.JsonField;
import org.eclipse.ditto.json.JsonKey;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.geojson.GeoJsonReader;

/**
 * Secondary indexes over the twins, kept current by the thing store on every change: things by
 * namespace, by the text value of a few often-filtered properties ({@link #INDEXED}), by location
 * in a grid of cells, and every number an attribute holds, in order ({@link #numbersBetween}), so
 * that a search with a range on an attribute and sorted by it can read the matches in order and
 * stop after a page.
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
  private final AttributeNode attributeValues = new AttributeNode();

  /** Attributes are walked this deep for numbers; deeper ones are left to scans. */
  private static final int MAX_ATTRIBUTE_DEPTH = 6;

  /**
   * A number an attribute holds, with the thing holding it, ordered by number and then thing id.
   * Bounds of a range are entries without a thing, before or after every thing of their number.
   */
  public record NumberEntry(double number, ThingId thingId, int bound)
      implements Comparable<NumberEntry> {

    @Override
    public int compareTo(NumberEntry other) {
      int byNumber = Double.compare(number, other.number);
      if (byNumber != 0) {
        return byNumber;
      }
      if (bound != 0 || other.bound != 0) {
        return Integer.compare(bound, other.bound);
      }
      return thingId.toString().compareTo(other.thingId.toString());
    }

    static NumberEntry of(double number, ThingId thingId) {
      // -0.0 and 0.0 are one number to RQL; Double.compare would part them.
      return new NumberEntry(number + 0.0, thingId, 0);
    }

    /** Sorts before every entry of {@code number}. */
    public static NumberEntry before(double number) {
      return new NumberEntry(number + 0.0, null, -1);
    }

    /** Sorts after every entry of {@code number}. */
    public static NumberEntry after(double number) {
      return new NumberEntry(number + 0.0, null, 1);
    }
  }

  /**
   * The values one attribute holds across the twins, in a tree shaped like the attributes: its
   * numbers in order, and how many twins hold a string or a boolean there instead (which RQL
   * compares with a number by text). Walking a thing's attributes beside this tree needs no pointer
   * built per value.
   */
  private static final class AttributeNode {
    final Map<JsonKey, AttributeNode> children = new ConcurrentHashMap<>();
    final NavigableSet<NumberEntry> numbers = new ConcurrentSkipListSet<>();
    final LongAdder others = new LongAdder();

    AttributeNode child(JsonKey key) {
      return children.computeIfAbsent(key, k -> new AttributeNode());
    }
  }

  /** Cell size in degrees: about 220 m of latitude, 190 m of longitude at 30 degrees north. */
  private static final double CELL_DEGREES = 0.002;

  /** An area query covering more cells than this reads every location instead. */
  private static final long MAX_CELLS_PER_QUERY = 20_000;

  public SearchIndex() {
    INDEXED.forEach(pointer -> byValue.put(pointer, new ConcurrentHashMap<>()));
  }

  /**
   * What the indexes read of a thing: its definition and attributes, from a built thing or from its
   * JSON.
   */
  public record Parts(Optional<String> definition, Optional<JsonObject> attributes) {

    public static Parts of(Thing thing) {
      return new Parts(
          thing.getDefinition().map(Object::toString), thing.getAttributes().map(all -> all));
    }

    /** From a thing's JSON, as Ditto renders it. */
    public static Parts ofJson(JsonObject thing) {
      return new Parts(
          thing.getValue("definition").filter(JsonValue::isString).map(JsonValue::asString),
          thing.getValue("attributes").filter(JsonValue::isObject).map(JsonValue::asObject));
    }
  }

  /** Records that {@code before} (null if new) became {@code after} (null if deleted). */
  public void update(ThingId thingId, Parts before, Parts after) {
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
        && before.attributes().orElse(null) == after.attributes().orElse(null)
        && before.definition().equals(after.definition())) {
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
    updateAttributeValues(thingId, before, after);
    Optional<JsonValue> oldLocation =
        before == null
            ? Optional.empty()
            : before.attributes().flatMap(a -> a.getValue("location"));
    Optional<JsonValue> newLocation =
        after == null ? Optional.empty() : after.attributes().flatMap(a -> a.getValue("location"));
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

  private void updateAttributeValues(ThingId thingId, Parts before, Parts after) {
    Optional<JsonObject> old = before == null ? Optional.empty() : before.attributes();
    Optional<JsonObject> now = after == null ? Optional.empty() : after.attributes();
    changeValues(
        thingId,
        old.orElse(JsonObject.empty()),
        now.orElse(JsonObject.empty()),
        attributeValues,
        1);
  }

  /** Records the values that differ between {@code old} and {@code now}, one level at a time. */
  private static void changeValues(
      ThingId thingId, JsonObject old, JsonObject now, AttributeNode node, int depth) {
    for (JsonField field : now) {
      JsonValue value = field.getValue();
      Optional<JsonValue> previous =
          old.isEmpty() ? Optional.empty() : old.getValue(field.getKey());
      if (previous.isPresent() && previous.get().equals(value)) {
        continue;
      }
      AttributeNode child = node.child(field.getKey());
      if (previous.isPresent()
          && previous.get().isObject()
          && value.isObject()
          && depth < MAX_ATTRIBUTE_DEPTH) {
        changeValues(thingId, previous.get().asObject(), value.asObject(), child, depth + 1);
        continue;
      }
      previous.ifPresent(gone -> record(thingId, gone, child, depth, -1));
      record(thingId, value, child, depth, 1);
    }
    for (JsonField field : old) {
      if (!now.contains(field.getKey())) {
        record(thingId, field.getValue(), node.child(field.getKey()), depth, -1);
      }
    }
  }

  /** Adds ({@code sign} 1) or removes (-1) a value and, for an object, everything inside it. */
  private static void record(
      ThingId thingId, JsonValue value, AttributeNode node, int depth, int sign) {
    if (value.isNumber()) {
      NumberEntry entry = NumberEntry.of(value.asDouble(), thingId);
      if (sign > 0) {
        node.numbers.add(entry);
      } else {
        node.numbers.remove(entry);
      }
    } else if (value.isString() || value.isBoolean()) {
      node.others.add(sign);
    } else if (value.isObject() && depth < MAX_ATTRIBUTE_DEPTH) {
      for (JsonField field : value.asObject()) {
        record(thingId, field.getValue(), node.child(field.getKey()), depth + 1, sign);
      }
    }
    // Arrays and null never satisfy an ordered comparison.
  }

  /**
   * Every twin whose attribute at {@code pointer} is a number between {@code from} and {@code to}
   * (inclusive, as doubles), ordered by number and then thing id: a live view. Empty when some twin
   * holds a string or a boolean there, since RQL compares those with a number by text and they
   * could match a range without being listed. A pointer no twin holds gives an empty set.
   */
  public Optional<NavigableSet<NumberEntry>> numbersBetween(
      JsonPointer pointer, double from, double to) {
    if (!pointer.getRoot().map(root -> root.toString().equals("attributes")).orElse(false)
        || pointer.getLevelCount() - 1 > MAX_ATTRIBUTE_DEPTH) {
      // Not held: feature properties, and attributes deeper than the walk goes.
      return Optional.empty();
    }
    AttributeNode values = attributeValues;
    for (JsonKey key : pointer.nextLevel()) {
      values = values.children.get(key);
      if (values == null) {
        return Optional.of(Collections.emptyNavigableSet());
      }
    }
    if (values.others.sum() > 0) {
      return Optional.empty();
    }
    if (from > to) {
      return Optional.of(Collections.emptyNavigableSet());
    }
    return Optional.of(
        Collections.unmodifiableNavigableSet(
            values.numbers.subSet(NumberEntry.before(from), true, NumberEntry.after(to), true)));
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

  /**
   * Most twins stand at a point: read it from the JSON at hand rather than through its text and
   * JTS's GeoJSON parser, which took a tenth of a cold start. Anything else goes to the parser.
   */
  private static Optional<Geometry> point(JsonValue geoJson) {
    if (!geoJson.isObject()) {
      return Optional.empty();
    }
    JsonObject object = geoJson.asObject();
    if (object.getSize() != 2
        || !object
            .getValue("type")
            .filter(JsonValue::isString)
            .map(JsonValue::asString)
            .orElse("")
            .equals("Point")) {
      return Optional.empty();
    }
    Optional<JsonValue> coordinates = object.getValue("coordinates").filter(JsonValue::isArray);
    if (coordinates.isEmpty()) {
      return Optional.empty();
    }
    var pair = coordinates.get().asArray();
    if (pair.getSize() != 2
        || !pair.get(0).map(JsonValue::isNumber).orElse(false)
        || !pair.get(1).map(JsonValue::isNumber).orElse(false)) {
      return Optional.empty();
    }
    return Optional.of(
        WGS84.createPoint(
            new Coordinate(
                pair.get(0).orElseThrow().asDouble(), pair.get(1).orElseThrow().asDouble())));
  }

  /** A thing's location as a JTS geometry in WGS84, if it has a valid GeoJSON one. */
  public Optional<Geometry> location(ThingId thingId) {
    return Optional.ofNullable(locations.get(thingId));
  }

  private static Optional<String> text(Parts thing, JsonPointer pointer) {
    if (thing == null) {
      return Optional.empty();
    }
    if (pointer.equals(INDEXED.get(0))) {
      return thing.definition();
    }
    return thing
        .attributes()
        .flatMap(attributes -> attributes.getValue(pointer.nextLevel()))
        .filter(JsonValue::isString)
        .map(JsonValue::asString);
  }

  private static Optional<Geometry> geometry(JsonValue geoJson) {
    Optional<Geometry> point = point(geoJson);
    if (point.isPresent()) {
      return point;
    }
    try {
      Geometry geometry = new GeoJsonReader(WGS84).read(geoJson.toString());
      return geometry.isEmpty() ? Optional.empty() : Optional.of(geometry);
    } catch (ParseException | RuntimeException notGeoJson) {
      return Optional.empty();
    }
  }
}
