package org.citytwin.twin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonKey;
import org.eclipse.ditto.json.JsonMergePatch;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingRevision;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.exceptions.AttributeNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.AttributesNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.FeatureDefinitionNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.FeatureDesiredPropertiesNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.FeatureDesiredPropertyNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.FeatureNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.FeaturePropertiesNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.FeaturePropertyNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.FeaturesNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.PolicyIdNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingDefinitionNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingIdNotExplicitlySettableException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingNotAccessibleException;

/**
 * Computes changes with Ditto's semantics, without storing them: the one place where a create,
 * replace, merge or delete turns a thing into its next revision. Live writes and journal replay
 * both go through here, so a recovered twin is built exactly as the live one was.
 *
 * <p>Revision and timestamps are set here only. {@code Thing.toJson()} leaves out Ditto's special
 * fields ({@code _revision}, {@code _created}, {@code _modified}), so whatever a caller or a patch
 * carries there is ignored.
 */
public final class ThingChanges {

  // Keys, not strings: Ditto parses a string argument as a JSON pointer, a key it takes as is.
  private static final JsonKey FEATURES = JsonKey.of("features");
  private static final JsonKey PROPERTIES = JsonKey.of("properties");

  private ThingChanges() {}

  /**
   * Creates {@code thing} if {@code current} is null, else replaces it whole, as Ditto's {@code PUT
   * /things/{id}} does.
   */
  public static ThingChange put(Twin current, Thing thing, Instant at) {
    at = journalPrecision(at);
    ThingId thingId =
        thing.getEntityId().orElseThrow(() -> new IllegalArgumentException("a thing needs an id"));
    long revision = current == null ? 1 : current.revision() + 1;
    Instant created = current == null ? at : current.created().orElse(at);
    Twin next = Twin.of(stamped(thing.toJson(), revision, created, at));
    ThingChange.Kind kind = current == null ? ThingChange.Kind.CREATED : ThingChange.Kind.MODIFIED;
    return new ThingChange(
        kind, thingId, next, JsonPointer.empty(), next.thing().toJson(), revision, at);
  }

  /**
   * Applies a JSON merge patch (RFC 7396, as Ditto's {@code PATCH} does) at {@code path}: {@code
   * null} removes, objects merge recursively, anything else replaces.
   *
   * @throws ThingNotAccessibleException if {@code current} is null
   * @throws ThingIdNotExplicitlySettableException if the patch would change the thing's id
   */
  public static ThingChange merge(
      ThingId thingId, Twin current, JsonPointer path, JsonValue patch, Instant at) {
    if (current == null) {
      throw ThingNotAccessibleException.newBuilder(thingId).build();
    }
    at = journalPrecision(at);
    long revision = current.revision() + 1;
    Twin pending = pendingPropertyWrites(current, path, patch, at);
    if (pending != null) {
      return new ThingChange(ThingChange.Kind.MERGED, thingId, pending, path, patch, revision, at);
    }
    Thing thing = current.thing();
    Thing fast = featurePropertiesOnly(thing, path, patch);
    if (fast != null) {
      Thing next =
          fast.toBuilder()
              .setRevision(revision)
              .setCreated(current.created().orElse(at))
              .setModified(at)
              .build();
      return new ThingChange(
          ThingChange.Kind.MERGED, thingId, Twin.of(next), path, patch, revision, at);
    }
    JsonValue merged = JsonMergePatch.of(path, patch).applyOn(thing.toJson());
    if (!merged.isObject()
        || !merged
            .asObject()
            .getValue("thingId")
            .filter(JsonValue::isString)
            .map(JsonValue::asString)
            .orElse("")
            .equals(thingId.toString())) {
      throw ThingIdNotExplicitlySettableException.forDittoProtocol()
          .dittoHeaders(DittoHeaders.empty())
          .build();
    }
    Thing next = stamped(merged.asObject(), revision, current.created().orElse(at), at);
    return new ThingChange(
        ThingChange.Kind.MERGED, thingId, Twin.of(next), path, patch, revision, at);
  }

  /**
   * Replaces or creates what is at {@code path} with {@code value}, as Ditto's {@code PUT} on a
   * part of a thing does ({@code /attributes/location}, {@code /features/rain}, ...). Recorded as
   * the merge patch at {@code path} that turns the old part into the new one, so the journal,
   * replay and every subscriber take it as they take any merge, and only the changed part travels.
   *
   * @throws ThingNotAccessibleException if {@code current} is null
   * @throws FeatureNotAccessibleException if the path is inside a feature the thing lacks
   * @throws CitytwinException with {@link TwinErrors#NULL_VALUE} if {@code value} holds a null,
   *     which a merge patch cannot keep
   */
  public static ThingChange putAt(
      ThingId thingId, Twin current, JsonPointer path, JsonValue value, Instant at) {
    if (current == null) {
      throw ThingNotAccessibleException.newBuilder(thingId).build();
    }
    if (holdsNull(value)) {
      throw TwinErrors.NULL_VALUE.toException("The value for " + path + " holds a null.");
    }
    JsonObject thing = current.thing().toJson();
    requireFeature(thingId, thing, path);
    JsonValue patch = thing.getValue(path).map(old -> patch(old, value)).orElse(value);
    return merge(thingId, current, path, patch, at);
  }

  /**
   * Removes what is at {@code path}, as Ditto's {@code DELETE} on a part of a thing does; recorded
   * as the merge patch {@code null} at {@code path}.
   *
   * @throws ThingNotAccessibleException if {@code current} is null
   * @throws DittoRuntimeException Ditto's not-accessible error for the part when nothing is there
   */
  public static ThingChange removeAt(ThingId thingId, Twin current, JsonPointer path, Instant at) {
    if (current == null) {
      throw ThingNotAccessibleException.newBuilder(thingId).build();
    }
    if (!holds(current, path)) {
      throw notFound(thingId, path);
    }
    return merge(thingId, current, path, JsonFactory.nullLiteral(), at);
  }

  /** Whether the twin has something at {@code path}: a PUT there replaces (204), else creates. */
  public static boolean holds(Twin current, JsonPointer path) {
    return current != null && current.thing().toJson().getValue(path).isPresent();
  }

  /** Ditto's not-accessible error for the part at {@code path}, as Ditto answers a missing one. */
  private static DittoRuntimeException notFound(ThingId thingId, JsonPointer path) {
    String top = path.get(0).map(JsonKey::toString).orElse("");
    int levels = path.getLevelCount();
    if (top.equals("attributes")) {
      return levels == 1
          ? AttributesNotAccessibleException.newBuilder(thingId).build()
          : AttributeNotAccessibleException.newBuilder(thingId, path.nextLevel()).build();
    }
    if (top.equals("definition")) {
      return ThingDefinitionNotAccessibleException.newBuilder(thingId).build();
    }
    if (top.equals("policyId")) {
      return PolicyIdNotAccessibleException.newBuilder(thingId).build();
    }
    if (!top.equals("features")) {
      return ThingNotAccessibleException.newBuilder(thingId)
          .message("The thing '" + thingId + "' has nothing at " + path + ".")
          .build();
    }
    if (levels == 1) {
      return FeaturesNotAccessibleException.newBuilder(thingId).build();
    }
    String featureId = path.get(1).orElseThrow().toString();
    String inFeature = path.get(2).map(JsonKey::toString).orElse("");
    JsonPointer below = path.getSubPointer(3).orElse(JsonPointer.empty());
    return switch (inFeature) {
      case "properties" ->
          below.isEmpty()
              ? FeaturePropertiesNotAccessibleException.newBuilder(thingId, featureId).build()
              : FeaturePropertyNotAccessibleException.newBuilder(thingId, featureId, below).build();
      case "desiredProperties" ->
          below.isEmpty()
              ? FeatureDesiredPropertiesNotAccessibleException.newBuilder(thingId, featureId)
                  .build()
              : FeatureDesiredPropertyNotAccessibleException.newBuilder(thingId, featureId, below)
                  .build();
      case "definition" ->
          FeatureDefinitionNotAccessibleException.newBuilder(thingId, featureId).build();
      default -> FeatureNotAccessibleException.newBuilder(thingId, featureId).build();
    };
  }

  /** The merge patch that turns {@code old} into {@code next}. */
  private static JsonValue patch(JsonValue old, JsonValue next) {
    if (!old.isObject() || !next.isObject()) {
      return next;
    }
    JsonObject before = old.asObject();
    JsonObject after = next.asObject();
    org.eclipse.ditto.json.JsonObjectBuilder patch = JsonFactory.newObjectBuilder();
    for (JsonKey key : before.getKeys()) {
      if (!after.contains(key)) {
        patch.set(key, JsonFactory.nullLiteral());
      }
    }
    for (org.eclipse.ditto.json.JsonField field : after) {
      JsonValue was = before.getValue(field.getKey()).orElse(null);
      if (was == null) {
        patch.set(field.getKey(), field.getValue());
      } else if (!was.equals(field.getValue())) {
        patch.set(field.getKey(), patch(was, field.getValue()));
      }
    }
    return patch.build();
  }

  private static boolean holdsNull(JsonValue value) {
    if (value.isNull()) {
      return true;
    }
    if (value.isObject()) {
      for (org.eclipse.ditto.json.JsonField field : value.asObject()) {
        if (holdsNull(field.getValue())) {
          return true;
        }
      }
    } else if (value.isArray()) {
      for (JsonValue item : value.asArray()) {
        if (holdsNull(item)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A part inside a feature ({@code /features/{id}/...}) needs the feature, as in Ditto. */
  private static void requireFeature(ThingId thingId, JsonObject thing, JsonPointer path) {
    if (path.getLevelCount() > 2 && path.get(0).orElseThrow().equals(FEATURES)) {
      String featureId = path.get(1).orElseThrow().toString();
      if (thing
          .getValue(JsonPointer.empty().addLeaf(FEATURES).addLeaf(path.get(1).get()))
          .isEmpty()) {
        throw FeatureNotAccessibleException.newBuilder(thingId, featureId).build();
      }
    }
  }

  /**
   * Deletes the thing.
   *
   * @throws ThingNotAccessibleException if {@code current} is null
   */
  public static ThingChange delete(ThingId thingId, Twin current, Instant at) {
    if (current == null) {
      throw ThingNotAccessibleException.newBuilder(thingId).build();
    }
    at = journalPrecision(at);
    long revision = current.revision() + 1;
    Thing last = stamped(current.thing().toJson(), revision, current.created().orElse(at), at);
    return new ThingChange(
        ThingChange.Kind.DELETED,
        thingId,
        Twin.of(last),
        JsonPointer.empty(),
        JsonFactory.nullLiteral(),
        revision,
        at);
  }

  /**
   * Recomputes a recorded change on top of {@code current}, for journal replay.
   *
   * @throws IllegalStateException if the record does not follow {@code current}'s revision
   */
  public static ThingChange replay(
      Twin current,
      ThingChange.Kind kind,
      ThingId thingId,
      JsonPointer path,
      JsonValue value,
      long revision,
      Instant at) {
    long expected = current == null ? 1 : current.revision() + 1;
    if (revision != expected) {
      throw new IllegalStateException(
          "journal entry for " + thingId + " has revision " + revision + ", expected " + expected);
    }
    return switch (kind) {
      case CREATED, MODIFIED -> put(current, ThingsModelFactory.newThing(value.asObject()), at);
      case MERGED -> merge(thingId, current, path, value, at);
      case DELETED -> delete(thingId, current, at);
    };
  }

  /**
   * The merge as writes held apart by the twin (see {@link Twin}) when every value it sets is one a
   * twin can hold: the shape of a sensor reading. Null when it is not, or when it sets nothing.
   */
  private static Twin pendingPropertyWrites(
      Twin current, JsonPointer path, JsonValue patch, Instant at) {
    int levels = path.getLevelCount();
    if (levels == 4 && isFeatureProperties(path)) {
      return current.withProperties(
          List.of(
              new Twin.PropertyWrite(
                  path.get(1).orElseThrow().toString(), path.get(3).orElseThrow(), patch)),
          at);
    }
    Map<String, JsonObject> byFeature = propertiesByFeature(path, patch);
    if (byFeature == null) {
      return null;
    }
    List<Twin.PropertyWrite> writes = new ArrayList<>();
    byFeature.forEach(
        (featureId, properties) -> {
          for (var property : properties) {
            writes.add(new Twin.PropertyWrite(featureId, property.getKey(), property.getValue()));
          }
        });
    return current.withProperties(writes, at);
  }

  /**
   * The properties a merge sets, by feature, when it sets feature properties and nothing else: a
   * patch of {@code /features/<id>/properties}, or of the whole thing with only {@code
   * features/<id>/properties} in it. Null for any other merge.
   */
  private static Map<String, JsonObject> propertiesByFeature(JsonPointer path, JsonValue patch) {
    int levels = path.getLevelCount();
    if (levels == 3 && isFeatureProperties(path) && patch.isObject()) {
      return Map.of(path.get(1).orElseThrow().toString(), patch.asObject());
    }
    if (levels != 0 || !patch.isObject() || patch.asObject().getSize() != 1) {
      return null;
    }
    JsonValue features = patch.asObject().getValue(FEATURES).orElse(null);
    if (features == null || !features.isObject()) {
      return null;
    }
    Map<String, JsonObject> byFeature = new LinkedHashMap<>();
    for (var feature : features.asObject()) {
      JsonValue body = feature.getValue();
      if (!body.isObject() || body.asObject().getSize() != 1) {
        return null;
      }
      JsonValue properties = body.asObject().getValue(PROPERTIES).orElse(null);
      if (properties == null || !properties.isObject()) {
        return null;
      }
      byFeature.put(feature.getKeyName().toString(), properties.asObject());
    }
    return byFeature;
  }

  /**
   * Applies a merge that touches feature properties only (the shape every sensor reading has)
   * through Ditto's own property setters, which is several times faster than a merge over the whole
   * thing's JSON and gives the same thing; null if the patch touches anything else.
   */
  private static Thing featurePropertiesOnly(Thing current, JsonPointer path, JsonValue patch) {
    int levels = path.getLevelCount();
    if (levels >= 4 && isFeatureProperties(path)) {
      return mergeProperty(
          current,
          path.get(1).orElseThrow().toString(),
          path.getSubPointer(3).orElseThrow(),
          patch);
    }
    Map<String, JsonObject> byFeature = propertiesByFeature(path, patch);
    if (byFeature == null) {
      return null;
    }
    Thing next = current;
    for (Map.Entry<String, JsonObject> feature : byFeature.entrySet()) {
      next = mergeProperties(next, feature.getKey(), feature.getValue());
    }
    return next;
  }

  private static boolean isFeatureProperties(JsonPointer path) {
    return path.get(0).filter(FEATURES::equals).isPresent()
        && path.get(2).filter(PROPERTIES::equals).isPresent();
  }

  private static Thing mergeProperties(Thing thing, String featureId, JsonObject properties) {
    Thing next = thing;
    for (var property : properties) {
      next =
          mergeProperty(
              next, featureId, JsonPointer.of(property.getKeyName()), property.getValue());
    }
    return next;
  }

  private static Thing mergeProperty(
      Thing thing, String featureId, JsonPointer property, JsonValue patch) {
    if (patch.isNull()) {
      boolean present =
          thing
              .getFeatures()
              .flatMap(f -> f.getFeature(featureId))
              .flatMap(f -> f.getProperty(property))
              .isPresent();
      return present ? thing.removeFeatureProperty(featureId, property) : thing;
    }
    if (patch.isObject()) {
      JsonValue existing =
          thing
              .getFeatures()
              .flatMap(f -> f.getFeature(featureId))
              .flatMap(f -> f.getProperty(property))
              .orElse(JsonFactory.nullLiteral());
      return thing.setFeatureProperty(
          featureId, property, JsonMergePatch.of(patch).applyOn(existing));
    }
    return thing.setFeatureProperty(featureId, property, patch);
  }

  /**
   * Timestamps are kept to the microsecond, the journal's precision, so that a recovered twin is
   * exactly the live one (the system clock gives nanoseconds on Linux).
   */
  private static Instant journalPrecision(Instant at) {
    return at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  public static long revisionOf(Thing thing) {
    return thing.getRevision().map(ThingRevision::toLong).orElse(0L);
  }

  private static Thing stamped(JsonObject json, long revision, Instant created, Instant modified) {
    return ThingsModelFactory.newThingBuilder(json)
        .setRevision(revision)
        .setCreated(created)
        .setModified(modified)
        .build();
  }
}
