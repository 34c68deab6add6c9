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
