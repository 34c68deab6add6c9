package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonMergePatch;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.junit.jupiter.api.Test;

/** Merges give exactly what RFC 7396 over the whole thing gives, whichever path computes them. */
class ThingChangesTest {

  private static final ThingId ID = ThingId.of("water:wlg-1");
  private static final Instant AT = Instant.parse("2026-07-14T08:00:00Z");
  private static final Thing GAUGE =
      ThingChanges.put(
              null,
              ThingsModelFactory.newThing(
                  "{\"thingId\":\"water:wlg-1\",\"attributes\":{\"a\":1},\"features\":{\"waterlogging\":{\"properties\":"
                      + "{\"depth\":0.1,\"status\":{\"battery\":0.9,\"rssi\":-70},\"tags\":[1,2]}}}}"),
              AT)
          .thing();

  private record Case(String path, String patch) {}

  @Test
  void everyMergeShapeMatchesAWholeThingMergePatch() {
    List<Case> cases =
        List.of(
            new Case("/features/waterlogging/properties/depth", "0.23"),
            new Case("/features/waterlogging/properties/depth", "null"),
            new Case("/features/waterlogging/properties/missing", "null"),
            new Case(
                "/features/waterlogging/properties/status",
                "{\"battery\":0.8,\"rssi\":null,\"new\":{\"x\":null,\"y\":1}}"),
            new Case("/features/waterlogging/properties/depth", "{\"value\":1,\"gone\":null}"),
            new Case("/features/waterlogging/properties/tags", "[3]"),
            new Case(
                "/features/waterlogging/properties",
                "{\"depth\":0.3,\"status\":{\"battery\":null}}"),
            new Case("/features/rain/properties/intensity", "12.5"),
            new Case(
                "/",
                "{\"features\":{\"waterlogging\":{\"properties\":{\"depth\":0.4}},\"rain\":{\"properties\":{\"intensity\":3}}}}"),
            new Case("/", "{\"features\":{\"waterlogging\":{\"properties\":{\"depth\":null}}}}"),
            new Case("/", "{\"attributes\":{\"a\":null,\"b\":2}}"),
            new Case("/features/waterlogging", "{\"definition\":[\"x:y:1.0.0\"]}"));
    for (Case c : cases) {
      JsonPointer path = JsonPointer.of(c.path());
      JsonValue patch = JsonFactory.readFrom(c.patch());
      ThingChange change = ThingChanges.merge(ID, Twin.of(GAUGE), path, patch, AT.plusSeconds(1));
      Thing expected =
          ThingsModelFactory.newThing(
              JsonMergePatch.of(path, patch).applyOn(GAUGE.toJson()).asObject());
      assertThat(change.thing().toJson()).as(c.toString()).isEqualTo(expected.toJson());
      assertThat(change.revision()).isEqualTo(2);
      assertThat(change.thing().getModified()).contains(AT.plusSeconds(1));
      assertThat(change.thing().getCreated()).contains(AT);
    }
  }

  @Test
  void readingsHeldAsPendingWritesGiveTheThingDittosMergesGive() {
    // Starts with the properties existing, so most writes below are held apart by the twin.
    Twin twin = Twin.of(GAUGE);
    Thing expected = GAUGE;
    List<Case> readings =
        List.of(
            new Case("/features/waterlogging/properties/depth", "0.5"),
            new Case("/features/waterlogging/properties/tags", "[7,8]"),
            new Case("/features/waterlogging/properties/depth", "0.6"),
            new Case(
                "/",
                "{\"features\":{\"waterlogging\":{\"properties\":{\"depth\":0.7,\"tags\":\"x\"}}}}"),
            new Case("/features/waterlogging/properties", "{\"depth\":0.8}"),
            new Case("/features/waterlogging/properties/status", "3"),
            new Case("/features/waterlogging/properties/fresh", "1"),
            new Case("/features/waterlogging/properties/depth", "0.9"),
            new Case("/features/waterlogging/properties/fresh", "null"),
            new Case("/features/waterlogging/properties/depth", "1.0"));
    Instant at = AT;
    for (Case reading : readings) {
      at = at.plusSeconds(1);
      JsonPointer path = JsonPointer.of(reading.path());
      JsonValue patch = JsonFactory.readFrom(reading.patch());
      ThingChange change = ThingChanges.merge(ID, twin, path, patch, at);
      twin = change.twin();
      expected =
          ThingsModelFactory.newThingBuilder(
                  JsonMergePatch.of(path, patch).applyOn(expected.toJson()).asObject())
              .setRevision(expected.getRevision().orElseThrow().toLong() + 1)
              .setCreated(AT)
              .setModified(at)
              .build();
      // Asked before the thing is built: the text is put together from the base's.
      assertThat(twin.json()).as(reading.toString()).isEqualTo(expected.toJson().toString());
      assertThat(twin.thing()).as(reading.toString()).isEqualTo(expected);
      assertThat(
              twin.thing()
                  .toJson(org.eclipse.ditto.base.model.json.JsonSchemaVersion.V_2, f -> true))
          .isEqualTo(
              expected.toJson(org.eclipse.ditto.base.model.json.JsonSchemaVersion.V_2, f -> true));
    }
  }

  @Test
  void aTwinHeldAsTextRendersItsPendingWritesAsDittoWould() {
    Twin twin = Twin.ofJson(ID, GAUGE.toJson().toString(), 1, AT, AT);
    Thing expected = GAUGE;
    Instant at = AT;
    for (String value : List.of("0.5", "[7,8]", "\"dry\"", "0.25")) {
      at = at.plusSeconds(1);
      JsonPointer path =
          JsonPointer.of(
              value.startsWith("\"")
                  ? "/features/waterlogging/properties/tags"
                  : "/features/waterlogging/properties/depth");
      JsonValue patch = JsonFactory.readFrom(value);
      twin = ThingChanges.merge(ID, twin, path, patch, at).twin();
      expected =
          ThingsModelFactory.newThing(
              JsonMergePatch.of(path, patch).applyOn(expected.toJson()).asObject());
      assertThat(twin.isSettled()).as("held apart, not built").isFalse();
      assertThat(twin.json()).as(value).isEqualTo(expected.toJson().toString());
    }
  }

  @Test
  void manyPendingWritesAreFoldedIntoANewBaseThing() {
    var builder = ThingsModelFactory.newThingBuilder().setId(ID);
    int properties = 3 * Twin.MAX_PENDING_WRITES;
    for (int i = 0; i < properties; i++) {
      builder.setFeatureProperty("quality", JsonPointer.of("p" + i), JsonValue.of(0));
    }
    Twin twin = ThingChanges.put(null, builder.build(), AT).twin();
    for (int i = 0; i < properties; i++) {
      twin =
          ThingChanges.merge(
                  ID,
                  twin,
                  JsonPointer.of("/features/quality/properties/p" + i),
                  JsonValue.of(i),
                  AT.plusSeconds(i))
              .twin();
      assertThat(twin.toString()).doesNotContain((Twin.MAX_PENDING_WRITES + 1) + " pending");
    }
    assertThat(twin.revision()).isEqualTo(1 + properties);
    var values = twin.thing().getFeatures().orElseThrow().getFeature("quality").orElseThrow();
    for (int i = 0; i < properties; i++) {
      assertThat(values.getProperty(JsonPointer.of("p" + i))).contains(JsonValue.of(i));
    }
    assertThat(twin.thing().getRevision().orElseThrow().toLong()).isEqualTo(twin.revision());
  }

  /** A PUT at a path gives the thing with exactly that value there, whatever was there before. */
  @Test
  void aPutAtAPathReplacesThePartWholeAndIsKeptAsAMerge() {
    List<Case> cases =
        List.of(
            new Case("/features/waterlogging/properties/status", "{\"battery\":0.5}"),
            new Case("/features/waterlogging/properties/status", "7"),
            new Case("/features/waterlogging/properties/depth", "{\"value\":0.2}"),
            new Case("/features/waterlogging/properties", "{\"depth\":0.3}"),
            new Case("/features/rain", "{\"properties\":{\"intensity\":4}}"),
            new Case("/attributes/location", "{\"type\":\"Point\",\"coordinates\":[120,30]}"),
            new Case("/attributes", "{\"b\":2}"),
            new Case("/attributes/a", "1"),
            new Case("/definition", "\"citytwin:waterlogging-gauge:1.0.0\""));
    for (Case c : cases) {
      JsonPointer path = JsonPointer.of(c.path());
      JsonValue value = JsonFactory.readFrom(c.patch());
      ThingChange change = ThingChanges.putAt(ID, Twin.of(GAUGE), path, value, AT.plusSeconds(1));

      assertThat(change.kind()).as(c.path()).isEqualTo(ThingChange.Kind.MERGED);
      // As plain JSON: Ditto's typed parts (FeatureProperties, ...) are not equal to their JSON.
      assertThat(change.thing().toJson().getValue(path).map(Object::toString))
          .as(c.path())
          .contains(value.toString());
      assertThat(change.thing().getRevision().orElseThrow().toLong()).isEqualTo(2);
      // Replaying the recorded merge gives the same thing: the journal keeps the patch.
      ThingChange replayed =
          ThingChanges.replay(
              Twin.of(GAUGE), change.kind(), ID, change.path(), change.value(), 2, AT);
      assertThat(replayed.thing().toJson().getValue(path).map(Object::toString))
          .as(c.path())
          .contains(value.toString());
      // Outside the path nothing changes.
      assertThat(change.thing().getAttributes().orElseThrow().getValue("a").isPresent())
          .as(c.path())
          .isEqualTo(!c.path().equals("/attributes"));
    }
  }

  @Test
  void putsAndRemovesAtAPathAnswerDittosErrorsForWhatIsMissing() {
    assertThat(ThingChanges.holds(Twin.of(GAUGE), JsonPointer.of("/attributes/a"))).isTrue();
    assertThat(ThingChanges.holds(Twin.of(GAUGE), JsonPointer.of("/attributes/b"))).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ThingChanges.putAt(
                    ID,
                    Twin.of(GAUGE),
                    JsonPointer.of("/features/rain/properties/intensity"),
                    JsonValue.of(3),
                    AT))
        .hasFieldOrPropertyWithValue("errorCode", "things:feature.notfound");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ThingChanges.putAt(
                    ID,
                    Twin.of(GAUGE),
                    JsonPointer.of("/attributes/x"),
                    JsonFactory.readFrom("{\"y\":null}"),
                    AT))
        .isInstanceOf(CitytwinException.class)
        .hasMessageContaining("null");
    for (String[] missing :
        new String[][] {
          {"/attributes/b", "things:attribute.notfound"},
          {"/features/rain", "things:feature.notfound"},
          {"/features/waterlogging/properties/missing", "things:feature.property.notfound"},
          {"/features/waterlogging/definition", "things:feature.definition.notfound"},
          {"/definition", "things:definition.notfound"}
        }) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> ThingChanges.removeAt(ID, Twin.of(GAUGE), JsonPointer.of(missing[0]), AT))
          .as(missing[0])
          .hasFieldOrPropertyWithValue("errorCode", missing[1]);
    }
    ThingChange removed =
        ThingChanges.removeAt(
            ID, Twin.of(GAUGE), JsonPointer.of("/features/waterlogging/properties/status"), AT);
    assertThat(
            removed
                .thing()
                .getFeatures()
                .orElseThrow()
                .getFeature("waterlogging")
                .orElseThrow()
                .getProperty("status"))
        .isEmpty();
  }
}
