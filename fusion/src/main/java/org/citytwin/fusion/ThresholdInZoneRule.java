package org.citytwin.fusion;

import java.util.Objects;
import org.eclipse.ditto.json.JsonPointer;

/**
 * Raises an incident when a twin of one definition reports a feature property above a threshold
 * while it stands inside a zone of one type: one incident per zone while it is open, however many
 * twins and readings confirm it.
 *
 * @param id unique among rules; incidents name the rule that raised them
 * @param definition the Ditto definition of the twins watched, for example {@code
 *     citytwin:waterlogging-gauge:1.0.0}
 * @param feature the feature watched
 * @param property the feature property watched, in its canonical unit
 * @param above the threshold, exclusive, in the property's canonical unit
 * @param zoneType the type of zone the twin must stand in
 * @param incident what to raise
 */
public record ThresholdInZoneRule(
    String id,
    String definition,
    String feature,
    String property,
    double above,
    String zoneType,
    IncidentTemplate incident) {

  public ThresholdInZoneRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(feature, "feature");
    Objects.requireNonNull(property, "property");
    Objects.requireNonNull(zoneType, "zoneType");
    Objects.requireNonNull(incident, "incident");
    if (!Double.isFinite(above)) {
      throw new IllegalArgumentException("rule " + id + ": 'above' must be a finite number");
    }
  }

  /** Where the watched value sits in a thing's JSON. */
  public JsonPointer valuePath() {
    return JsonPointer.of("features/" + feature + "/properties/" + property);
  }
}
