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
 * <p>The change is kept as the event states it, a value at a path ({@code
 * /features/waterlogging/properties/depth} and {@code 0.23} for a reading of one property), and
 * nested into the partial thing ({@link #changes()}) only when someone first asks: a consumer that
 * looks one value up ({@link #valueAt}) reads it without the nesting, four Ditto objects a reading
 * that fusion alone would otherwise walk, cold from another thread, for every event.
 *
 * <p>Immutable and safe to share between threads; equal when thing, changes, revision, definition,
 * attributes and timestamp are, however the change was stated.
 */
public final class TwinEvent {

  private final ThingId thingId;
  private final JsonPointer path;
  private final JsonValue value;
  private final long revision;
  private final String definition;
  private final AttributesText attributes;
  private final Optional<Instant> timestamp;
  // Built from path and value on first use and kept; two threads that race build equal objects.
  private volatile JsonObject changes;

  /**
   * @param thingId the changed thing
   * @param changes the changed part of the thing, rooted at the thing ({@code {"features": ...}})
   * @param revision the thing's revision after the change
   * @param definition the thing's definition from {@code extra}, empty text if none
   * @param attributes the thing's attributes from {@code extra}, none if it has none
   * @param timestamp when the twin service accepted the change, if the event says
   */
  public TwinEvent(
      ThingId thingId,
      JsonObject changes,
      long revision,
      String definition,
      AttributesText attributes,
      Optional<Instant> timestamp) {
    this(thingId, JsonPointer.empty(), changes, revision, definition, attributes, timestamp);
    this.changes = changes;
  }

  private TwinEvent(
      ThingId thingId,
      JsonPointer path,
      JsonValue value,
      long revision,
      String definition,
      AttributesText attributes,
      Optional<Instant> timestamp) {
    this.thingId = Objects.requireNonNull(thingId, "thingId");
    this.path = Objects.requireNonNull(path, "path");
    this.value = Objects.requireNonNull(value, "value");
    this.revision = revision;
    this.definition = Objects.requireNonNull(definition, "definition");
    this.attributes = Objects.requireNonNull(attributes, "attributes");
    this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
  }

  /**
   * An event of {@code value} set at {@code path} of the thing, as a Ditto merge event states it.
   */
  public static TwinEvent at(
      ThingId thingId,
      JsonPointer path,
      JsonValue value,
      long revision,
      String definition,
      AttributesText attributes,
      Optional<Instant> timestamp) {
    return new TwinEvent(thingId, path, value, revision, definition, attributes, timestamp);
  }

  /** The changed thing. */
  public ThingId thingId() {
    return thingId;
  }

  /** Where in the thing the change is stated: empty for a patch of the whole thing. */
  public JsonPointer path() {
    return path;
  }

  /** What the change sets at {@link #path()}. */
  public JsonValue value() {
    return value;
  }

  /** The changed part of the thing, rooted at the thing ({@code {"features": ...}}). */
  public JsonObject changes() {
    JsonObject built = changes;
    if (built == null) {
      built = changesOf(path, value);
      changes = built;
    }
    return built;
  }

  /** The thing's revision after the change. */
  public long revision() {
    return revision;
  }

  /** The thing's definition from {@code extra}, empty text if none. */
  public String definition() {
    return definition;
  }

  /** The thing's attributes from {@code extra}, none if it has none. */
  public AttributesText attributes() {
    return attributes;
  }

  /** When the twin service accepted the change, if the event says. */
  public Optional<Instant> timestamp() {
    return timestamp;
  }

  /**
   * The value at {@code pointer} of {@link #changes()}, read from the change as stated: a pointer
   * at or under the change's path is looked up in its value alone, one elsewhere finds nothing.
   */
  public Optional<JsonValue> valueAt(JsonPointer pointer) {
    return valueAt(path, value, pointer);
  }

  /**
   * The value at {@code pointer} of what setting {@code value} at {@code path} changes, rooted at
   * the thing ({@link #changesOf}), without building it where it can be read from {@code value}.
   */
  public static Optional<JsonValue> valueAt(
      JsonPointer path, JsonValue value, JsonPointer pointer) {
    int stated = path.getLevelCount();
    int asked = pointer.getLevelCount();
    if (stated == 0 || asked < stated) {
      // At the root, or above the stated path: what the nesting holds there.
      return stated == 0 && value.isObject()
          ? value.asObject().getValue(pointer)
          : changesOf(path, value).getValue(pointer);
    }
    for (int level = 0; level < stated; level++) {
      if (!path.get(level).equals(pointer.get(level))) {
        return Optional.empty();
      }
    }
    JsonValue current = value;
    for (int level = stated; level < asked; level++) {
      if (!current.isObject()) {
        return Optional.empty();
      }
      Optional<JsonValue> next = current.asObject().getValue(pointer.get(level).orElseThrow());
      if (next.isEmpty()) {
        return Optional.empty();
      }
      current = next.get();
    }
    return Optional.of(current);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TwinEvent event
        && thingId.equals(event.thingId)
        && revision == event.revision
        && definition.equals(event.definition)
        && attributes.equals(event.attributes)
        && timestamp.equals(event.timestamp)
        && changes().equals(event.changes());
  }

  @Override
  public int hashCode() {
    return Objects.hash(thingId, changes(), revision, definition, attributes, timestamp);
  }

  @Override
  public String toString() {
    return "TwinEvent[thingId="
        + thingId
        + ", path="
        + path
        + ", value="
        + value
        + ", revision="
        + revision
        + ", definition="
        + definition
        + ", timestamp="
        + timestamp
        + "]";
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
            path,
            value,
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
  public static JsonObject changesOf(JsonPointer path, JsonValue value) {
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
        .setAll(changes())
        .build();
  }
}
