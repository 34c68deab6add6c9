package org.citytwin.twin;

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
 * @param attributes the thing's attributes from {@code extra}, empty if none
 */
public record TwinEvent(
    ThingId thingId, JsonObject changes, long revision, String definition, JsonObject attributes) {

  /**
   * Reads a Ditto Protocol twin event ({@code ns/name/things/twin/events/<action>}).
   *
   * @return empty if the message is not a twin event
   */
  public static Optional<TwinEvent> parse(JsonObject message) {
    String[] topic =
        message
            .getValue("topic")
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
                .getValue("path")
                .filter(JsonValue::isString)
                .map(JsonValue::asString)
                .orElse("/"));
    JsonValue value = message.getValue("value").orElse(JsonFactory.nullLiteral());
    JsonObject changes =
        path.isEmpty()
            ? (value.isObject() ? value.asObject() : JsonFactory.newObject())
            : JsonFactory.newObject().setValue(path, value);
    JsonObject extra =
        message
            .getValue("extra")
            .filter(JsonValue::isObject)
            .map(JsonValue::asObject)
            .orElse(JsonFactory.newObject());
    return Optional.of(
        new TwinEvent(
            ThingId.of(topic[0], topic[1]),
            changes,
            message
                .getValue("revision")
                .filter(JsonValue::isNumber)
                .map(JsonValue::asLong)
                .orElse(0L),
            extra
                .getValue("definition")
                .filter(JsonValue::isString)
                .map(JsonValue::asString)
                .orElse(""),
            extra
                .getValue("attributes")
                .filter(JsonValue::isObject)
                .map(JsonValue::asObject)
                .orElse(JsonFactory.newObject())));
  }

  /** Where the thing stands, if its {@code location} attribute is a GeoJSON Point. */
  public Optional<WgsPoint> location() {
    try {
      return attributes.getValue(ThingModels.LOCATION).map(WgsPoint::fromGeoJson);
    } catch (IllegalArgumentException notAPoint) {
      return Optional.empty();
    }
  }

  /** The changed part with the thing's id: the body of Ditto's SSE change notification. */
  public JsonObject changedThing() {
    return JsonFactory.newObjectBuilder()
        .set("thingId", thingId.toString())
        .setAll(changes)
        .build();
  }
}
