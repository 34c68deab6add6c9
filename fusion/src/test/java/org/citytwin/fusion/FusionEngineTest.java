package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;

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

  private static final Instant TWIN_TIME = Instant.parse("2026-07-14T08:29:59Z");
  private final ThingStore twins = new ThingStore(Clock.fixed(TWIN_TIME, ZoneOffset.UTC));
  private final TwinProtocol protocol = new TwinProtocol();
  private FusionEngine engine;

  @BeforeEach
  void engine() {
    engine = TestDistrict.engine(CLOCK);
    gauge("wlg-1", new WgsPoint(120.12, 30.30));
    gauge("wlg-2", new WgsPoint(120.13, 30.29));
    gauge("wlg-3", new WgsPoint(120.17, 30.30));
    gauge("wlg-4", new WgsPoint(120.18, 30.29));
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
  void raisesIncidentInTheCatchmentOfTwoGaugesAboveThreshold() {
    assertThat(depth("wlg-2", 0.19)).isEmpty();
    List<Incident> raised = depth("wlg-1", 0.23);
    assertThat(raised)
        .singleElement()
        .satisfies(
            incident -> {
              assertThat(incident.scope()).isEqualTo("catchment-west");
              assertThat(incident.template().type()).isEqualTo("flood");
              assertThat(incident.template().leadDepartment()).isEqualTo("water");
              assertThat(incident.template().cooperatingDepartments())
                  .containsExactly("emergency", "urban", "traffic");
              assertThat(incident.state()).isEqualTo(IncidentState.REPORTED);
              // the event's own timestamp, not the fusion clock, dates the evidence
              assertThat(incident.raisedAt()).isEqualTo(TWIN_TIME);
              // the reading that completed the pair first, then the gauge it agreed with
              assertThat(incident.evidence())
                  .extracting(Evidence::thingId)
                  .containsExactly("water:wlg-1", "water:wlg-2");
              assertThat(incident.evidence().get(0))
                  .satisfies(
                      e -> {
                        assertThat(e.thingId()).isEqualTo("water:wlg-1");
                        assertThat(e.value()).isEqualTo(JsonValue.of(0.23));
                        assertThat(e.signal()).isEqualTo("standing-water-at-two");
                        assertThat(e.location()).contains(new WgsPoint(120.12, 30.30));
                      });
            });
  }

  @Test
  void staysQuietAtOrBelowThresholdAndOutsideEveryCatchment() {
    assertThat(depth("wlg-1", 0.15)).isEmpty();
    assertThat(depth("wlg-far", 0.80)).isEmpty();
    assertThat(engine.incidents().all()).isEmpty();
  }

  @Test
  void mergesRepeatedAndNeighbouringTriggersIntoOneIncidentPerCatchment() {
    depth("wlg-1", 0.20);
    depth("wlg-2", 0.25);
    depth("wlg-1", 0.30);
    depth("wlg-3", 0.40);
    depth("wlg-4", 0.35);

    List<Incident> incidents = engine.incidents().all();
    assertThat(incidents)
        .extracting(Incident::scope)
        .containsExactlyInAnyOrder("catchment-west", "catchment-east");
    Incident west =
        incidents.stream()
            .filter(i -> i.scope().equals("catchment-west"))
            .findFirst()
            .orElseThrow();
    assertThat(west.evidence())
        .extracting(Evidence::thingId)
        .containsExactly("water:wlg-1", "water:wlg-2");
    assertThat(west.evidence())
        .extracting(Evidence::value)
        .containsExactly(JsonValue.of(0.30), JsonValue.of(0.25));
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
