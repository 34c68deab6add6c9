package org.citytwin.twin;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;

/**
 * What a Ditto Protocol twin event says, read back by a consumer: which thing, what changed (as the
 * partial thing JSON Ditto's SSE sends), its revision, and the enrichment in {@code extra}.
 *
 * @param thingId the changed thing
 * @param changes the changed part of the thing, rooted at the thing ({@code {"features": ...}})
 * @param revision the thing's revision after the change
 * @param definition the thing's definition from {@code extra}, empty text if none
 * @param attributes the thing's attributes from {@code extra}, none if it has none
 * @param timestamp when the twin service accepted the change, if the event says
 */
public record TwinEvent(
    ThingId thingId,
    JsonObject changes,
    long revision,
    String definition,
    AttributesText attributes,
    Optional<Instant> timestamp) {

  public TwinEvent {
    Objects.requireNonNull(thingId, "thingId");
    Objects.requireNonNull(changes, "changes");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(attributes, "attributes");
    Objects.requireNonNull(timestamp, "timestamp");
  }

  // Pointers built once: Ditto parses a text key into a pointer on every lookup, which was a third
  // of reading an event.
  private static final JsonPointer TOPIC = JsonPointer.of("topic");
  private static final JsonPointer PATH = JsonPointer.of("path");
  private static final JsonPointer VALUE = JsonPointer.of("value");
  private static final JsonPointer EXTRA = JsonPointer.of("extra");
  private static final JsonPointer REVISION = JsonPointer.of("revision");
  private static final JsonPointer DEFINITION = JsonPointer.of("definition");
  private static final JsonPointer ATTRIBUTES = JsonPointer.of("attributes");
  private static final JsonPointer TIMESTAMP = JsonPointer.of("timestamp");

  /**
   * Reads a Ditto Protocol twin event ({@code ns/name/things/twin/events/<action>}).
   *
   * @return empty if the message is not a twin event
   */
  public static Optional<TwinEvent> parse(JsonObject message) {
    String[] topic =
        message
            .getValue(TOPIC)
            .filter(JsonValue::isString)
            .map(JsonValue::asString)
            .orElse("")
            .split("/");
    if (topic.length != 6
        || !topic[2].equals("things")
        || !topic[3].equals("twin")
        || !topic[4].equals("events")) {
      return Optional.empty();
    }
    JsonPointer path =
        JsonPointer.of(
            message
                .getValue(PATH)
                .filter(JsonValue::isString)
                .map(JsonValue::asString)
                .orElse("/"));
    JsonValue value = message.getValue(VALUE).orElse(JsonFactory.nullLiteral());
    JsonObject extra =
        message
            .getValue(EXTRA)
            .filter(JsonValue::isObject)
            .map(JsonValue::asObject)
            .orElse(JsonFactory.newObject());
    return Optional.of(
        new TwinEvent(
            ThingId.of(topic[0], topic[1]),
            changesOf(path, value),
            message
                .getValue(REVISION)
                .filter(JsonValue::isNumber)
                .map(JsonValue::asLong)
                .orElse(0L),
            extra
                .getValue(DEFINITION)
                .filter(JsonValue::isString)
                .map(JsonValue::asString)
                .orElse(""),
            extra
                .getValue(ATTRIBUTES)
                .filter(JsonValue::isObject)
                .map(JsonValue::asObject)
                .map(AttributesText::of)
                .orElse(AttributesText.none()),
            message
                .getValue(TIMESTAMP)
                .filter(JsonValue::isString)
                .flatMap(text -> instant(text.asString()))));
  }

  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException notAnInstant) {
      return Optional.empty();
    }
  }

  /** What a change of {@code value} at {@code path} changed, rooted at the thing. */
  static JsonObject changesOf(JsonPointer path, JsonValue value) {
    return path.isEmpty()
        ? (value.isObject() ? value.asObject() : JsonFactory.newObject())
        : nested(path, value);
  }

  /**
   * {@code value} at {@code path} in an otherwise empty object, built from the leaf up: Ditto's
   * {@code setValue} looks each level up in the object it copies, which costs a fifth of reading an
   * event.
   */
  private static JsonObject nested(JsonPointer path, JsonValue value) {
    JsonValue current = value;
    for (int level = path.getLevelCount() - 1; level >= 0; level--) {
      current = JsonFactory.newObjectBuilder().set(path.get(level).orElseThrow(), current).build();
    }
    return current.asObject();
  }

  /** Where the thing stands, if its {@code location} attribute is a GeoJSON Point. */
  public Optional<WgsPoint> location() {
    return attributes.point(ThingModels.LOCATION);
  }

  /** The changed part with the thing's id: the body of Ditto's SSE change notification. */
  public JsonObject changedThing() {
    return JsonFactory.newObjectBuilder()
        .set("thingId", thingId.toString())
        .setAll(changes)
        .build();
  }
}
