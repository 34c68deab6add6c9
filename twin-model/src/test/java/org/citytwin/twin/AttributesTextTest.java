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
}
