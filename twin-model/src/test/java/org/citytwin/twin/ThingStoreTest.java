package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingRevision;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingIdNotExplicitlySettableException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingNotAccessibleException;
import org.junit.jupiter.api.Test;

class ThingStoreTest {

  private static final Instant NOW = Instant.parse("2026-07-14T08:00:00Z");
  private static final ThingId GAUGE = ThingId.of("water", "wlg-0001");

  private final ThingStore store = new ThingStore(Clock.fixed(NOW, ZoneOffset.UTC));

  private static Thing gauge() {
    return ThingsModelFactory.newThingBuilder()
        .setId(GAUGE)
        .setDefinition(ThingModels.WATERLOGGING_GAUGE)
        .setAttribute(ThingModels.LOCATION, new WgsPoint(120.15, 30.3).toGeoJson())
        .setFeatureProperty("waterlogging", JsonPointer.of("depth"), JsonValue.of(0.0))
        .build();
  }

  @Test
  void createsThingAtRevisionOneAndReplacesAtTheNext() {
    ThingChange created = store.put(gauge());
    assertThat(created.kind()).isEqualTo(ThingChange.Kind.CREATED);
    assertThat(created.revision()).isEqualTo(1);
    assertThat(store.retrieve(GAUGE).orElseThrow().getRevision())
        .contains(ThingRevision.newInstance(1));
    assertThat(store.retrieve(GAUGE).orElseThrow().getCreated()).contains(NOW);

    ThingChange replaced = store.put(gauge());
    assertThat(replaced.kind()).isEqualTo(ThingChange.Kind.MODIFIED);
    assertThat(replaced.revision()).isEqualTo(2);
  }

  @Test
  void mergesFeaturePropertyAndRaisesRevisionByOne() {
    store.put(gauge());
    ThingChange merged =
        store.merge(
            GAUGE,
            JsonPointer.empty(),
            JsonFactory.newObject(
                "{\"features\":{\"waterlogging\":{\"properties\":{\"depth\":0.23}}}}"));
    assertThat(merged.kind()).isEqualTo(ThingChange.Kind.MERGED);
    assertThat(merged.revision()).isEqualTo(2);
    Thing stored = store.retrieve(GAUGE).orElseThrow();
    assertThat(
            stored
                .getFeatures()
                .orElseThrow()
                .getFeature("waterlogging")
                .orElseThrow()
                .getProperty(JsonPointer.of("depth")))
        .contains(JsonValue.of(0.23));
    assertThat(stored.getDefinition()).contains(ThingModels.WATERLOGGING_GAUGE);
    assertThat(stored.getAttributes().orElseThrow().getValue(ThingModels.LOCATION)).isPresent();
  }

  @Test
  void mergeWithNullRemovesAsJsonMergePatchDoes() {
    store.put(gauge());
    store.merge(GAUGE, JsonPointer.of("attributes/location"), JsonFactory.nullLiteral());
    assertThat(
            store
                .retrieve(GAUGE)
                .orElseThrow()
                .getAttributes()
                .orElseThrow()
                .getValue(ThingModels.LOCATION))
        .isEmpty();
  }

  @Test
  void refusesMergeIntoUnknownThing() {
    assertThatThrownBy(() -> store.merge(GAUGE, JsonPointer.of("attributes/x"), JsonValue.of(1)))
        .isInstanceOf(ThingNotAccessibleException.class);
  }

  @Test
  void refusesMergeThatChangesTheThingId() {
    store.put(gauge());
    assertThatThrownBy(
            () -> store.merge(GAUGE, JsonPointer.of("thingId"), JsonValue.of("water:other")))
        .isInstanceOf(ThingIdNotExplicitlySettableException.class);
    assertThat(store.retrieve(GAUGE).orElseThrow().getRevision())
        .contains(ThingRevision.newInstance(1));
  }

  @Test
  void concurrentMergesEachGetTheirOwnRevision() throws Exception {
    store.put(gauge());
    int merges = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int i = 0; i < merges; i++) {
      int value = i;
      pool.submit(
          () -> store.merge(GAUGE, JsonPointer.of("attributes/counter"), JsonValue.of(value)));
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(store.retrieve(GAUGE).orElseThrow().getRevision())
        .contains(ThingRevision.newInstance(merges + 1L));
  }
}
