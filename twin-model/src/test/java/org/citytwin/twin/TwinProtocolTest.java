package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.modify.MergeThing;
import org.junit.jupiter.api.Test;

class TwinProtocolTest {

  private static final ThingId GAUGE = ThingId.of("water", "wlg-0001");
  private static final Instant AT = Instant.parse("2026-07-14T08:00:00Z");

  private final TwinProtocol protocol = new TwinProtocol();

  @Test
  void mergeCommandIsADittoProtocolMergeOfEveryReadingOfTheThing() {
    JsonObject command =
        protocol.mergeCommand(
            GAUGE,
            List.of(
                new Reading(GAUGE, "waterlogging", "depth", 0.23, CanonicalUnit.METRE, AT),
                new Reading(GAUGE, "battery", "level", 0.9, CanonicalUnit.DIMENSIONLESS, AT)));
    assertThat(command.getValue("topic").orElseThrow().asString())
        .isEqualTo("water/wlg-0001/things/twin/commands/merge");

    MergeThing parsed = protocol.parseMergeCommand(command);
    assertThat(parsed.getEntityId().toString()).isEqualTo(GAUGE.toString());
    assertThat(
            parsed
                .getValue()
                .asObject()
                .getValue(JsonPointer.of("features/waterlogging/properties/depth")))
        .contains(JsonValue.of(0.23));
    assertThat(
            parsed
                .getValue()
                .asObject()
                .getValue(JsonPointer.of("features/battery/properties/level")))
        .contains(JsonValue.of(0.9));
  }

  @Test
  void mergePatchHoldsEachFeatureOnceWithTheLastValueOfEachProperty() {
    List<Reading> readings =
        List.of(
            new Reading(GAUGE, "waterlogging", "depth", 0.23, CanonicalUnit.METRE, AT),
            new Reading(GAUGE, "battery", "level", 0.9, CanonicalUnit.DIMENSIONLESS, AT),
            new Reading(GAUGE, "waterlogging", "state", JsonValue.of("wet"), AT),
            new Reading(GAUGE, "waterlogging", "depth", 0.31, CanonicalUnit.METRE, AT));
    JsonObject expected =
        JsonFactory.newObject(
            "{\"features\":{\"waterlogging\":{\"properties\":{\"depth\":0.31,\"state\":\"wet\"}},"
                + "\"battery\":{\"properties\":{\"level\":0.9}}}}");
    assertThat((Object) protocol.merge(GAUGE, readings).getValue()).isEqualTo(expected);
    assertThat((Object) protocol.merge(GAUGE, readings).getPath()).isEqualTo(JsonPointer.empty());
  }

  @Test
  void aMergeOfOnePropertyIsStatedAtThatPropertyWithItsLastValue() {
    MergeThing merge =
        protocol.merge(
            GAUGE,
            List.of(
                new Reading(GAUGE, "waterlogging", "depth", 0.23, CanonicalUnit.METRE, AT),
                new Reading(GAUGE, "waterlogging", "depth", 0.31, CanonicalUnit.METRE, AT)));
    assertThat((Object) merge.getPath())
        .isEqualTo(JsonPointer.of("/features/waterlogging/properties/depth"));
    assertThat((Object) merge.getValue()).isEqualTo(JsonValue.of(0.31));
    assertThat(
            protocol
                .parseMergeCommand(
                    protocol.mergeCommand(
                        GAUGE,
                        List.of(
                            new Reading(
                                GAUGE, "waterlogging", "depth", 0.31, CanonicalUnit.METRE, AT))))
                .getPath()
                .toString())
        .isEqualTo("/features/waterlogging/properties/depth");
  }

  @Test
  void aMergeOfOneFeaturesPropertiesIsStatedAtItsProperties() {
    MergeThing merge =
        protocol.merge(
            GAUGE,
            List.of(
                new Reading(GAUGE, "waterlogging", "depth", 0.23, CanonicalUnit.METRE, AT),
                new Reading(GAUGE, "waterlogging", "state", JsonValue.of("wet"), AT)));
    assertThat((Object) merge.getPath())
        .isEqualTo(JsonPointer.of("/features/waterlogging/properties"));
    assertThat((Object) merge.getValue())
        .isEqualTo(JsonFactory.newObject("{\"depth\":0.23,\"state\":\"wet\"}"));
  }

  @Test
  void aPointersTextIsWhatDittoWrites() {
    for (JsonPointer pointer :
        List.of(
            JsonPointer.empty(),
            JsonPointer.of("/features/waterlogging/properties/depth"),
            JsonPointer.of("/attributes/a~1b"),
            JsonPointer.empty().addLeaf(org.eclipse.ditto.json.JsonKey.of("we~ird")),
            JsonPointer.of("/features/x/properties/0"))) {
      assertThat(TwinProtocol.pointerText(pointer)).isEqualTo(pointer.toString());
    }
  }

  @Test
  void anEventStatedAtAPathAnswersValuesAsItsNestedChangesDo() {
    TwinEvent leaf =
        TwinEvent.at(
            GAUGE,
            JsonPointer.of("/features/waterlogging/properties/depth"),
            JsonValue.of(0.31),
            7,
            "",
            AttributesText.none(),
            java.util.Optional.of(AT));
    JsonObject nested =
        JsonFactory.newObject(
            "{\"features\":{\"waterlogging\":{\"properties\":{\"depth\":0.31}}}}");
    assertThat((Object) leaf.changes()).isEqualTo(nested);
    assertThat((Object) leaf.changedThing())
        .isEqualTo(
            JsonFactory.newObjectBuilder().set("thingId", GAUGE.toString()).setAll(nested).build());
    assertThat(leaf)
        .isEqualTo(
            new TwinEvent(GAUGE, nested, 7, "", AttributesText.none(), java.util.Optional.of(AT)));
    for (String pointer :
        List.of(
            "/features/waterlogging/properties/depth",
            "/features/waterlogging/properties",
            "/features",
            "/features/waterlogging/properties/depth/more",
            "/features/rain/properties/depth",
            "/attributes/location")) {
      assertThat(leaf.valueAt(JsonPointer.of(pointer)))
          .as(pointer)
          .isEqualTo(nested.getValue(JsonPointer.of(pointer)));
    }
    TwinEvent properties =
        TwinEvent.at(
            GAUGE,
            JsonPointer.of("/features/waterlogging/properties"),
            JsonFactory.newObject("{\"depth\":0.31,\"state\":\"wet\"}"),
            8,
            "",
            AttributesText.none(),
            java.util.Optional.empty());
    assertThat(properties.valueAt(JsonPointer.of("/features/waterlogging/properties/state")))
        .contains(JsonValue.of("wet"));
    assertThat(properties.valueAt(JsonPointer.of("/features/waterlogging/properties/level")))
        .isEmpty();
  }

  @Test
  void refusesReadingsOfAnotherThing() {
    Reading other =
        new Reading(
            ThingId.of("water", "wlg-0002"), "waterlogging", "depth", 0.1, CanonicalUnit.METRE, AT);
    assertThatThrownBy(() -> protocol.mergeCommand(GAUGE, List.of(other)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesCommandsOtherThanMerge() {
    JsonObject retrieve =
        JsonFactory.newObject(
            "{\"topic\":\"water/wlg-0001/things/twin/commands/retrieve\",\"headers\":{},\"path\":\"/\"}");
    assertThatThrownBy(() -> protocol.parseMergeCommand(retrieve))
        .isInstanceOf(DittoRuntimeException.class)
        .hasMessageContaining("merge");
  }

  @Test
  void eventCarriesTheChangeAndIsReadBackWithItsEnrichment() {
    ThingStore store = new ThingStore(Clock.fixed(AT, ZoneOffset.UTC));
    store.put(
        ThingsModelFactory.newThingBuilder()
            .setId(GAUGE)
            .setDefinition(ThingModels.WATERLOGGING_GAUGE)
            .setAttribute(ThingModels.LOCATION, new WgsPoint(120.15, 30.3).toGeoJson())
            .build());
    ThingChange change =
        store.merge(
            GAUGE, JsonPointer.of("features/waterlogging/properties/depth"), JsonValue.of(0.31));

    JsonObject event = protocol.event(change);
    assertThat(event.getValue("topic").orElseThrow().asString())
        .isEqualTo("water/wlg-0001/things/twin/events/merged");

    TwinEvent read = TwinEvent.parse(event).orElseThrow();
    assertThat(read.thingId().toString()).isEqualTo(GAUGE.toString());
    assertThat(read.revision()).isEqualTo(2);
    assertThat(read.definition()).isEqualTo(ThingModels.WATERLOGGING_GAUGE.toString());
    assertThat(read.location()).contains(new WgsPoint(120.15, 30.3));
    assertThat(read.changes().getValue(JsonPointer.of("features/waterlogging/properties/depth")))
        .contains(JsonValue.of(0.31));
    assertThat(read.changedThing().getKeys().get(0).toString()).isEqualTo("thingId");
  }

  @Test
  void ignoresMessagesThatAreNotTwinEvents() {
    assertThat(
            TwinEvent.parse(
                JsonFactory.newObject("{\"topic\":\"water/wlg-0001/things/twin/commands/merge\"}")))
        .isEmpty();
    assertThat(TwinEvent.parse(JsonFactory.newObject("{}"))).isEmpty();
  }

  @Test
  void commandsKeepTheirConditionsForTheTwinService() {
    org.eclipse.ditto.base.model.headers.DittoHeaders headers =
        org.eclipse.ditto.base.model.headers.DittoHeaders.newBuilder()
            .putHeader("if-match", "\"rev:7\"")
            .putHeader("if-none-match", "*")
            .build();
    var parsed =
        protocol.parseCommand(
            protocol.command(
                org.eclipse.ditto.things.model.signals.commands.modify.DeleteThing.of(
                    GAUGE, headers)));
    assertThat(parsed.getDittoHeaders().getIfMatch().orElseThrow().toString())
        .isEqualTo("\"rev:7\"");
    assertThat(parsed.getDittoHeaders().getIfNoneMatch().orElseThrow().toString()).isEqualTo("*");

    var merge =
        protocol.parseCommand(
            protocol.command(
                MergeThing.of(GAUGE, JsonPointer.of("attributes/x"), JsonValue.of(1), headers)));
    assertThat(merge).isInstanceOf(MergeThing.class);
    assertThat(merge.getDittoHeaders().getIfMatch().orElseThrow().toString())
        .isEqualTo("\"rev:7\"");
    assertThat(((MergeThing) merge).getPath().toString()).isEqualTo("/attributes/x");
  }

  @Test
  void mergedEventsEqualWhatDittosAdapterBuilds() {
    assertMergedEventsEqualDittosAdapter(GAUGE);
  }

  @Test
  void mergedEventsOfAThingWhoseNameNeedsEscapingEqualWhatDittosAdapterBuilds() {
    // Ditto's names may hold quotes and backslashes; the topic and path must escape them.
    assertMergedEventsEqualDittosAdapter(ThingId.of("water", "gauge\"7\\b"));
  }

  private void assertMergedEventsEqualDittosAdapter(ThingId gauge) {
    ThingStore store = new ThingStore(Clock.fixed(AT, ZoneOffset.UTC));
    store.put(
        ThingsModelFactory.newThingBuilder()
            .setId(gauge)
            .setDefinition(ThingModels.WATERLOGGING_GAUGE)
            .setAttribute(ThingModels.LOCATION, new WgsPoint(120.15, 30.3).toGeoJson())
            .build());
    for (ThingChange change :
        List.of(
            store.merge(
                gauge,
                JsonPointer.of("features/waterlogging/properties/depth"),
                JsonValue.of(0.31)),
            // The property exists now: this one is held as a pending write.
            store.merge(
                gauge,
                JsonPointer.of("features/waterlogging/properties/depth"),
                JsonValue.of(0.35)),
            store.merge(
                gauge,
                JsonPointer.empty(),
                JsonFactory.newObject(
                    "{\"features\":{\"waterlogging\":{\"properties\":{\"depth\":0.4}}}}")),
            store.merge(
                gauge,
                JsonPointer.empty(),
                JsonFactory.newObject("{\"attributes\":{\"x\":null,\"y\":[1,2]}}")),
            store.merge(
                gauge,
                JsonPointer.of("features/waterlogging/properties/depth"),
                JsonFactory.nullLiteral()))) {
      assertThat(protocol.event(change)).isEqualTo(protocol.eventThroughDittoAdapter(change));
      assertThat(JsonFactory.newObject(protocol.eventText(change)))
          .isEqualTo(protocol.eventThroughDittoAdapter(change));
    }
  }

  @Test
  void anEventHandedOverReadEqualsTheEventReadBackFromItsText() {
    ThingStore store = new ThingStore(Clock.fixed(AT, ZoneOffset.UTC));
    List<ThingChange> changes = new java.util.ArrayList<>();
    changes.add(
        store.put(
            ThingsModelFactory.newThingBuilder()
                .setId(GAUGE)
                .setDefinition(ThingModels.WATERLOGGING_GAUGE)
                .setAttribute(ThingModels.LOCATION, new WgsPoint(120.15, 30.3).toGeoJson())
                .setFeatureProperty("waterlogging", JsonPointer.of("depth"), JsonValue.of(0))
                .build()));
    changes.add(
        store.merge(
            GAUGE, JsonPointer.of("features/waterlogging/properties/depth"), JsonValue.of(0.31)));
    changes.add(
        store.merge(
            GAUGE,
            JsonPointer.empty(),
            JsonFactory.newObject("{\"attributes\":{\"street\":\"s-01\"}}")));
    changes.add(
        store.put(
            ThingsModelFactory.newThingBuilder().setId(ThingId.of("water", "bare-1")).build()));
    for (ThingChange change : changes) {
      TwinEvent handedOver = protocol.eventOf(change);
      TwinEvent readBack =
          TwinEvent.parse(JsonFactory.newObject(protocol.eventText(change))).orElseThrow();
      assertThat(handedOver).as(change.kind() + " at " + change.path()).isEqualTo(readBack);
      assertThat(handedOver.timestamp()).contains(AT);
    }
    assertThat(protocol.eventOf(changes.get(2)).attributes().value(JsonPointer.of("street")))
        .as("attributes as they are after the change")
        .contains(JsonValue.of("s-01"));
  }

  @Test
  void timestampsReadAsJavaWritesThem() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    java.time.Instant previous = java.time.Instant.parse("2026-07-14T08:00:00Z");
    TwinProtocol.InstantText last = new TwinProtocol.InstantText(previous, previous.toString());
    for (int i = 0; i < 20_000; i++) {
      long second = previous.getEpochSecond() + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
      int nanos =
          switch (random.nextInt(5)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            case 3 -> random.nextInt(1_000_000_000);
            default -> random.nextInt(10) * 100_000_000 + random.nextInt(10);
          };
      java.time.Instant at = java.time.Instant.ofEpochSecond(second, nanos);
      String text = TwinProtocol.instantText(at, last);
      assertThat(text).as("%s after %s", at, last.text()).isEqualTo(at.toString());
      last = new TwinProtocol.InstantText(at, text);
      previous = at;
    }
  }

  @Test
  void aTwinEventsMessageSplitsIntoItsEvents() {
    assertThat(TwinProtocol.eventsIn("{\"a\":1}\n{\"b\":\"x\\ny\"}\n"))
        .containsExactly("{\"a\":1}", "{\"b\":\"x\\ny\"}");
    assertThat(TwinProtocol.eventsIn("{\"a\":1}")).containsExactly("{\"a\":1}");
    assertThat(TwinProtocol.eventsIn("")).isEmpty();
  }
}
