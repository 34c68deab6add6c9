package org.citytwin.twin;

import java.time.Instant;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonMergePatch;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingRevision;
import org.eclipse.ditto.things.model.ThingsModelFactory;
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

  private ThingChanges() {}

  /**
   * Creates {@code thing} if {@code current} is null, else replaces it whole, as Ditto's {@code PUT
   * /things/{id}} does.
   */
  public static ThingChange put(Thing current, Thing thing, Instant at) {
    ThingId thingId =
        thing.getEntityId().orElseThrow(() -> new IllegalArgumentException("a thing needs an id"));
    long revision = current == null ? 1 : revisionOf(current) + 1;
    Instant created = current == null ? at : current.getCreated().orElse(at);
    Thing next = stamped(thing.toJson(), revision, created, at);
    ThingChange.Kind kind = current == null ? ThingChange.Kind.CREATED : ThingChange.Kind.MODIFIED;
    return new ThingChange(kind, thingId, next, JsonPointer.empty(), next.toJson(), revision, at);
  }

  /**
   * Applies a JSON merge patch (RFC 7396, as Ditto's {@code PATCH} does) at {@code path}: {@code
   * null} removes, objects merge recursively, anything else replaces.
   *
   * @throws ThingNotAccessibleException if {@code current} is null
   * @throws ThingIdNotExplicitlySettableException if the patch would change the thing's id
   */
  public static ThingChange merge(
      ThingId thingId, Thing current, JsonPointer path, JsonValue patch, Instant at) {
    if (current == null) {
      throw ThingNotAccessibleException.newBuilder(thingId).build();
    }
    long nextRevision = revisionOf(current) + 1;
    Thing fast = featurePropertiesOnly(current, path, patch);
    if (fast != null) {
      Thing next =
          fast.toBuilder()
              .setRevision(nextRevision)
              .setCreated(current.getCreated().orElse(at))
              .setModified(at)
              .build();
      return new ThingChange(ThingChange.Kind.MERGED, thingId, next, path, patch, nextRevision, at);
    }
    JsonValue merged = JsonMergePatch.of(path, patch).applyOn(current.toJson());
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
    long revision = revisionOf(current) + 1;
    Thing next = stamped(merged.asObject(), revision, current.getCreated().orElse(at), at);
    return new ThingChange(ThingChange.Kind.MERGED, thingId, next, path, patch, revision, at);
  }

  /**
   * Deletes the thing.
   *
   * @throws ThingNotAccessibleException if {@code current} is null
   */
  public static ThingChange delete(ThingId thingId, Thing current, Instant at) {
    if (current == null) {
      throw ThingNotAccessibleException.newBuilder(thingId).build();
    }
    long revision = revisionOf(current) + 1;
    Thing last = stamped(current.toJson(), revision, current.getCreated().orElse(at), at);
    return new ThingChange(
        ThingChange.Kind.DELETED,
        thingId,
        last,
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
      Thing current,
      ThingChange.Kind kind,
      ThingId thingId,
      JsonPointer path,
      JsonValue value,
      long revision,
      Instant at) {
    long expected = current == null ? 1 : revisionOf(current) + 1;
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
    if (levels == 3 && isFeatureProperties(path) && patch.isObject()) {
      return mergeProperties(current, path.get(1).orElseThrow().toString(), patch.asObject());
    }
    if (levels == 0 && patch.isObject() && patch.asObject().getSize() == 1) {
      JsonValue features = patch.asObject().getValue("features").orElse(null);
      if (features == null || !features.isObject()) {
        return null;
      }
      Thing next = current;
      for (var feature : features.asObject()) {
        JsonValue body = feature.getValue();
        if (!body.isObject() || body.asObject().getSize() != 1) {
          return null;
        }
        JsonValue properties = body.asObject().getValue("properties").orElse(null);
        if (properties == null || !properties.isObject()) {
          return null;
        }
        next = mergeProperties(next, feature.getKeyName(), properties.asObject());
      }
      return next;
    }
    return null;
  }

  private static boolean isFeatureProperties(JsonPointer path) {
    return path.get(0).map(Object::toString).orElse("").equals("features")
        && path.get(2).map(Object::toString).orElse("").equals("properties");
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
