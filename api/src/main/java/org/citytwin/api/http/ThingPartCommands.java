package org.citytwin.api.http;

import org.eclipse.ditto.base.model.exceptions.DittoJsonException;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.policies.model.PolicyId;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteAttribute;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteAttributes;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteFeature;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteFeatureDefinition;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteFeatureDesiredProperties;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteFeatureDesiredProperty;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteFeatureProperties;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteFeatureProperty;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteFeatures;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteThingDefinition;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyAttribute;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyAttributes;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyFeature;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyFeatureDefinition;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyFeatureDesiredProperties;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyFeatureDesiredProperty;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyFeatureProperties;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyFeatureProperty;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyFeatures;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyPolicyId;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThingDefinition;
import org.eclipse.ditto.things.model.signals.commands.modify.ThingModifyCommand;

/**
 * The Ditto command for a write to a part of a thing, as Ditto's HTTP API maps its paths: {@code
 * PUT /attributes/location} is {@code ModifyAttribute}, {@code DELETE /features/rain} is {@code
 * DeleteFeature}, and so on. Ditto's model builds and checks each value (a feature's shape, a
 * definition's form, a policy id), so a bad one is refused here with Ditto's own error.
 */
final class ThingPartCommands {

  private ThingPartCommands() {}

  /**
   * The command that puts {@code value} at {@code path} of the thing.
   *
   * @param path below the thing: {@code /attributes[/..]}, {@code /features[/id[/properties[/..]]]}
   *     (or {@code desiredProperties}, {@code definition} of a feature), {@code /definition},
   *     {@code /policyId}
   */
  static ThingModifyCommand<?> modify(
      ThingId thingId, JsonPointer path, JsonValue value, DittoHeaders headers) {
    return DittoJsonException.wrapJsonRuntimeException(
        () -> {
          String part = level(path, 0);
          int levels = path.getLevelCount();
          switch (part) {
            case "attributes":
              return levels == 1
                  ? ModifyAttributes.of(
                      thingId, ThingsModelFactory.newAttributes(object(path, value)), headers)
                  : ModifyAttribute.of(thingId, path.nextLevel(), value, headers);
            case "definition":
              whole(path);
              return ModifyThingDefinition.of(
                  thingId, ThingsModelFactory.newDefinition(string(path, value)), headers);
            case "policyId":
              whole(path);
              return ModifyPolicyId.of(thingId, PolicyId.of(string(path, value)), headers);
            case "features":
              return modifyFeaturePart(thingId, path, value, headers);
            default:
              throw notAPart(path);
          }
        });
  }

  private static ThingModifyCommand<?> modifyFeaturePart(
      ThingId thingId, JsonPointer path, JsonValue value, DittoHeaders headers) {
    int levels = path.getLevelCount();
    if (levels == 1) {
      return ModifyFeatures.of(
          thingId, ThingsModelFactory.newFeatures(object(path, value)), headers);
    }
    String featureId = level(path, 1);
    if (levels == 2) {
      return ModifyFeature.of(
          thingId,
          ThingsModelFactory.newFeatureBuilder(object(path, value)).useId(featureId).build(),
          headers);
    }
    JsonPointer below = path.getSubPointer(3).orElse(JsonPointer.empty());
    switch (level(path, 2)) {
      case "properties":
        return below.isEmpty()
            ? ModifyFeatureProperties.of(
                thingId,
                featureId,
                ThingsModelFactory.newFeatureProperties(object(path, value)),
                headers)
            : ModifyFeatureProperty.of(thingId, featureId, below, value, headers);
      case "desiredProperties":
        return below.isEmpty()
            ? ModifyFeatureDesiredProperties.of(
                thingId,
                featureId,
                ThingsModelFactory.newFeatureProperties(object(path, value)),
                headers)
            : ModifyFeatureDesiredProperty.of(thingId, featureId, below, value, headers);
      case "definition":
        if (!below.isEmpty() || !value.isArray()) {
          throw invalid(path, "a feature's definition is a JSON array of identifiers");
        }
        return ModifyFeatureDefinition.of(
            thingId, featureId, ThingsModelFactory.newFeatureDefinition(value.asArray()), headers);
      default:
        throw notAPart(path);
    }
  }

  /** The command that removes what is at {@code path} of the thing. */
  static ThingModifyCommand<?> delete(ThingId thingId, JsonPointer path, DittoHeaders headers) {
    int levels = path.getLevelCount();
    switch (level(path, 0)) {
      case "attributes":
        return levels == 1
            ? DeleteAttributes.of(thingId, headers)
            : DeleteAttribute.of(thingId, path.nextLevel(), headers);
      case "definition":
        whole(path);
        return DeleteThingDefinition.of(thingId, headers);
      case "features":
        break;
      default:
        throw notAPart(path);
    }
    if (levels == 1) {
      return DeleteFeatures.of(thingId, headers);
    }
    String featureId = level(path, 1);
    if (levels == 2) {
      return DeleteFeature.of(thingId, featureId, headers);
    }
    JsonPointer below = path.getSubPointer(3).orElse(JsonPointer.empty());
    switch (level(path, 2)) {
      case "properties":
        return below.isEmpty()
            ? DeleteFeatureProperties.of(thingId, featureId, headers)
            : DeleteFeatureProperty.of(thingId, featureId, below, headers);
      case "desiredProperties":
        return below.isEmpty()
            ? DeleteFeatureDesiredProperties.of(thingId, featureId, headers)
            : DeleteFeatureDesiredProperty.of(thingId, featureId, below, headers);
      case "definition":
        whole(path);
        return DeleteFeatureDefinition.of(thingId, featureId, headers);
      default:
        throw notAPart(path);
    }
  }

  private static String level(JsonPointer path, int level) {
    return path.get(level).map(Object::toString).orElse("");
  }

  /** Definitions and the policy id are written whole: nothing lies below them. */
  private static void whole(JsonPointer path) {
    boolean ofFeature = level(path, 0).equals("features");
    if (path.getLevelCount() > (ofFeature ? 3 : 1)) {
      throw notAPart(path);
    }
  }

  private static JsonObject object(JsonPointer path, JsonValue value) {
    if (!value.isObject()) {
      throw invalid(path, "it takes a JSON object");
    }
    return value.asObject();
  }

  private static String string(JsonPointer path, JsonValue value) {
    if (!value.isString()) {
      throw invalid(path, "it takes a JSON string");
    }
    return value.asString();
  }

  private static RuntimeException invalid(JsonPointer path, String why) {
    return ApiErrors.BODY_MISSING.toException(
        "The body for " + path + " is not valid: " + why + ".");
  }

  private static RuntimeException notAPart(JsonPointer path) {
    return ApiErrors.ROUTE_NOT_FOUND.toException("A thing has no part " + path + " to write.");
  }
}
