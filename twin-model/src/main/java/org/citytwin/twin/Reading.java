package org.citytwin.twin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.eclipse.ditto.things.model.ThingId;

/**
 * One canonical observation of one feature property of one thing: what ingest produces from any
 * vendor payload, what history stores and what changes a twin.
 *
 * @param thingId the twin the value belongs to
 * @param feature the Ditto feature id, for example {@code waterlogging}
 * @param property the feature property, for example {@code depth}
 * @param value the value in {@code unit}
 * @param unit the canonical unit of this feature property
 * @param observedAt when the device observed the value (not when it arrived)
 * @param category the category of the managed object the device observes (for example {@code
 *     waterlogging-point}), or {@link #UNCLASSIFIED}
 * @param quality what cleaning found doubtful about it; empty for a good reading
 */
public record Reading(
    ThingId thingId,
    String feature,
    String property,
    double value,
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
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(observedAt, "observedAt");
    requireName(category, "category");
    quality = Set.copyOf(quality);
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("a reading's value must be finite, got " + value);
    }
  }

  /** A good, unclassified reading. */
  public Reading(
      ThingId thingId,
      String feature,
      String property,
      double value,
      CanonicalUnit unit,
      Instant observedAt) {
    this(thingId, feature, property, value, unit, observedAt, UNCLASSIFIED, Set.of());
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
    map.put("value", value);
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
          ((Number) map.get("value")).doubleValue(),
          CanonicalUnit.valueOf((String) map.get("unit")),
          Instant.parse((String) map.get("observedAt")),
          map.get("category") instanceof String category ? category : UNCLASSIFIED,
          QualityFlag.parse((String) map.get("quality")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a canonical reading: " + map, e);
    }
  }
}
