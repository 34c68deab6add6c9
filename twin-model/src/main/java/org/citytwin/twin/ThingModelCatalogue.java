package org.citytwin.twin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingDefinition;
import org.eclipse.ditto.things.model.ThingsModelFactory;

/**
 * The W3C WoT Thing Models citytwin ships ({@code src/main/resources/models}), one per thing
 * definition: 8 categories of managed object and 15 kinds of device. A thing's {@code definition}
 * names its model; the API serves them.
 *
 * <p>Loading checks every model: its definition is a valid Ditto definition matching its file, and
 * every numeric property states its canonical unit.
 */
public final class ThingModelCatalogue {

  private final Map<ThingDefinition, JsonObject> models;

  private ThingModelCatalogue(Map<ThingDefinition, JsonObject> models) {
    this.models = Collections.unmodifiableMap(models);
  }

  /**
   * Loads the shipped models.
   *
   * @throws IllegalStateException naming the first model that is missing or invalid
   */
  public static ThingModelCatalogue shipped() {
    JsonObject index = read("models/index.json");
    Map<ThingDefinition, JsonObject> models = new LinkedHashMap<>();
    for (String group : List.of("categories", "devices")) {
      for (JsonValue definition : index.getValue(group).map(JsonValue::asArray).orElseThrow()) {
        ThingDefinition parsed = ThingsModelFactory.newDefinition(definition.asString());
        String file = "models/" + parsed.getName() + "-" + parsed.getVersion() + ".tm.jsonld";
        JsonObject model = read(file);
        if (!model
            .getValue("citytwin:definition")
            .map(JsonValue::asString)
            .orElse("")
            .equals(parsed.toString())) {
          throw new IllegalStateException(file + " does not declare citytwin:definition " + parsed);
        }
        requireUnits(file, model);
        models.put(parsed, model);
      }
    }
    return new ThingModelCatalogue(models);
  }

  public Optional<JsonObject> find(ThingDefinition definition) {
    return Optional.ofNullable(models.get(definition));
  }

  /** Every model, by definition, categories first. */
  public Map<ThingDefinition, JsonObject> all() {
    return models;
  }

  /** The definitions of one group: {@code managed-object} or {@code device}. */
  public List<ThingDefinition> inCategory(String category) {
    List<ThingDefinition> found = new ArrayList<>();
    models.forEach(
        (definition, model) -> {
          if (model
              .getValue("citytwin:category")
              .map(JsonValue::asString)
              .orElse("")
              .equals(category)) {
            found.add(definition);
          }
        });
    return found;
  }

  private static void requireUnits(String file, JsonValue node) {
    if (!node.isObject()) {
      return;
    }
    JsonObject object = node.asObject();
    if (object
            .getValue("type")
            .filter(JsonValue::isString)
            .map(JsonValue::asString)
            .orElse("")
            .equals("number")
        && object.getValue("unit").isEmpty()) {
      throw new IllegalStateException(file + ": a number property without a unit: " + object);
    }
    object.forEach(field -> requireUnits(file, field.getValue()));
  }

  private static JsonObject read(String resource) {
    try (InputStream in =
        ThingModelCatalogue.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "the thing model " + resource + " is missing from the build");
      }
      return JsonFactory.newObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }
}
