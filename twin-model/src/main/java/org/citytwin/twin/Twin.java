package org.citytwin.twin;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.citytwin.twin.search.SearchIndex;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonKey;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingBuilder;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingRevision;
import org.eclipse.ditto.things.model.ThingsModelFactory;

/**
 * One twin as the store keeps it: an immutable Ditto {@link Thing} plus the feature-property values
 * written since that thing was built, with the twin's current revision and timestamps.
 *
 * <p>Why not a plain {@code Thing}: a sensor reading changes one property, and building Ditto's
 * immutable thing for it costs several microseconds (its builders copy and validate every level).
 * At a district's update rate that is most of the twin service's time, while most updated things
 * are never read before the next reading. A twin therefore records the reading and builds the
 * {@code Thing} only when someone asks for it ({@link #thing()}), once, then keeps it while in use.
 *
 * <p>A twin unused between two sweeps of the store ({@link ThingStore#releaseIdle}) gives up its
 * built thing and keeps the thing's JSON text: Ditto 3.8's JSON objects hold their fields and their
 * text side by side at every level, so a thing takes some 16 times its text in heap. Searches,
 * readings and their events are answered from the text without building the thing again; anything
 * else builds it.
 *
 * <p>Only the common shape is held apart: a non-null, non-object value for a property that already
 * exists in the base thing (so Ditto has validated its key). Everything else (new keys, removals,
 * nested merges, attribute changes) goes through Ditto's model and yields a twin without pending
 * writes. {@link #thing()} gives exactly the thing Ditto's merge would have given; a test holds the
 * two equal. Immutable in what it answers (the built thing and the text are two forms of one value)
 * and safe to share between threads.
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

  /**
   * The base thing, shared by every twin derived from it, with its enrichment text. It is held as a
   * built Ditto {@code Thing} while in use and as its JSON text once idle ({@link #releaseIfIdle}):
   * Ditto 3.8 keeps every JSON object's fields and its text side by side, so a built thing of a few
   * hundred bytes of JSON takes several KiB of heap, and a district's 200,000 things did not fit in
   * 2 KiB each.
   */
  private static final class Base {
    // At least one of thing and json is set at any time: json is written before thing is cleared.
    private volatile Thing thing;
    private volatile String json;
    // Set by every use; cleared by the idle sweep, which releases a base it finds still clear.
    private volatile boolean used;
    // The thing's own revision and timestamps (-1 and null when it has none), kept out of its JSON
    // as snapshots keep them.
    private final long revision;
    private final Instant created;
    private final Instant modified;
    // Computed at most a few times per base under races; the value is always the same.
    private volatile String extraText;
    // The attributes' JSON text (empty when the thing has none), for events handed over read;
    // cached like the extra text. Text, not Ditto's object: see AttributesText.
    private volatile Optional<String> attributes;
    // The attributes' last point asked (fusion asks each event for the twin's location); dropped
    // with the other caches when the base is idle.
    private volatile AttributesText.PointMemo pointMemo;
    // The definition ("" for none; null until asked), interned: a district has a few dozen, and
    // every event of a twin names it.
    private volatile String definition;
    // The feature property last found in the base: a device writes the same one reading after
    // reading, and finding it in the text each time was a quarter of the twin service's loop.
    private volatile PresentProperty present;

    Base(Thing thing) {
      this.thing = thing;
      this.used = true;
      this.revision = thing.getRevision().map(ThingRevision::toLong).orElse(-1L);
      this.created = thing.getCreated().orElse(null);
      this.modified = thing.getModified().orElse(null);
    }

    Base(String json, long revision, Instant created, Instant modified) {
      this.json = json;
      this.revision = revision;
      this.created = created;
      this.modified = modified;
    }

    /** The built thing, built from its JSON if it was released; counts as a use. */
    Thing thing() {
      if (!used) {
        used = true;
      }
      Thing built = thing;
      if (built == null) {
        built = build(json);
        thing = built;
      }
      return built;
    }

    /** The built thing if it is held, else one built for this call only: no use counted. */
    Thing thingQuietly() {
      Thing built = thing;
      return built != null ? built : build(json);
    }

    /** The thing's JSON text if it is held only as text, else empty. */
    Optional<String> releasedText() {
      return thing != null ? Optional.empty() : Optional.of(json);
    }

    private Thing build(String text) {
      ThingBuilder.FromCopy builder =
          ThingsModelFactory.newThingBuilder(JsonFactory.newObject(text));
      if (revision >= 0) {
        builder.setRevision(revision);
      }
      if (created != null) {
        builder.setCreated(created);
      }
      if (modified != null) {
        builder.setModified(modified);
      }
      return builder.build();
    }

    /** The thing's JSON without revision and timestamps, rendered once per base. */
    String json() {
      String text = json;
      if (text != null) {
        return text;
      }
      Thing built = thing;
      if (built == null) {
        // Released meanwhile: the release rendered the text first.
        return json;
      }
      text = built.toJson().toString();
      json = text;
      return text;
    }

    /**
     * Drops the built thing and its caches if the base was not used since the last call; whether it
     * was idle.
     */
    boolean releaseIfIdle() {
      if (used) {
        used = false;
        return false;
      }
      if (thing != null) {
        json();
        thing = null;
        extraText = null;
        attributes = null;
      }
      pointMemo = null;
      return true;
    }

    // Events of an idle twin are enriched from its text, without building it: at a district's
    // load every device reports every second or two, and building each one's thing for its events
    // kept 34,000 built things of about 5.8 KiB each.

    Optional<String> attributes() {
      Optional<String> text = attributes;
      if (text == null) {
        Thing built = thing;
        text =
            built != null
                ? built.getAttributes().map(Object::toString)
                : JsonText.textAt(json, ATTRIBUTES).filter(value -> value.startsWith("{"));
        attributes = text;
      }
      return text;
    }

    AttributesText.PointMemo pointMemo() {
      AttributesText.PointMemo memo = pointMemo;
      if (memo == null) {
        // Two threads may each make one; either is right, as both hold answers for this text.
        memo = new AttributesText.PointMemo();
        pointMemo = memo;
      }
      return memo;
    }

    Optional<String> definition() {
      String known = definition;
      if (known == null) {
        Thing built = thing;
        known =
            (built != null
                    ? built.getDefinition().map(Object::toString)
                    : JsonText.valueAt(json, DEFINITION)
                        .filter(JsonValue::isString)
                        .map(JsonValue::asString))
                .orElse("")
                .intern();
        definition = known;
      }
      return known.isEmpty() ? Optional.empty() : Optional.of(known);
    }

    /** Whether the base has the feature property, remembering the last one found. */
    boolean hasProperty(String featureId, JsonKey property) {
      PresentProperty last = present;
      if (last != null && last.featureId().equals(featureId) && last.property().equals(property)) {
        return true;
      }
      Thing built = thing;
      boolean found =
          built != null
              ? built
                  .getFeatures()
                  .flatMap(features -> features.getFeature(featureId))
                  .flatMap(feature -> feature.getProperties())
                  .map(properties -> properties.contains(property))
                  .orElse(false)
              // Asked from the text, so that a reading for an idle twin (a journal replayed at a
              // cold start, say) does not build its thing: the writes wait beside the text.
              : JsonText.has(
                  json,
                  FEATURES_KEY.toString(),
                  featureId,
                  PROPERTIES_KEY.toString(),
                  property.toString());
      if (found) {
        present = new PresentProperty(featureId, property);
      }
      return found;
    }

    String extraText() {
      String text = extraText;
      if (text == null) {
        // As Ditto renders {"definition": .., "attributes": ..}: the attributes' text as it is.
        StringBuilder extra = new StringBuilder(512).append('{');
        definition()
            .ifPresent(d -> TwinProtocol.appendJsonString(extra.append("\"definition\":"), d));
        attributes()
            .ifPresent(
                all ->
                    extra
                        .append(extra.length() > 1 ? "," : "")
                        .append("\"attributes\":")
                        .append(all));
        text = extra.append('}').toString();
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
  // The built thing with the pending writes; racing readers may each build it once, and get equal
  // things. Dropped with the base's when the twin goes idle. Unused when no write is pending.
  private volatile Thing built;

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

  /**
   * The twin of a thing kept as {@code json} (as {@link #json()} gives it) with its revision and
   * timestamps, held as that text until first used: a cold start reads snapshot rows into twins
   * without building a Ditto thing for each.
   */
  public static Twin ofJson(
      ThingId thingId, String json, long revision, Instant created, Instant modified) {
    Objects.requireNonNull(json, "json");
    return new Twin(
        thingId, new Base(json, revision, created, modified), revision, created, modified, NONE);
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

  public Optional<Instant> modified() {
    return Optional.ofNullable(modified);
  }

  /** The thing as it stands, with revision and timestamps: built on first use, then kept. */
  public Thing thing() {
    if (writes.length == 0) {
      return base.thing();
    }
    Thing thing = built;
    if (thing == null) {
      thing = withWrites(base.thing());
      built = thing;
    }
    return thing;
  }

  private Thing withWrites(Thing baseThing) {
    ThingBuilder.FromCopy builder = baseThing.toBuilder();
    for (PropertyWrite write : writes) {
      builder.setFeatureProperty(
          write.featureId(), JsonPointer.of(write.property()), write.value());
    }
    builder.setRevision(revision).setModified(modified);
    if (created != null) {
      builder.setCreated(created);
    }
    return builder.build();
  }

  /**
   * The thing's JSON without revision and timestamps (Ditto's regular fields, as a snapshot keeps
   * it): for a twin without pending writes, rendered once and kept; no use is counted.
   */
  public String json() {
    if (writes.length == 0) {
      return base.json();
    }
    Thing thing = built;
    if (thing != null) {
      return thing.toJson().toString();
    }
    // A snapshot renders every twin with readings pending; building each thing to render it cost
    // the live benchmark's snapshots 37-129 ms and some 20 KiB of garbage per twin, every 5 s.
    String text = writtenInto(base.json());
    return text != null ? text : withWrites(base.thingQuietly()).toJson().toString();
  }

  /**
   * {@code baseText} with the pending writes' values put in, or null if a write's property is not
   * in it. Each pending write sets a property the base already has (see withProperties), and Ditto
   * keeps a replaced key in its place: this is the text of the thing with the writes.
   */
  private String writtenInto(String baseText) {
    String text = baseText;
    for (PropertyWrite write : writes) {
      text =
          JsonText.withValueAt(
              text,
              write.value().toString(),
              FEATURES_KEY.toString(),
              write.featureId(),
              PROPERTIES_KEY.toString(),
              write.property().toString());
      if (text == null) {
        return null;
      }
    }
    return text;
  }

  /**
   * Drops the built thing if the twin was not used since the last call, keeping its JSON text;
   * whether it was idle. The next use builds the thing again. For one sweep at a time over the
   * store ({@link ThingStore#releaseIdle}).
   */
  boolean releaseIfIdle() {
    boolean idle = base.releaseIfIdle();
    if (idle) {
      built = null;
    }
    return idle;
  }

  /** Whether both twins stand on the same base thing, so nothing indexed differs between them. */
  boolean sharesBase(Twin other) {
    return base == other.base;
  }

  /**
   * The base thing: definition, attributes and policy are always current there; feature properties
   * may be older than {@link #thing()}'s.
   */
  Thing base() {
    return base.thing();
  }

  /**
   * The base thing's JSON text if the twin is idle and held only as text, else empty: for readers
   * that should not build, nor keep built, a thing they only scan ({@link JsonText}).
   */
  Optional<String> idleText() {
    return base.releasedText();
  }

  /** What the search index reads of the base thing, without building a thing that is held idle. */
  SearchIndex.Parts indexed() {
    return base.releasedText()
        .map(text -> SearchIndex.Parts.ofJson(JsonFactory.newObject(text)))
        // The definition as the base keeps it: Ditto renders a definition's text anew each time.
        .orElseGet(
            () ->
                new SearchIndex.Parts(
                    base.definition(), base.thing().getAttributes().map(all -> all)));
  }

  /** The base thing's attributes (none if it has none), for events. */
  AttributesText attributes() {
    return base.attributes()
        .map(text -> AttributesText.ofText(text, base.pointMemo()))
        .orElse(AttributesText.none());
  }

  /** The base thing's definition, read from its text when idle. */
  Optional<String> definition() {
    return base.definition();
  }

  /** {@code {"definition":..,"attributes":..}} as text, for Ditto's event enrichment. */
  String extraText() {
    return base.extraText();
  }

  /**
   * The current value at a feature property, without building the thing; empty if absent.
   *
   * @param rest a pointer inside the property's value, or empty for the value itself
   * @param idle the base thing's JSON text when the twin is held idle ({@link #idleText}), else
   *     empty
   */
  Optional<JsonValue> featureProperty(
      String featureId, JsonKey property, JsonPointer rest, Optional<String> idle) {
    for (int i = writes.length - 1; i >= 0; i--) {
      if (writes[i].sameKey(featureId, property)) {
        JsonValue value = writes[i].value();
        return rest.isEmpty()
            ? Optional.of(value)
            : value.isObject() ? value.asObject().getValue(rest) : Optional.empty();
      }
    }
    if (idle.isPresent()) {
      return JsonText.valueAt(idle.get(), propertyPointer(featureId, property).append(rest));
    }
    return base.thing()
        .getFeatures()
        .flatMap(features -> features.getFeature(featureId))
        .flatMap(feature -> feature.getProperties())
        .flatMap(
            properties -> properties.getValue(JsonPointer.empty().addLeaf(property).append(rest)));
  }

  /** {@code features/<featureId>/properties/<property>}. */
  private static JsonPointer propertyPointer(String featureId, JsonKey property) {
    return JsonFactory.newPointer(FEATURES_KEY, JsonKey.of(featureId), PROPERTIES_KEY, property);
  }

  private static final JsonKey FEATURES_KEY = JsonKey.of("features");
  private static final JsonKey PROPERTIES_KEY = JsonKey.of("properties");
  private static final JsonPointer ATTRIBUTES = JsonPointer.of("attributes");
  private static final JsonPointer DEFINITION = JsonPointer.of("definition");

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
    if (next.length <= MAX_PENDING_WRITES) {
      return twin;
    }
    Optional<String> idle = base.releasedText();
    return idle.isPresent() ? twin.foldedIntoText(idle.get()) : Twin.of(twin.thing());
  }

  /**
   * This twin with its pending writes written into its base's JSON text, held idle: folding a
   * reading into an idle twin builds no thing.
   */
  private Twin foldedIntoText(String baseText) {
    String text = writtenInto(baseText);
    if (text == null) {
      return Twin.of(thing());
    }
    Base folded = new Base(text, revision, created, modified);
    // The next reading is most likely for the property just written: found without the text.
    PropertyWrite last = writes[writes.length - 1];
    folded.present = new PresentProperty(last.featureId(), last.property());
    return new Twin(thingId, folded, revision, created, modified, NONE);
  }

  private boolean baseHasProperty(String featureId, JsonKey property) {
    return base.hasProperty(featureId, property);
  }

  /** A feature property found in a base thing. */
  private record PresentProperty(String featureId, JsonKey property) {}

  @Override
  public String toString() {
    return "Twin[" + thingId + " rev " + revision + ", " + writes.length + " pending writes]";
  }
}
