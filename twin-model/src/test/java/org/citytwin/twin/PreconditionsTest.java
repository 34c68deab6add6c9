package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingPreconditionFailedException;
import org.junit.jupiter.api.Test;

class PreconditionsTest {

  private static final JsonPointer LANES = JsonPointer.of("/attributes/lanes");

  private static Thing bridge(int lanes, String name) {
    return ThingsModelFactory.newThing(
        JsonFactory.newObject(
            "{\"thingId\":\"traffic:bridge-1\",\"_revision\":3,\"attributes\":{\"lanes\":"
                + lanes
                + ",\"name\":\""
                + name
                + "\"}}"));
  }

  private static DittoHeaders ifMatch(String tag) {
    return DittoHeaders.newBuilder().putHeader("if-match", tag).build();
  }

  @Test
  void aPartIsTaggedByItsValueAndTheThingByItsRevision() {
    Thing before = bridge(4, "Gongchen");
    String thingTag = Preconditions.entityTag(before, JsonPointer.empty()).orElseThrow().toString();
    String partTag = Preconditions.entityTag(before, LANES).orElseThrow().toString();
    assertThat(thingTag).isEqualTo("\"rev:3\"");
    assertThat(partTag).startsWith("\"hash:");
    // The tag a read answers with is the tag a write is checked against.
    assertThat(Preconditions.entityTag(JsonFactory.newValue(4)).orElseThrow().toString())
        .isEqualTo(partTag);
    assertThat(Preconditions.entityTag(bridge(4, "renamed"), LANES).orElseThrow().toString())
        .as("another part's change")
        .isEqualTo(partTag);
    assertThat(Preconditions.entityTag(bridge(6, "Gongchen"), LANES).orElseThrow().toString())
        .isNotEqualTo(partTag);
    assertThat(Preconditions.entityTag(before, JsonPointer.of("/attributes/deck"))).isEmpty();
  }

  @Test
  void aWriteOfAPartIsCheckedAgainstThePartsTag() {
    Thing current = bridge(4, "Gongchen");
    String partTag = Preconditions.entityTag(current, LANES).orElseThrow().toString();
    Preconditions.checkWrite(ifMatch(partTag), current, LANES);
    Preconditions.checkWrite(ifMatch("*"), current, LANES);
    assertThatThrownBy(() -> Preconditions.checkWrite(ifMatch("\"rev:3\""), current, LANES))
        .isInstanceOf(ThingPreconditionFailedException.class);
    assertThatThrownBy(
            () -> Preconditions.checkWrite(ifMatch("*"), current, JsonPointer.of("/attributes/x")))
        .isInstanceOf(ThingPreconditionFailedException.class);
    Preconditions.checkWrite(ifMatch("\"rev:3\""), current, JsonPointer.empty());
  }
}
