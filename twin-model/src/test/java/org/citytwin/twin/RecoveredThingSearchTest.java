package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every search case again, over the district as a cold start recovers it: each twin held as its
 * snapshot JSON, indexed from that text, and built only when used.
 */
class RecoveredThingSearchTest extends ThingSearchTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-07-14T08:00:00Z"), ZoneOffset.UTC);

  @BeforeEach
  void recoverTheDistrictAsJson() {
    ThingStore recovered = new ThingStore(clock);
    for (Twin twin : store.twins()) {
      recovered.restore(asSnapshotRow(twin));
    }
    store = recovered;
    search = new ThingSearch(recovered);
    assertThat(store.releaseIdle()).as("recovered twins start idle").isEqualTo(store.size());
  }

  /** The twin as a snapshot row gives it back: its JSON, revision and timestamps. */
  private static Twin asSnapshotRow(Twin twin) {
    return Twin.ofJson(
        twin.thingId(),
        twin.json(),
        twin.revision(),
        twin.created().orElse(null),
        twin.modified().orElse(null));
  }

  @Test
  void aScanNeitherBuildsNorKeepsTheTwinsItTests() {
    assertThat(ids("like(attributes/name,\"*nowhere*\")")).isEmpty();
    assertThat(ids("gt(features/waterlogging/properties/depth,9)")).isEmpty();
    assertThat(ids("eq(policyId,\"nowhere:none\")")).isEmpty();
    assertThat(ids("eq(features/waterlogging/definition,\"a:b:1\")")).isEmpty();

    assertThat(store.releaseIdle()).isEqualTo(store.size());
  }

  @Test
  void aTwinUsedIsKeptBuiltUntilASweepFindsItIdle() {
    ThingId gauge = ThingId.of("water:wlg-1");
    Thing read = store.retrieve(gauge).orElseThrow();

    assertThat(store.releaseIdle()).as("all but the one read").isEqualTo(store.size() - 1);
    assertThat(store.twin(gauge).orElseThrow().idleText()).as("still built").isEmpty();
    assertThat(store.releaseIdle()).as("not read since").isEqualTo(store.size());
    assertThat(store.twin(gauge).orElseThrow().idleText()).isPresent();
    assertThat(store.retrieve(gauge)).as("built again, equal").contains(read);
  }

  @Test
  void aTwinWithPendingWritesIsTheSameThingAfterItsRelease() {
    ThingId gauge = ThingId.of("water:wlg-2");
    store.merge(
        gauge, JsonPointer.of("features/waterlogging/properties/depth"), JsonValue.of(0.31));
    Twin twin = store.twin(gauge).orElseThrow();
    assertThat(twin.isSettled()).as("the reading is a pending write").isFalse();
    Thing before = twin.thing();

    store.releaseIdle();
    store.releaseIdle();

    assertThat(twin.idleText()).isPresent();
    assertThat(asSnapshotRow(twin).thing()).as("as a snapshot row gives it back").isEqualTo(before);
    assertThat(twin.idleText()).as("rendered without building").isPresent();
    assertThat(twin.thing()).isEqualTo(before);
    assertThat(ids("eq(features/waterlogging/properties/depth,0.31)"))
        .containsExactly("water:wlg-2");
  }

  @Test
  void aReadingForAnIdleTwinWaitsBesideItsTextUnbuilt() {
    ThingId gauge = ThingId.of("water:wlg-1");
    long revision = store.twin(gauge).orElseThrow().revision();

    store.merge(
        gauge, JsonPointer.of("features/waterlogging/properties/depth"), JsonValue.of(0.77));

    Twin twin = store.twin(gauge).orElseThrow();
    assertThat(twin.isSettled()).isFalse();
    assertThat(twin.idleText()).as("not built for the reading").isPresent();
    assertThat(store.releaseIdle()).isEqualTo(store.size());
    assertThat(twin.thing().getRevision().orElseThrow().toLong()).isEqualTo(revision + 1);
    assertThat(twin.thing().toJson().getValue("features/waterlogging/properties/depth"))
        .contains(JsonValue.of(0.77));
  }

  @Test
  void readingsAndEventsOfAnIdleTwinBuildNothingAndEqualABuiltTwins() {
    // Twenty properties, so that the readings pass the 16 pending writes and are folded.
    StringBuilder properties = new StringBuilder();
    for (int p = 0; p < 20; p++) {
      properties.append(p == 0 ? "" : ",").append("\"p").append(p).append("\":0");
    }
    String json =
        "{\"thingId\":\"water:station-1\",\"definition\":\"citytwin:water-quality-station:1.0.0\","
            + "\"attributes\":{\"name\":\"Station\",\"hierarchy\":{\"grid\":\"g1\"}},"
            + "\"features\":{\"quality\":{\"properties\":{"
            + properties
            + "}}}}";
    Instant created = clock.instant();
    Twin idle = Twin.ofJson(ThingId.of("water:station-1"), json, 3, created, created);
    Twin built = Twin.of(Twin.ofJson(idle.thingId(), json, 3, created, created).thing());
    TwinProtocol protocol = new TwinProtocol();
    Instant at = created;
    for (int reading = 0; reading < 40; reading++) {
      at = at.plusSeconds(1);
      JsonPointer property = JsonPointer.of("features/quality/properties/p" + reading % 20);
      ThingChange onIdle =
          ThingChanges.merge(idle.thingId(), idle, property, JsonValue.of(reading / 10.0), at);
      ThingChange onBuilt =
          ThingChanges.merge(built.thingId(), built, property, JsonValue.of(reading / 10.0), at);
      assertThat(protocol.eventText(onIdle)).isEqualTo(protocol.eventText(onBuilt));
      assertThat(protocol.eventOf(onIdle)).isEqualTo(protocol.eventOf(onBuilt));
      idle = onIdle.twin();
      built = onBuilt.twin();
      assertThat(idle.idleText()).as("reading %d built the idle twin", reading).isPresent();
    }
    assertThat(idle.thing()).isEqualTo(built.thing());
  }
}
