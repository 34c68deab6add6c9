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
      assertThat(twin.thing()).as(reading.toString()).isEqualTo(expected);
      assertThat(
              twin.thing()
                  .toJson(org.eclipse.ditto.base.model.json.JsonSchemaVersion.V_2, f -> true))
          .isEqualTo(
              expected.toJson(org.eclipse.ditto.base.model.json.JsonSchemaVersion.V_2, f -> true));
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
}
