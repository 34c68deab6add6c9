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
}
