package org.citytwin.launcher;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.citytwin.sim.District;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingsModelFactory;

/**
 * A district directory read from disk: zones ({@value District#ZONES_FILE}), twins ({@value
 * District#THINGS_FILE}, Ditto thing JSON) and devices ({@value District#DEVICES_FILE}, the
 * registry's import format). Each file is optional.
 */
record DistrictFiles(JsonObject zones, List<Thing> things, JsonArray devices) {

  static DistrictFiles read(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("district.dir " + directory + " is not a directory");
    }
    JsonObject zones =
        readJson(
            directory.resolve(District.ZONES_FILE),
            "{\"type\":\"FeatureCollection\",\"features\":[]}",
            JsonObject.class);
    JsonArray thingsJson = readJson(directory.resolve(District.THINGS_FILE), "[]", JsonArray.class);
    List<Thing> things = new ArrayList<>(thingsJson.size());
    for (int i = 0; i < thingsJson.size(); i++) {
      try {
        things.add(ThingsModelFactory.newThing(thingsJson.getJsonObject(i).encode()));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            District.THINGS_FILE + " entry #" + i + " is not a Ditto thing: " + e.getMessage(), e);
      }
    }
    JsonArray devices = readJson(directory.resolve(District.DEVICES_FILE), "[]", JsonArray.class);
    return new DistrictFiles(zones, things, devices);
  }

  private static <T> T readJson(Path file, String whenMissing, Class<T> type) {
    try {
      String text =
          Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : whenMissing;
      Object parsed = type == JsonObject.class ? new JsonObject(text) : new JsonArray(text);
      return type.cast(parsed);
    } catch (IOException | DecodeException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
