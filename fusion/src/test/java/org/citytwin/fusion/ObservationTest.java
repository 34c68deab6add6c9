package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.citytwin.twin.AttributesText;
import org.citytwin.twin.TwinEvent;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;

/** An observation's changed values are found as Ditto's own JSON finds them. */
class ObservationTest {

  private static final JsonObject CHANGES =
      JsonFactory.newObject(
          """
          {"features": {
             "waterlogging": {"properties": {"depth": 0.23, "nested": {"a": {"b": [1, 2]}}}},
             "position": {"properties": {"longitude": 120.1, "latitude": 30.2}},
             "list": [{"properties": {"x": 1}}],
             "text": "not an object"}}
          """);

  @Test
  void findsWhatDittoFindsAtEveryPath() {
    Observation observation =
        new Observation(
            ThingId.of("water", "wlg-1"),
            "citytwin:waterlogging-gauge:1.0.0",
            Optional.empty(),
            AttributesText.none(),
            CHANGES,
            Instant.parse("2026-07-20T14:00:00Z"));
    List<String> paths =
        List.of(
            "",
            "features",
            "features/waterlogging/properties/depth",
            "features/waterlogging/properties/nested/a/b",
            "features/waterlogging/properties/missing",
            "features/waterlogging/properties/depth/deeper",
            "features/list/0/properties/x",
            "features/text/properties",
            "features/absent/properties/depth",
            "attributes/location");
    for (String path : paths) {
      JsonPointer pointer = JsonPointer.of(path);
      assertThat(observation.changed(pointer)).as(path).isEqualTo(CHANGES.getValue(pointer));
    }
    assertThat(observation.changed(JsonPointer.of("features/waterlogging/properties/depth")))
        .hasValueSatisfying(depth -> assertThat(depth.asDouble()).isEqualTo(0.23));
  }

  @Test
  void aChangeStatedAtAPathIsFoundAsInItsNestedChanges() {
    for (String stated :
        List.of(
            "features/waterlogging/properties/depth",
            "features/waterlogging/properties",
            "features/waterlogging",
            "features")) {
      JsonPointer at = JsonPointer.of(stated);
      Observation observation =
          Observation.of(
              TwinEvent.at(
                  ThingId.of("water", "wlg-1"),
                  at,
                  CHANGES.getValue(at).orElseThrow(),
                  7,
                  "citytwin:waterlogging-gauge:1.0.0",
                  AttributesText.none(),
                  Optional.empty()),
              Instant.parse("2026-07-20T14:00:00Z"));
      JsonObject nested = TwinEvent.changesOf(at, CHANGES.getValue(at).orElseThrow());
      assertThat((Object) observation.changes()).isEqualTo(nested);
      for (String path :
          List.of(
              "features",
              "features/waterlogging",
              "features/waterlogging/properties/depth",
              "features/waterlogging/properties/nested/a/b",
              "features/waterlogging/properties/missing",
              "features/waterlogging/properties/depth/deeper",
              "features/position/properties/longitude",
              "attributes/location")) {
        JsonPointer pointer = JsonPointer.of(path);
        assertThat(observation.changed(pointer))
            .as(stated + " asked " + path)
            .isEqualTo(nested.getValue(pointer));
      }
    }
  }

  @Test
  void aPositionStatedAsAFeaturesPropertiesIsWhereTheTwinStands() {
    JsonPointer at = JsonPointer.of("features/position/properties");
    TwinEvent event =
        TwinEvent.at(
            ThingId.of("urban", "truck-1"),
            at,
            CHANGES.getValue(at).orElseThrow(),
            7,
            "citytwin:gps-tracker:1.0.0",
            AttributesText.none(),
            Optional.empty());
    assertThat(Observation.of(event, Instant.parse("2026-07-20T14:00:00Z")).location())
        .contains(new WgsPoint(120.1, 30.2));
    TwinEvent oneCoordinate =
        TwinEvent.at(
            ThingId.of("urban", "truck-1"),
            JsonPointer.of("features/position/properties/longitude"),
            org.eclipse.ditto.json.JsonValue.of(120.2),
            8,
            "citytwin:gps-tracker:1.0.0",
            AttributesText.none(),
            Optional.empty());
    assertThat(Observation.of(oneCoordinate, Instant.parse("2026-07-20T14:00:01Z")).location())
        .isEmpty();
  }

  @Test
  void aReportedPositionIsWhereTheTwinStands() {
    TwinEvent event =
        new TwinEvent(
            ThingId.of("urban", "truck-1"),
            CHANGES,
            7,
            "citytwin:gps-tracker:1.0.0",
            AttributesText.none(),
            Optional.empty());
    assertThat(Observation.of(event, Instant.parse("2026-07-20T14:00:00Z")).location())
        .contains(new WgsPoint(120.1, 30.2));
  }
}
