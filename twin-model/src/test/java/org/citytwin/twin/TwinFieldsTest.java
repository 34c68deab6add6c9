package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.ditto.base.model.json.JsonSchemaVersion;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.junit.jupiter.api.Test;

/** RQL reads a twin's values from its parts exactly as it would from the thing's JSON. */
class TwinFieldsTest {

  private static final ThingId ID = ThingId.of("water:wlg-7");
  private static final Instant AT = Instant.parse("2026-07-14T08:00:00Z");

  @Test
  void everyPointerGivesWhatTheThingsJsonGives() {
    Twin twin =
        ThingChanges.put(
                null,
                ThingsModelFactory.newThing(
                    "{\"thingId\":\"water:wlg-7\",\"policyId\":\"water:wlg-7\","
                        + "\"definition\":\"citytwin:waterlogging-gauge:1.0.0\","
                        + "\"attributes\":{\"name\":\"Gauge 7\",\"hierarchy\":{\"grid\":\"g-1\"}},"
                        + "\"features\":{\"waterlogging\":{\"definition\":[\"a:b:1.0.0\"],"
                        + "\"properties\":{\"depth\":0.1,\"status\":{\"battery\":0.9}}}}}"),
                AT)
            .twin();
    twin =
        ThingChanges.merge(
                ID,
                twin,
                JsonPointer.of("features/waterlogging/properties/depth"),
                JsonValue.of(0.42),
                AT.plusSeconds(5))
            .twin();
    assertThat(twin.isSettled()).as("the reading is held as a pending write").isFalse();
    assertEveryPointerAsInTheThingsJson(twin, () -> {});
    assertThat(new TwinFields(twin).get(JsonPointer.of("features/waterlogging/properties/depth")))
        .contains(JsonValue.of(0.42));

    // The same twin idle, held as its text with the reading pending beside it; then settled.
    Twin settled = Twin.of(twin.thing());
    ThingStore store = new ThingStore(java.time.Clock.fixed(AT, java.time.ZoneOffset.UTC));
    store.restore(twin);
    Twin pending = twin;
    assertEveryPointerAsInTheThingsJson(pending, () -> makeIdle(store, pending));
    store.restore(settled);
    assertEveryPointerAsInTheThingsJson(settled, () -> makeIdle(store, settled));
  }

  private static void makeIdle(ThingStore store, Twin twin) {
    store.releaseIdle();
    store.releaseIdle();
    assertThat(twin.idleText()).as("held as text").isPresent();
  }

  /** Reads each pointer through a fresh {@link TwinFields}, after {@code before}. */
  private static void assertEveryPointerAsInTheThingsJson(Twin twin, Runnable before) {
    for (String pointer :
        List.of(
            "/",
            "thingId",
            "policyId",
            "definition",
            "_revision",
            "_modified",
            "_created",
            "_namespace",
            "attributes",
            "attributes/name",
            "attributes/hierarchy/grid",
            "attributes/missing",
            "features",
            "features/waterlogging",
            "features/waterlogging/definition",
            "features/waterlogging/properties",
            "features/waterlogging/properties/depth",
            "features/waterlogging/properties/status/battery",
            "features/waterlogging/properties/depth/inside",
            "features/waterlogging/properties/missing",
            "features/other/properties/depth")) {
      JsonPointer at = JsonPointer.of(pointer);
      before.run();
      // The thing is built after the field read, so that an idle twin is read from its text.
      Optional<JsonValue> read = new TwinFields(twin).get(at);
      JsonObject whole = twin.thing().toJson(JsonSchemaVersion.V_2, field -> true);
      // As text: Ditto's Attributes equals only Attributes, while an idle twin's come as plain
      // JSON; RQL never compares whole objects, and the text holds everything they say.
      assertThat(read.map(JsonValue::toString))
          .as(pointer)
          .isEqualTo(whole.getValue(at).map(JsonValue::toString));
    }
  }
}
