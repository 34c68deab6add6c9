package org.citytwin.fusion;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonValue;

/**
 * One twin's value that made a rule fire.
 *
 * @param thingId the twin
 * @param signal the rule's signal it gave, or what the rule checked (for example {@code
 *     unapproved})
 * @param path where the value sits in the thing
 * @param value the value
 * @param at when it was reported
 * @param location where the twin stood, if known
 */
public record Evidence(
    String thingId,
    String signal,
    String path,
    JsonValue value,
    Instant at,
    Optional<WgsPoint> location) {

  public Evidence {
    Objects.requireNonNull(thingId, "thingId");
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(location, "location");
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("thingId", thingId)
            .put("signal", signal)
            .put("path", path)
            .put("value", io.vertx.core.json.Json.decodeValue(value.toString()))
            .put("at", at.toString());
    location.ifPresent(point -> json.put("location", new JsonObject(point.toGeoJson().toString())));
    return json;
  }

  static Evidence fromJson(JsonObject json) {
    JsonObject location = json.getJsonObject("location");
    return new Evidence(
        json.getString("thingId"),
        json.getString("signal", ""),
        json.getString("path", ""),
        JsonFactory.readFrom(io.vertx.core.json.Json.encode(json.getValue("value"))),
        Instant.parse(json.getString("at")),
        location == null
            ? Optional.empty()
            : Optional.of(WgsPoint.fromGeoJson(JsonFactory.readFrom(location.encode()))));
  }
}
