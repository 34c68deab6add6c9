package org.citytwin.twin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.eclipse.ditto.json.JsonArrayBuilder;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObjectBuilder;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;

/**
 * One canonical observation of one feature property of one thing: what ingest produces from any
 * vendor payload, what history stores and what changes a twin.
 *
 * @param thingId the twin the value belongs to
 * @param feature the Ditto feature id, for example {@code waterlogging}
 * @param property the feature property, for example {@code depth}
 * @param value a number in {@code unit}, or a stated value (a lamp's state, a camera's scene)
 * @param unit the canonical unit of this feature property; {@link CanonicalUnit#NONE} for a stated
 *     value
 * @param observedAt when the device observed the value (not when it arrived)
 * @param category the category of the managed object the device observes (for example {@code
 *     waterlogging-point}), or {@link #UNCLASSIFIED}
 * @param quality what cleaning found doubtful about it; empty for a good reading
 */
public record Reading(
    ThingId thingId,
    String feature,
    String property,
    ReadingValue value,
    CanonicalUnit unit,
    Instant observedAt,
    String category,
    Set<QualityFlag> quality) {

  /** The category of a reading whose device observes no registered managed object. */
  public static final String UNCLASSIFIED = "unclassified";

  public Reading {
    Objects.requireNonNull(thingId, "thingId");
    requireName(feature, "feature");
    requireName(property, "property");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(observedAt, "observedAt");
    requireName(category, "category");
    quality = Set.copyOf(quality);
    if ((value instanceof ReadingValue.Stated) != (unit == CanonicalUnit.NONE)) {
      throw new IllegalArgumentException(
          "a number needs a unit and a stated value has none: " + value + " in " + unit);
    }
  }

  /** A good, unclassified numeric reading. */
  public Reading(
      ThingId thingId,
      String feature,
      String property,
      double value,
      CanonicalUnit unit,
      Instant observedAt) {
    this(
        thingId,
        feature,
        property,
        new ReadingValue.Numeric(value),
        unit,
        observedAt,
        UNCLASSIFIED,
        Set.of());
  }

  /** A good, unclassified stated reading: a value that is no number, in no unit. */
  public Reading(
      ThingId thingId, String feature, String property, JsonValue stated, Instant observedAt) {
    this(
        thingId,
        feature,
        property,
        new ReadingValue.Stated(stated),
        CanonicalUnit.NONE,
        observedAt,
        UNCLASSIFIED,
        Set.of());
  }

  /** This reading classified to {@code category}. */
  public Reading classifiedAs(String category) {
    return new Reading(thingId, feature, property, value, unit, observedAt, category, quality);
  }

  /** This reading with {@code quality} in place of its flags. */
  public Reading withQuality(Set<QualityFlag> quality) {
    return new Reading(thingId, feature, property, value, unit, observedAt, category, quality);
  }

  /** Whether this reading may change its twin: none of its flags forbids it. */
  public boolean updatesTwin() {
    for (QualityFlag flag : quality) {
      if (!flag.updatesTwin()) {
        return false;
      }
    }
    return true;
  }

  private static Object plain(JsonValue json) {
    if (json.isNumber()) {
      return json.asDouble();
    }
    if (json.isBoolean()) {
      return json.asBoolean();
    }
    if (json.isString()) {
      return json.asString();
    }
    if (json.isArray()) {
      List<Object> list = new ArrayList<>();
      json.asArray().forEach(element -> list.add(plain(element)));
      return list;
    }
    if (json.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      json.asObject().forEach(field -> map.put(field.getKeyName(), plain(field.getValue())));
      return map;
    }
    return null;
  }

  private static ReadingValue readingValue(Object plain) {
    if (plain instanceof Number number) {
      return new ReadingValue.Numeric(number.doubleValue());
    }
    return new ReadingValue.Stated(json(plain));
  }

  private static JsonValue json(Object plain) {
    if (plain instanceof Number number) {
      return JsonValue.of(number.doubleValue());
    }
    if (plain instanceof Boolean bool) {
      return JsonValue.of(bool);
    }
    if (plain instanceof String text) {
      return JsonValue.of(text);
    }
    if (plain instanceof List<?> list) {
      JsonArrayBuilder array = JsonFactory.newArrayBuilder();
      list.forEach(element -> array.add(json(element)));
      return array.build();
    }
    if (plain instanceof Map<?, ?> map) {
      JsonObjectBuilder object = JsonFactory.newObjectBuilder();
      map.forEach((key, element) -> object.set((String) key, json(element)));
      return object.build();
    }
    throw new IllegalArgumentException("not a JSON value: " + plain);
  }

  private static void requireName(String name, String what) {
    if (name == null || name.isEmpty() || name.contains("/")) {
      throw new IllegalArgumentException(what + " must be a non-empty name without '/'");
    }
  }

  /**
   * The reading as plain JSON-compatible values: the event-bus contract between ingest and history,
   * readable by any JSON library.
   */
  public Map<String, Object> toJsonMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("thingId", thingId.toString());
    map.put("feature", feature);
    map.put("property", property);
    map.put("value", plain(value.toJson()));
    map.put("unit", unit.name());
    map.put("observedAt", observedAt.toString());
    map.put("category", category);
    map.put("quality", QualityFlag.format(quality));
    return map;
  }

  /**
   * Reads the form written by {@link #toJsonMap()}.
   *
   * @throws IllegalArgumentException if a field is missing or malformed
   */
  public static Reading fromJsonMap(Map<String, ?> map) {
    try {
      return new Reading(
          ThingId.of((String) map.get("thingId")),
          (String) map.get("feature"),
          (String) map.get("property"),
          readingValue(map.get("value")),
          CanonicalUnit.valueOf((String) map.get("unit")),
          Instant.parse((String) map.get("observedAt")),
          map.get("category") instanceof String category ? category : UNCLASSIFIED,
          QualityFlag.parse((String) map.get("quality")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a canonical reading: " + map, e);
    }
  }
}
