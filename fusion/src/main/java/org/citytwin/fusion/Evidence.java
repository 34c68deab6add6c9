package org.citytwin.fusion;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** One twin's value that made a rule fire. */
public record Evidence(String thingId, String path, double value, long revision, Instant at) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("thingId", thingId)
        .put("path", path)
        .put("value", value)
        .put("revision", revision)
        .put("at", at.toString());
  }
}
