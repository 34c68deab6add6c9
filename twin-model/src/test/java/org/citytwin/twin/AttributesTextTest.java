package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.junit.jupiter.api.Test;

/** Attributes handed over as text read as the parsed attributes would. */
class AttributesTextTest {

  private static final JsonObject GAUGE =
      JsonFactory.newObject(
          "{\"location\":{\"type\":\"Point\",\"coordinates\":[120.11,30.27]},"
              + "\"hierarchy\":{\"street\":\"s-01\",\"grid\":\"g-1\"},\"observes\":\"water:wp-1\"}");

  @Test
  void readsValuesFromTheTextAsFromTheObject() {
    AttributesText fromText = AttributesText.ofText(GAUGE.toString());
    AttributesText fromObject = AttributesText.of(GAUGE);
    for (String pointer :
        new String[] {
          "observes", "hierarchy/street", "location/coordinates", "missing", "observes/x"
        }) {
      assertThat(fromText.value(JsonPointer.of(pointer)))
          .as(pointer)
          .isEqualTo(GAUGE.getValue(JsonPointer.of(pointer)))
          .isEqualTo(fromObject.value(JsonPointer.of(pointer)));
    }
    assertThat(fromText.object()).isEqualTo(GAUGE);
    assertThat(fromText.text()).isEqualTo(GAUGE.toString());
  }

  @Test
  void equalWhenTheAttributesAreEqual() {
    AttributesText fromText = AttributesText.ofText(GAUGE.toString());
    assertThat(fromText)
        .isEqualTo(AttributesText.of(GAUGE))
        .hasSameHashCodeAs(AttributesText.of(GAUGE));
    assertThat(AttributesText.ofText("{ \"observes\" : \"water:wp-1\" }"))
        .as("the same JSON written otherwise")
        .isEqualTo(AttributesText.of(JsonFactory.newObject().setValue("observes", "water:wp-1")));
    assertThat(fromText).isNotEqualTo(AttributesText.none());
    assertThat(AttributesText.none().object()).isEmpty();
    assertThat(AttributesText.none().value(JsonPointer.of("observes"))).isEmpty();
    assertThat(AttributesText.of(GAUGE.setValue("observes", JsonValue.of("water:wp-2"))))
        .isNotEqualTo(fromText);
  }

  @Test
  void readsAPointFromTheTextAsDittosParserReadsIt() {
    String[] locations = {
      "{\"type\":\"Point\",\"coordinates\":[120.11,30.27]}",
      "{\"coordinates\": [ -73.5 , 40.25e0 , 12 ], \"type\": \"Point\"}",
      "{\"type\":\"Point\",\"coordinates\":[0,0]}",
      "{\"type\":\"Point\",\"coordinates\":[200.0,30.0]}",
      "{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]}",
      "{\"type\":\"Point\",\"coordinates\":[120.11]}",
      "{\"type\":\"Point\",\"coordinates\":[\"120.11\",\"30.27\"]}",
      "{\"type\":\"Point\",\"coordinates\":[1,2,3,4]}",
      "{\"type\":\"Poi\\u006et\",\"coordinates\":[120.11,30.27]}",
      "{\"type\":\"Point\"}",
      "\"somewhere\"",
      "[120.11,30.27]"
    };
    for (String location : locations) {
      JsonObject attributes =
          JsonFactory.newObject("{\"name\":\"g\",\"location\":" + location + "}");
      java.util.Optional<WgsPoint> parsed;
      try {
        parsed = attributes.getValue("location").map(WgsPoint::fromGeoJson);
      } catch (IllegalArgumentException | UnsupportedOperationException notAPoint) {
        parsed = java.util.Optional.empty();
      }
      assertThat(AttributesText.ofText(attributes.toString()).point(ThingModels.LOCATION))
          .as(location)
          .isEqualTo(parsed)
          .isEqualTo(AttributesText.of(attributes).point(ThingModels.LOCATION));
    }
    assertThat(
            AttributesText.ofText(
                    "{\"location\":{\"type\":\"Point\",\"coordinates\":[120.11,30.27]}}")
                .point(ThingModels.LOCATION))
        .contains(new WgsPoint(120.11, 30.27));
    assertThat(AttributesText.ofText("{}").point(ThingModels.LOCATION)).isEmpty();
  }

  @Test
  void remembersEachPointerItIsAskedApart() {
    // Points are remembered between asks; two pointers asked in turn must not answer each other.
    AttributesText attributes =
        AttributesText.ofText(
            "{\"location\":{\"type\":\"Point\",\"coordinates\":[120.11,30.27]},"
                + "\"outfall\":{\"type\":\"Point\",\"coordinates\":[120.2,30.3]}}");
    JsonPointer outfall = JsonPointer.of("outfall");
    for (int round = 0; round < 2; round++) {
      assertThat(attributes.point(ThingModels.LOCATION)).contains(new WgsPoint(120.11, 30.27));
      assertThat(attributes.point(outfall)).contains(new WgsPoint(120.2, 30.3));
      assertThat(attributes.point(JsonPointer.of("missing"))).isEmpty();
    }
  }

  @Test
  void eventsOfOneTwinAnswerItsLocationAlike() {
    // The events of one twin share what was read of its attributes' text: each still names the
    // location its own twin has, and a twin whose location changed answers the new one.
    TwinProtocol protocol = new TwinProtocol();
    org.eclipse.ditto.things.model.Thing gauge =
        org.eclipse.ditto.things.model.ThingsModelFactory.newThing(
            "{\"thingId\":\"water:g-1\",\"attributes\":"
                + GAUGE
                + ","
                + "\"features\":{\"depth\":{\"properties\":{\"value\":0.1}}}}");
    java.time.Instant at = java.time.Instant.parse("2026-12-07T01:00:00Z");
    ThingChange created = ThingChanges.put(null, gauge, at);
    Twin twin = created.twin();
    for (int reading = 0; reading < 3; reading++) {
      ThingChange change =
          ThingChanges.merge(
              gauge.getEntityId().orElseThrow(),
              twin,
              JsonPointer.of("/features/depth/properties/value"),
              JsonValue.of(0.2 + reading),
              at.plusSeconds(reading + 1));
      twin = change.twin();
      assertThat(protocol.eventOf(change).location()).contains(new WgsPoint(120.11, 30.27));
    }
    ThingChange moved =
        ThingChanges.merge(
            gauge.getEntityId().orElseThrow(),
            twin,
            JsonPointer.of("/attributes/location/coordinates"),
            JsonFactory.newArrayBuilder().add(120.5).add(30.5).build(),
            at.plusSeconds(10));
    assertThat(protocol.eventOf(moved).location()).contains(new WgsPoint(120.5, 30.5));
  }
}
