package org.citytwin.twin;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonKey;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonObjectBuilder;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingBuilder;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingRevision;

/**
 * One twin as the store keeps it: an immutable Ditto {@link Thing} plus the feature-property values
 * written since that thing was built, with the twin's current revision and timestamps.
 *
 * <p>Why not a plain {@code Thing}: a sensor reading changes one property, and building Ditto's
 * immutable thing for it costs several microseconds (its builders copy and validate every level).
 * At a district's update rate that is most of the twin service's time, while most updated things
 * are never read before the next reading. A twin therefore records the reading and builds the
 * {@code Thing} only when someone asks for it ({@link #thing()}), once, then keeps it.
 *
 * <p>Only the common shape is held apart: a non-null, non-object value for a property that already
 * exists in the base thing (so Ditto has validated its key). Everything else (new keys, removals,
 * nested merges, attribute changes) goes through Ditto's model and yields a twin without pending
 * writes. {@link #thing()} gives exactly the thing Ditto's merge would have given; a test holds the
 * two equal. Immutable and safe to share between threads.
 */
public final class Twin {

  /** Pending writes beyond this are folded into a new base thing, bounding memory and reads. */
  static final int MAX_PENDING_WRITES = 16;

  private static final PropertyWrite[] NONE = new PropertyWrite[0];

  /** One pending write: {@code features/<featureId>/properties/<property>} set to {@code value}. */
  record PropertyWrite(String featureId, JsonKey property, JsonValue value) {

    boolean sameKey(String otherFeature, JsonKey otherProperty) {
      return property.equals(otherProperty) && featureId.equals(otherFeature);
    }
  }

  /** The base thing, shared by every twin derived from it, with its enrichment text. */
  private static final class Base {
    final Thing thing;
    // Computed at most a few times per base under races; the value is always the same.
    private String extraText;

    // As a plain JSON object, for events handed over read; cached like the text.
    private JsonObject attributes;

    Base(Thing thing) {
      this.thing = thing;
    }

    JsonObject attributes() {
      JsonObject object = attributes;
      if (object == null) {
        // Ditto's Attributes is a JsonObject that equals only Attributes: copied into a plain
        // object, an event handed over equals the same event read back from its text.
        object =
            thing
                .getAttributes()
                .map(all -> JsonFactory.newObjectBuilder(all).build())
                .orElse(NO_ATTRIBUTES);
        attributes = object;
      }
      return object;
    }

    String extraText() {
      String text = extraText;
      if (text == null) {
        JsonObjectBuilder extra = JsonFactory.newObjectBuilder();
        thing.getDefinition().ifPresent(d -> extra.set("definition", d.toString()));
        thing.getAttributes().ifPresent(a -> extra.set("attributes", a));
        text = extra.build().toString();
        extraText = text;
      }
      return text;
    }
  }

  private final ThingId thingId;
  private final Base base;
  private final long revision;
  private final Instant created;
  private final Instant modified;
  private final PropertyWrite[] writes;
  // The built thing; racing readers may each build it once, and get equal things.
  private Thing built;

  private Twin(
      ThingId thingId,
      Base base,
      long revision,
      Instant created,
      Instant modified,
      PropertyWrite[] writes) {
    this.thingId = thingId;
    this.base = base;
    this.revision = revision;
    this.created = created;
    this.modified = modified;
    this.writes = writes;
    if (writes.length == 0) {
      built = base.thing;
    }
  }

  /** The twin of a whole thing, its revision and timestamps taken from it. */
  public static Twin of(Thing thing) {
    Objects.requireNonNull(thing, "thing");
    ThingId thingId =
        thing.getEntityId().orElseThrow(() -> new IllegalArgumentException("a thing needs an id"));
    return new Twin(
        thingId,
        new Base(thing),
        thing.getRevision().map(ThingRevision::toLong).orElse(0L),
        thing.getCreated().orElse(null),
        thing.getModified().orElse(null),
        NONE);
  }

  public ThingId thingId() {
    return thingId;
  }

  public long revision() {
    return revision;
  }

  public Optional<Instant> created() {
    return Optional.ofNullable(created);
  }

  /** The thing as it stands, with revision and timestamps: built on first use, then kept. */
  public Thing thing() {
    Thing thing = built;
    if (thing == null) {
      ThingBuilder.FromCopy builder = base.thing.toBuilder();
      for (PropertyWrite write : writes) {
        builder.setFeatureProperty(
            write.featureId(), JsonPointer.of(write.property()), write.value());
      }
      builder.setRevision(revision).setModified(modified);
      if (created != null) {
        builder.setCreated(created);
      }
      thing = builder.build();
      built = thing;
    }
    return thing;
  }

  /**
   * The base thing: definition, attributes and policy are always current there; feature properties
   * may be older than {@link #thing()}'s.
   */
  Thing base() {
    return base.thing;
  }

  private static final JsonObject NO_ATTRIBUTES = JsonFactory.newObject();

  /** The base thing's attributes as a plain JSON object (empty if none), for events. */
  JsonObject attributes() {
    return base.attributes();
  }

  /** {@code {"definition":..,"attributes":..}} as text, for Ditto's event enrichment. */
  String extraText() {
    return base.extraText();
  }

  /**
   * The current value at a feature property, without building the thing; empty if absent.
   *
   * @param rest a pointer inside the property's value, or empty for the value itself
   */
  Optional<JsonValue> featureProperty(String featureId, JsonKey property, JsonPointer rest) {
    for (int i = writes.length - 1; i >= 0; i--) {
      if (writes[i].sameKey(featureId, property)) {
        JsonValue value = writes[i].value();
        return rest.isEmpty()
            ? Optional.of(value)
            : value.isObject() ? value.asObject().getValue(rest) : Optional.empty();
      }
    }
    return base.thing
        .getFeatures()
        .flatMap(features -> features.getFeature(featureId))
        .flatMap(feature -> feature.getProperties())
        .flatMap(properties -> properties.getValue(JsonPointer.of(property).append(rest)));
  }

  /** Whether no write is pending, so the base thing is the whole truth. */
  boolean isSettled() {
    return writes.length == 0;
  }

  /**
   * This twin with more property values, at the next revision; null if one of the writes is not one
   * a twin holds apart (see the class comment), so the caller must go through Ditto's model.
   */
  Twin withProperties(java.util.List<PropertyWrite> added, Instant at) {
    if (added.isEmpty()) {
      return null;
    }
    PropertyWrite[] next = Arrays.copyOf(writes, writes.length + added.size());
    int kept = writes.length;
    for (PropertyWrite write : added) {
      JsonValue value = write.value();
      if (value.isNull()
          || value.isObject()
          || write.property().toString().indexOf('/') >= 0
          || !baseHasProperty(write.featureId(), write.property())) {
        return null;
      }
      // A later write of the same property replaces the earlier one, keeping the order of the rest.
      int from = 0;
      for (int i = 0; i < kept; i++) {
        if (!next[i].sameKey(write.featureId(), write.property())) {
          next[from++] = next[i];
        }
      }
      next[from++] = write;
      kept = from;
    }
    next = kept == next.length ? next : Arrays.copyOf(next, kept);
    Twin twin = new Twin(thingId, base, revision + 1, created == null ? at : created, at, next);
    return next.length > MAX_PENDING_WRITES ? Twin.of(twin.thing()) : twin;
  }

  private boolean baseHasProperty(String featureId, JsonKey property) {
    return base.thing
        .getFeatures()
        .flatMap(features -> features.getFeature(featureId))
        .flatMap(feature -> feature.getProperties())
        .map(properties -> properties.contains(property))
        .orElse(false);
  }

  @Override
  public String toString() {
    return "Twin[" + thingId + " rev " + revision + ", " + writes.length + " pending writes]";
  }
}
