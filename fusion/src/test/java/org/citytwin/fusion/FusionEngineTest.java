package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.citytwin.twin.ThingChange;
import org.citytwin.twin.ThingModels;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.TwinProtocol;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FusionEngineTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-07-14T08:30:00Z"), ZoneOffset.UTC);

  /** Two side-by-side catchments: west covers 120.10-120.15 E, east 120.15-120.20 E. */
  static ZoneIndex twoCatchments() {
    return ZoneIndex.fromGeoJson(
        new JsonObject()
            .put("type", "FeatureCollection")
            .put(
                "features",
                new JsonArray()
                    .add(square("catchment-west", 120.10, 120.15))
                    .add(square("catchment-east", 120.15, 120.20))));
  }

  private static JsonObject square(String id, double west, double east) {
    JsonArray ring =
        new JsonArray()
            .add(new JsonArray().add(west).add(30.27))
            .add(new JsonArray().add(east).add(30.27))
            .add(new JsonArray().add(east).add(30.32))
            .add(new JsonArray().add(west).add(30.32))
            .add(new JsonArray().add(west).add(30.27));
    return new JsonObject()
        .put("type", "Feature")
        .put("properties", new JsonObject().put("id", id).put("type", "catchment").put("name", id))
        .put(
            "geometry",
            new JsonObject().put("type", "Polygon").put("coordinates", new JsonArray().add(ring)));
  }

  private final ThingStore twins = new ThingStore(CLOCK);
  private final TwinProtocol protocol = new TwinProtocol();
  private FusionEngine engine;

  @BeforeEach
  void engine() {
    engine = new FusionEngine(twoCatchments(), new RuleLoader().loadShipped(), CLOCK);
    gauge("wlg-1", new WgsPoint(120.12, 30.30));
    gauge("wlg-2", new WgsPoint(120.13, 30.29));
    gauge("wlg-3", new WgsPoint(120.17, 30.30));
    gauge("wlg-far", new WgsPoint(120.30, 30.30));
  }

  private void gauge(String name, WgsPoint location) {
    twins.put(
        ThingsModelFactory.newThingBuilder()
            .setId(ThingId.of("water", name))
            .setDefinition(ThingModels.WATERLOGGING_GAUGE)
            .setAttribute(ThingModels.LOCATION, location.toGeoJson())
            .build());
  }

  private List<Incident> depth(String name, double metres) {
    ThingChange change =
        twins.merge(
            ThingId.of("water", name),
            JsonPointer.of("features/waterlogging/properties/depth"),
            JsonValue.of(metres));
    return engine.onTwinEvent(protocol.event(change));
  }

  @Test
  void raisesIncidentInTheCatchmentOfAGaugeAboveThreshold() {
    List<Incident> raised = depth("wlg-1", 0.23);
    assertThat(raised)
        .singleElement()
        .satisfies(
            incident -> {
              assertThat(incident.zone().id()).isEqualTo("catchment-west");
              assertThat(incident.template().type()).isEqualTo("waterlogging");
              assertThat(incident.template().leadDepartment()).isEqualTo("water");
              assertThat(incident.template().cooperatingDepartments())
                  .containsExactly("urban", "emergency");
              assertThat(incident.state()).isEqualTo("reported");
              assertThat(incident.evidence())
                  .singleElement()
                  .satisfies(
                      e -> {
                        assertThat(e.thingId()).isEqualTo("water:wlg-1");
                        assertThat(e.value()).isEqualTo(0.23);
                        assertThat(e.revision()).isEqualTo(2);
                      });
            });
  }

  @Test
  void staysQuietAtOrBelowThresholdAndOutsideEveryCatchment() {
    assertThat(depth("wlg-1", 0.15)).isEmpty();
    assertThat(depth("wlg-far", 0.80)).isEmpty();
    assertThat(engine.incidents()).isEmpty();
  }

  @Test
  void mergesRepeatedAndNeighbouringTriggersIntoOneIncidentPerCatchment() {
    depth("wlg-1", 0.20);
    depth("wlg-1", 0.25);
    depth("wlg-2", 0.30);
    depth("wlg-3", 0.40);

    List<Incident> incidents = engine.incidents();
    assertThat(incidents)
        .extracting(i -> i.zone().id())
        .containsExactlyInAnyOrder("catchment-west", "catchment-east");
    Incident west =
        incidents.stream()
            .filter(i -> i.zone().id().equals("catchment-west"))
            .findFirst()
            .orElseThrow();
    assertThat(west.evidence())
        .extracting(Evidence::thingId)
        .containsExactly("water:wlg-2", "water:wlg-1");
    assertThat(west.evidence()).extracting(Evidence::value).containsExactly(0.30, 0.25);
  }

  @Test
  void ignoresTwinsOfOtherDefinitionsAndNonEvents() {
    twins.put(
        ThingsModelFactory.newThingBuilder()
            .setId(ThingId.of("water", "river-1"))
            .setDefinition(ThingsModelFactory.newDefinition("citytwin:river-gauge:1.0.0"))
            .setAttribute(ThingModels.LOCATION, new WgsPoint(120.12, 30.30).toGeoJson())
            .build());
    assertThat(depth("river-1", 0.9)).isEmpty();
    assertThat(
            engine.onTwinEvent(org.eclipse.ditto.json.JsonFactory.newObject("{\"topic\":\"x\"}")))
        .isEmpty();
  }
}
