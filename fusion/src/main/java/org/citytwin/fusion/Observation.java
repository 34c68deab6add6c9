package org.citytwin.fusion;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.citytwin.twin.AttributesText;
import org.citytwin.twin.ThingModels;
import org.citytwin.twin.TwinEvent;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonKey;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;

/**
 * One twin change as fusion sees it: which twin, of what definition, where it stood, what changed
 * and when.
 *
 * @param thingId the changed twin
 * @param definition its Ditto definition, empty text if none
 * @param location where it stood: the position it just reported, else its {@code location}
 *     attribute
 * @param attributes its attributes after the change
 * @param changedAt where in the thing the change is stated, as its event states it: empty for a
 *     patch of the whole thing
 * @param changedValue what the change sets there
 * @param at when the change was accepted
 */
public record Observation(
    ThingId thingId,
    String definition,
    Optional<WgsPoint> location,
    AttributesText attributes,
    JsonPointer changedAt,
    JsonValue changedValue,
    Instant at) {

  private static final JsonPointer FEATURES = JsonPointer.of("features");
  private static final JsonKey FEATURES_KEY = JsonKey.of("features");
  private static final ValuePath LONGITUDE = ValuePath.of(JsonPointer.of("properties/longitude"));
  private static final ValuePath LATITUDE = ValuePath.of(JsonPointer.of("properties/latitude"));

  public Observation {
    Objects.requireNonNull(thingId, "thingId");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(attributes, "attributes");
    Objects.requireNonNull(changedAt, "changedAt");
    Objects.requireNonNull(changedValue, "changedValue");
    Objects.requireNonNull(at, "at");
  }

  /** An observation of {@code changes}, the changed part of the thing rooted at the thing. */
  public Observation(
      ThingId thingId,
      String definition,
      Optional<WgsPoint> location,
      AttributesText attributes,
      JsonObject changes,
      Instant at) {
    this(thingId, definition, location, attributes, JsonPointer.empty(), changes, at);
  }

  /**
   * Reads a Ditto Protocol twin event, dated by its {@code timestamp} (when the twin service
   * accepted the change), or by {@code clock} if it has none.
   *
   * @return empty if the message is not a twin event
   */
  public static Optional<Observation> read(JsonObject event, java.time.Clock clock) {
    return TwinEvent.parse(event)
        .map(parsed -> of(parsed, parsed.timestamp().orElseGet(clock::instant)));
  }

  /**
   * Reads a twin event. A position feature ({@code longitude} and {@code latitude} properties, as a
   * GPS tracker reports) is where the twin stands now; otherwise its {@code location} attribute.
   */
  public static Observation of(TwinEvent event, Instant at) {
    return new Observation(
        event.thingId(),
        event.definition(),
        reportedPosition(event.path(), event.value()).or(event::location),
        event.attributes(),
        event.path(),
        event.value(),
        at);
  }

  /** The changed part of the thing, rooted at the thing ({@code {"features": ...}}). */
  public JsonObject changes() {
    return TwinEvent.changesOf(changedAt, changedValue);
  }

  private static Optional<WgsPoint> reportedPosition(JsonPointer path, JsonValue value) {
    int levels = path.getLevelCount();
    if (levels >= 4 || (levels > 0 && !path.get(0).orElseThrow().equals(FEATURES_KEY))) {
      // A change inside one property (a reading's depth) sets at most one of a position's two
      // properties, and one outside the features neither: no position, and nothing to walk.
      return Optional.empty();
    }
    Optional<JsonValue> features = TwinEvent.changesOf(path, value).getValue(FEATURES);
    if (features.isEmpty() || !features.get().isObject()) {
      return Optional.empty();
    }
    for (org.eclipse.ditto.json.JsonField field : features.get().asObject()) {
      JsonValue feature = field.getValue();
      if (!feature.isObject()) {
        continue;
      }
      Optional<JsonValue> longitude = LONGITUDE.in(feature.asObject());
      if (longitude.isEmpty()) {
        continue;
      }
      Optional<JsonValue> latitude = LATITUDE.in(feature.asObject());
      if (longitude.isPresent()
          && latitude.isPresent()
          && longitude.get().isNumber()
          && latitude.get().isNumber()) {
        try {
          return Optional.of(new WgsPoint(longitude.get().asDouble(), latitude.get().asDouble()));
        } catch (IllegalArgumentException notAPosition) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /** A value in the changed part, for example {@code features/waterlogging/properties/depth}. */
  public Optional<JsonValue> changed(JsonPointer path) {
    return ValuePath.of(path).in(changedAt, changedValue);
  }

  /** A value in the changed part, at a path split once for every reading it is asked of. */
  Optional<JsonValue> changed(ValuePath path) {
    return path.in(changedAt, changedValue);
  }

  /** The text of an attribute, if the twin has it as text. */
  public Optional<String> attribute(String name) {
    return attribute(JsonPointer.of(name));
  }

  /** The text of the attribute at {@code path}, if the twin has it as text. */
  public Optional<String> attribute(JsonPointer path) {
    return attributes
        .value(path)
        .filter(JsonValue::isString)
        .map(JsonValue::asString)
        .filter(text -> !text.isBlank());
  }

  /** The managed object this device observes, from its {@code observes} attribute. */
  public Optional<String> observed() {
    return attributes
        .value(ThingModels.OBSERVES)
        .filter(JsonValue::isString)
        .map(JsonValue::asString);
  }
}
