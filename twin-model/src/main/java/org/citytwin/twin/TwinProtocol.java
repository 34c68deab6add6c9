package org.citytwin.twin;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.base.model.signals.Signal;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonKey;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonObjectBuilder;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.protocol.ProtocolFactory;
import org.eclipse.ditto.protocol.adapter.DittoProtocolAdapter;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.signals.commands.modify.CreateThing;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteThing;
import org.eclipse.ditto.things.model.signals.commands.modify.MergeThing;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThing;
import org.eclipse.ditto.things.model.signals.commands.modify.ThingModifyCommand;
import org.eclipse.ditto.things.model.signals.events.ThingCreated;
import org.eclipse.ditto.things.model.signals.events.ThingDeleted;
import org.eclipse.ditto.things.model.signals.events.ThingEvent;
import org.eclipse.ditto.things.model.signals.events.ThingMerged;
import org.eclipse.ditto.things.model.signals.events.ThingModified;

/**
 * Translates between citytwin's changes and Ditto Protocol messages, the JSON envelopes ({@code
 * topic}, {@code path}, {@code value}, {@code revision}, ...) that twin commands and twin events
 * travel in between modules, exactly as Ditto's connections and WebSocket carry them.
 *
 * <p>Events carry an {@code extra} object with the changed thing's {@code definition} and {@code
 * attributes}, as Ditto's event enrichment ({@code extraFields}) does, so that a consumer such as
 * fusion can place a change without asking for the whole thing.
 */
public final class TwinProtocol {

  /** An instant with its ISO-8601 text. */
  record InstantText(java.time.Instant instant, String text) {}

  private final DittoProtocolAdapter adapter = DittoProtocolAdapter.newInstance();

  // The last timestamp formatted: changes accepted together may share it, and the next one mostly
  // falls in the same second. Replaced whole, so readers on any thread see a consistent pair.
  private volatile InstantText lastTimestamp = new InstantText(java.time.Instant.EPOCH, "");

  /** A Ditto Protocol {@code merge} command that writes {@code readings} into their twin. */
  public JsonObject mergeCommand(ThingId thingId, Collection<Reading> readings) {
    return toJson(merge(thingId, readings));
  }

  /**
   * The Ditto merge command that writes {@code readings} into their twin, stated at the deepest
   * path that holds them all: one property's value at {@code /features/<id>/properties/<name>},
   * several of one feature as the object at {@code /features/<id>/properties}, several features' as
   * a patch of the whole thing.
   */
  public MergeThing merge(ThingId thingId, Collection<Reading> readings) {
    // Most merges carry one reading of one property. As a patch of the whole thing, Ditto renders
    // each of its four nested objects' text as it is built, and the twin's event then holds the
    // nesting that every consumer walks down again; at the property's own path there is none.
    Reading first = null;
    Reading last = null;
    boolean oneProperty = true;
    boolean oneFeature = true;
    for (Reading reading : readings) {
      if (!reading.thingId().equals(thingId)) {
        throw new IllegalArgumentException(reading + " does not belong to " + thingId);
      }
      if (first == null) {
        first = reading;
      } else {
        oneFeature = oneFeature && reading.feature().equals(first.feature());
        oneProperty = oneProperty && oneFeature && reading.property().equals(first.property());
      }
      last = reading;
    }
    if (first != null && oneProperty) {
      return MergeThing.of(
          thingId,
          featurePath(first.feature())
              .append(PROPERTIES_POINTER)
              .addLeaf(JsonKey.of(first.property())),
          last.value().toJson(),
          DittoHeaders.empty());
    }
    // Built level by level from keys, one object per feature: parsing a pointer from text for each
    // reading and letting the builder walk down it was a fifth of an MQTT reading's cost on the
    // event loop. A reading's names hold no '/', so each is one key.
    Map<String, JsonObjectBuilder> propertiesByFeature = new LinkedHashMap<>();
    for (Reading reading : readings) {
      propertiesByFeature
          .computeIfAbsent(reading.feature(), feature -> JsonFactory.newObjectBuilder())
          .set(JsonFactory.newField(JsonKey.of(reading.property()), reading.value().toJson()));
    }
    if (oneFeature && first != null) {
      return MergeThing.of(
          thingId,
          featurePath(first.feature()).append(PROPERTIES_POINTER),
          propertiesByFeature.get(first.feature()).build(),
          DittoHeaders.empty());
    }
    JsonObjectBuilder features = JsonFactory.newObjectBuilder();
    propertiesByFeature.forEach(
        (feature, properties) ->
            features.set(
                JsonFactory.newField(
                    JsonKey.of(feature),
                    JsonFactory.newObjectBuilder()
                        .set(JsonFactory.newField(PROPERTIES, properties.build()))
                        .build())));
    JsonObject patch =
        JsonFactory.newObjectBuilder()
            .set(JsonFactory.newField(FEATURES, features.build()))
            .build();
    return MergeThing.of(thingId, JsonPointer.empty(), patch, DittoHeaders.empty());
  }

  private static final JsonKey FEATURES = JsonKey.of("features");
  private static final JsonKey PROPERTIES = JsonKey.of("properties");
  private static final JsonPointer PROPERTIES_POINTER = JsonPointer.empty().addLeaf(PROPERTIES);

  /**
   * What {@code pointer.toString()} gives ({@code /} for the empty pointer, a {@code ~} in a key
   * written {@code ~0}), without the stream Ditto joins the keys with: every event and journal line
   * writes its change's path, and since readings are stated at their property's path that stream
   * was a tenth of the twin service's time.
   */
  public static String pointerText(JsonPointer pointer) {
    int levels = pointer.getLevelCount();
    if (levels == 0) {
      return "/";
    }
    StringBuilder text = new StringBuilder(48);
    for (JsonKey key : pointer) {
      String name = key.toString();
      text.append('/');
      if (name.indexOf('~') < 0) {
        text.append(name);
      } else {
        text.append(name.replace("~", "~0"));
      }
    }
    return text.toString();
  }

  private static JsonPointer featurePath(String feature) {
    return JsonPointer.empty().addLeaf(FEATURES).addLeaf(JsonKey.of(feature));
  }

  /**
   * Reads a Ditto Protocol merge command.
   *
   * @throws DittoRuntimeException if the message is not a well-formed merge command
   */
  public MergeThing parseMergeCommand(JsonObject message) {
    if (parseCommand(message) instanceof MergeThing merge) {
      return merge;
    }
    throw TwinErrors.UNSUPPORTED_COMMAND.toException("Expected a merge command.");
  }

  /**
   * Reads a Ditto Protocol command that changes a thing: create, modify (create or replace), merge
   * or delete of the whole thing or of a part of it (attributes, an attribute, features, a feature,
   * its properties or one of them, definitions, the policy id), with its headers ({@code if-match},
   * {@code if-none-match}).
   *
   * @throws DittoRuntimeException if the message is not one of those, well-formed
   */
  public ThingModifyCommand<?> parseCommand(JsonObject message) {
    String topic =
        message.getValue("topic").filter(JsonValue::isString).map(JsonValue::asString).orElse("");
    String[] parts = topic.split("/");
    if (parts.length == 6 && topic.endsWith("/things/twin/commands/merge")) {
      // Every reading arrives as a merge: read it directly rather than through the adapter.
      JsonValue value =
          message
              .getValue("value")
              .orElseThrow(
                  () -> TwinErrors.UNSUPPORTED_COMMAND.toException("A merge needs a value."));
      DittoHeaders headers =
          message
              .getValue("headers")
              .filter(JsonValue::isObject)
              .map(h -> DittoHeaders.newBuilder(h.asObject()).build())
              .orElse(DittoHeaders.empty());
      JsonPointer path =
          JsonPointer.of(
              message
                  .getValue("path")
                  .filter(JsonValue::isString)
                  .map(JsonValue::asString)
                  .orElse("/"));
      return MergeThing.of(ThingId.of(parts[0], parts[1]), path, value, headers);
    }
    Signal<?> signal;
    try {
      signal = adapter.fromAdaptable(ProtocolFactory.jsonifiableAdaptableFromJson(message));
    } catch (DittoRuntimeException e) {
      throw e;
    } catch (RuntimeException e) {
      throw TwinErrors.UNSUPPORTED_COMMAND.toException(
          "Not a Ditto Protocol command: " + e.getMessage());
    }
    if (signal instanceof ThingModifyCommand<?> command) {
      return command;
    }
    throw TwinErrors.UNSUPPORTED_COMMAND.toException(
        "citytwin's twin service takes create, modify, merge and delete of a thing or one of its"
            + " parts, not "
            + signal.getType());
  }

  /** Whether {@code command} writes a whole thing (create, modify, merge, delete), not a part. */
  public static boolean writesWholeThing(ThingModifyCommand<?> command) {
    return command instanceof CreateThing
        || command instanceof ModifyThing
        || command instanceof MergeThing
        || command instanceof DeleteThing;
  }

  /**
   * The Ditto Protocol form of a command, to send to the twin service. Unlike Ditto's adapter,
   * which keeps only headers meant for external peers, this keeps every header of the command: the
   * conditions ({@code if-match}, {@code if-none-match}) must reach the twin service.
   */
  public JsonObject command(ThingModifyCommand<?> command) {
    JsonObject message = toJson(command);
    JsonObject headers =
        message
            .getValue("headers")
            .filter(JsonValue::isObject)
            .map(JsonValue::asObject)
            .orElse(JsonFactory.newObject())
            .setAll(command.getDittoHeaders().toJson());
    return message.setValue("headers", headers);
  }

  /**
   * The Ditto Protocol event announcing {@code change}, enriched with definition and attributes.
   */
  public JsonObject event(ThingChange change) {
    ThingId thingId = change.thingId();
    if (change.kind() == ThingChange.Kind.MERGED) {
      // Every reading is a merge: built directly, as Ditto's adapter would build it (a test holds
      // the two equal), at a fraction of the adapter's cost.
      return JsonFactory.newObjectBuilder()
          .set(
              "topic",
              thingId.getNamespace() + "/" + thingId.getName() + "/things/twin/events/merged")
          .set(
              "headers",
              JsonFactory.newObjectBuilder()
                  .set("entity-revision", change.revision())
                  .set("response-required", false)
                  .set("content-type", "application/merge-patch+json")
                  .build())
          .set("path", pointerText(change.path()))
          .set("value", change.value())
          .set("revision", change.revision())
          .set("timestamp", change.timestamp().toString())
          .set("extra", extra(change))
          .build();
    }
    return eventThroughDittoAdapter(change);
  }

  /**
   * The event as Ditto's own adapter builds it: used for every kind but merges, and to check the
   * merges {@link #event} builds directly.
   */
  JsonObject eventThroughDittoAdapter(ThingChange change) {
    ThingId thingId = change.thingId();
    ThingEvent<?> event =
        switch (change.kind()) {
          case CREATED ->
              ThingCreated.of(
                  change.thing(),
                  change.revision(),
                  change.timestamp(),
                  DittoHeaders.empty(),
                  null);
          case MODIFIED ->
              ThingModified.of(
                  change.thing(),
                  change.revision(),
                  change.timestamp(),
                  DittoHeaders.empty(),
                  null);
          case MERGED ->
              ThingMerged.of(
                  thingId,
                  change.path(),
                  change.value(),
                  change.revision(),
                  change.timestamp(),
                  DittoHeaders.empty(),
                  null);
          case DELETED ->
              ThingDeleted.of(
                  thingId, change.revision(), change.timestamp(), DittoHeaders.empty(), null);
        };
    return toJson(event).toBuilder().set("extra", extra(change)).build();
  }

  /**
   * The event announcing {@code change} as a consumer reads it: what {@link TwinEvent#parse} gives
   * for {@link #event}'s JSON (a test holds the two equal), built without it for merges.
   */
  public TwinEvent eventOf(ThingChange change) {
    if (change.kind() != ThingChange.Kind.MERGED) {
      return TwinEvent.parse(event(change)).orElseThrow();
    }
    return TwinEvent.at(
        change.thingId(),
        change.path(),
        change.value(),
        change.revision(),
        change.twin().definition().orElse(""),
        change.twin().attributes(),
        java.util.Optional.of(change.timestamp()));
  }

  /**
   * The Ditto Protocol events in one {@link EventBusAddresses#TWIN_EVENTS} message: one per line.
   */
  public static List<String> eventsIn(String message) {
    List<String> events = new ArrayList<>();
    int from = 0;
    while (from < message.length()) {
      int end = message.indexOf('\n', from);
      end = end < 0 ? message.length() : end;
      if (end > from) {
        events.add(message.substring(from, end));
      }
      from = end + 1;
    }
    return events;
  }

  /**
   * The event announcing {@code change} as Ditto Protocol text (on one line): what {@link #event}
   * gives, written straight to text for merges, the one kind a district sends hundreds of thousands
   * of a second.
   */
  public String eventText(ThingChange change) {
    if (change.kind() != ThingChange.Kind.MERGED) {
      return event(change).toString();
    }
    ThingId thingId = change.thingId();
    String revision = Long.toString(change.revision());
    String extra = change.twin().extraText();
    // Sized for the whole event: growing from a guess copied most events twice, and the copies were
    // most of what the twin service allocated per change.
    StringBuilder text = new StringBuilder(320 + 2 * thingId.toString().length() + extra.length());
    text.append("{\"topic\":\"");
    appendJsonStringContent(text, thingId.getNamespace());
    text.append('/');
    appendJsonStringContent(text, thingId.getName());
    text.append("/things/twin/events/merged\"");
    text.append(",\"headers\":{\"entity-revision\":")
        .append(revision)
        .append(",\"response-required\":false,\"content-type\":\"application/merge-patch+json\"}")
        .append(",\"path\":");
    appendJsonString(text, pointerText(change.path()));
    text.append(",\"value\":")
        .append(change.value())
        .append(",\"revision\":")
        .append(revision)
        .append(",\"timestamp\":\"")
        .append(timestampText(change.timestamp()))
        .append("\",\"extra\":")
        .append(extra)
        .append('}');
    return text.toString();
  }

  private String timestampText(java.time.Instant timestamp) {
    InstantText last = lastTimestamp;
    if (last.instant().equals(timestamp)) {
      return last.text();
    }
    String text = instantText(timestamp, last);
    lastTimestamp = new InstantText(timestamp, text);
    return text;
  }

  /**
   * {@code timestamp.toString()}, its date and time of day taken from {@code last} when they fall
   * in the same second: events a microsecond apart each had Java's ISO formatter run whole, a
   * quarter of the twin service's journal thread.
   */
  static String instantText(java.time.Instant timestamp, InstantText last) {
    int nanos = timestamp.getNano();
    String whole = last.text();
    if (last.instant().getEpochSecond() != timestamp.getEpochSecond()
        || whole.length() < 20
        || whole.charAt(19) != '.' && whole.charAt(19) != 'Z') {
      return timestamp.toString();
    }
    StringBuilder text = new StringBuilder(30).append(whole, 0, 19);
    if (nanos > 0) {
      // As ISO_INSTANT prints the fraction: in groups of three digits, trailing zero groups left
      // out.
      int digits = nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
      int fraction = digits == 3 ? nanos / 1_000_000 : digits == 6 ? nanos / 1_000 : nanos;
      String number = Integer.toString(fraction);
      text.append('.');
      for (int pad = number.length(); pad < digits; pad++) {
        text.append('0');
      }
      text.append(number);
    }
    return text.append('Z').toString();
  }

  /** Appends {@code value} as a JSON string, escaped where it needs to be. */
  public static void appendJsonString(StringBuilder text, String value) {
    text.append('"');
    appendJsonStringContent(text, value);
    text.append('"');
  }

  /** Appends {@code value} as the inside of a JSON string, escaped where it needs to be. */
  private static void appendJsonStringContent(StringBuilder text, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        String quoted = JsonValue.of(value).toString();
        text.append(quoted, 1, quoted.length() - 1);
        return;
      }
    }
    text.append(value);
  }

  /** Enrichment from the thing as it stands after the change (for a deletion: as it was). */
  private static JsonObject extra(ThingChange change) {
    // Definition and attributes are always current in the base thing: no need to build the thing.
    var thing = change.twin().base();
    JsonObjectBuilder extra = JsonFactory.newObjectBuilder();
    thing.getDefinition().ifPresent(d -> extra.set("definition", d.toString()));
    thing.getAttributes().ifPresent(a -> extra.set("attributes", a));
    return extra.build();
  }

  private JsonObject toJson(Signal<?> signal) {
    return ProtocolFactory.wrapAsJsonifiableAdaptable(adapter.toAdaptable(signal)).toJson();
  }
}
