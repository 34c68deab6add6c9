package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.citytwin.fusion.TestDistrict.AFTERNOON;
import static org.citytwin.fusion.TestDistrict.reading;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonValue;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each shipped rule: it fires, it does not fire below its line, and its bursts merge. */
class ShippedRulesTest {

  private final TestDistrict.MutableClock clock = new TestDistrict.MutableClock(AFTERNOON);
  private final FusionEngine engine = TestDistrict.engine(clock);

  private static Instant minutes(int m) {
    return AFTERNOON.plus(Duration.ofMinutes(m));
  }

  private List<Incident> open() {
    return engine.incidents().all().stream().filter(i -> i.state().open()).toList();
  }

  @Nested
  class FloodWarning {
    static final String GAUGE = "citytwin:waterlogging-gauge:1.0.0";
    static final String RAIN = "citytwin:rain-gauge:1.0.0";
    static final String RIVER = "citytwin:water-level-gauge:1.0.0";
    static final String DEPTH = "features/waterlogging/properties/depth";

    private List<Incident> depth(String gauge, WgsPoint where, double metres, int minute) {
      return engine.observe(
          reading(gauge, GAUGE, where, DEPTH, JsonValue.of(metres), minutes(minute)));
    }

    private void rain(double mmPerHour, int minute) {
      engine.observe(
          reading(
              "weather:rg-1",
              RAIN,
              TestDistrict.WEST_CATCHMENT_2,
              "features/rain/properties/intensity",
              JsonValue.of(mmPerHour),
              minutes(minute)));
    }

    @Test
    void standingWaterAtTwoGaugesOfACatchmentRaisesABlueFloodIncidentThere() {
      assertThat(depth("water:wlg-1", TestDistrict.WEST_CATCHMENT, 0.20, 0))
          .as("one gauge alone may be faulty")
          .isEmpty();
      List<Incident> raised = depth("water:wlg-2", TestDistrict.WEST_CATCHMENT_2, 0.18, 1);
      assertThat(raised)
          .singleElement()
          .satisfies(
              incident -> {
                assertThat(incident.template().type()).isEqualTo("flood");
                assertThat(incident.severity()).isEqualTo("blue");
                assertThat(incident.scope()).isEqualTo("catchment-west");
                assertThat(incident.state()).isEqualTo(IncidentState.REPORTED);
                assertThat(incident.level()).isEqualTo("community");
                assertThat(incident.unit()).isEqualTo("community-1a");
                assertThat(incident.template().leadDepartment()).isEqualTo("water");
              });
    }

    @Test
    void heavyRainCorroboratesASingleGauge() {
      rain(20, 0);
      rain(22, 2);
      assertThat(depth("water:wlg-1", TestDistrict.WEST_CATCHMENT, 0.20, 3))
          .singleElement()
          .extracting(Incident::severity)
          .isEqualTo("yellow");
    }

    @Test
    void aDriftingGaugeAloneRaisesNothing() {
      for (int minute = 0; minute <= 60; minute += 5) {
        depth("water:wlg-1", TestDistrict.WEST_CATCHMENT, 0.05 * minute / 5.0, minute);
      }
      assertThat(engine.incidents().all()).isEmpty();
    }

    @Test
    void shallowWaterRaisesNothing() {
      assertThat(depth("water:wlg-1", TestDistrict.WEST_CATCHMENT, 0.10, 0)).isEmpty();
      assertThat(engine.incidents().all()).isEmpty();
    }

    @Test
    void gaugesInOneCatchmentMergeAndOtherCatchmentsGetTheirOwn() {
      depth("water:wlg-1", TestDistrict.WEST_CATCHMENT, 0.20, 0);
      depth("water:wlg-2", TestDistrict.WEST_CATCHMENT_2, 0.18, 5);
      depth("water:wlg-1", TestDistrict.WEST_CATCHMENT, 0.22, 10);
      depth("water:wlg-3", TestDistrict.EAST_CATCHMENT, 0.25, 10);
      depth("water:wlg-4", new WgsPoint(120.18, 30.29), 0.21, 11);
      assertThat(open())
          .extracting(Incident::scope)
          .containsExactlyInAnyOrder("catchment-west", "catchment-east");
      Incident west =
          open().stream().filter(i -> i.scope().equals("catchment-west")).findFirst().orElseThrow();
      assertThat(west.evidence())
          .extracting(Evidence::thingId)
          .containsExactly("water:wlg-1", "water:wlg-2");
    }

    @Test
    void gradesRiseWithRainDepthAndTheRiver() {
      depth("water:wlg-1", TestDistrict.WEST_CATCHMENT, 0.16, 0);
      depth("water:wlg-2", TestDistrict.WEST_CATCHMENT_2, 0.16, 0);
      assertThat(open()).singleElement().extracting(Incident::severity).isEqualTo("blue");
      depth("water:wlg-1", TestDistrict.WEST_CATCHMENT, 0.23, 10); // rose 7 cm in 10 minutes
      assertThat(open()).singleElement().extracting(Incident::severity).isEqualTo("yellow");
      rain(20, 12);
      rain(24, 14);
      depth("water:wlg-1", TestDistrict.WEST_CATCHMENT, 0.35, 15);
      assertThat(open()).singleElement().extracting(Incident::severity).isEqualTo("orange");
      engine.observe(
          reading(
              "water:rl-1",
              RIVER,
              new WgsPoint(120.14, 30.31),
              "features/level/properties/aboveWarning",
              JsonValue.of(0.12),
              minutes(20)));
      Incident red = open().get(0);
      assertThat(red.severity()).isEqualTo("red");
      assertThat(red.audit())
          .extracting(AuditEntry::action)
          .containsExactly("report", "regrade", "regrade", "regrade");
    }

    @Test
    void lightRainAloneRaisesNothing() {
      rain(30, 0); // heavy rain, but nothing is flooding
      assertThat(engine.incidents().all()).isEmpty();
    }

    @Test
    void aStormAfterTheMergeWindowIsANewIncident() {
      depth("water:wlg-1", TestDistrict.WEST_CATCHMENT, 0.20, 0);
      depth("water:wlg-2", TestDistrict.WEST_CATCHMENT_2, 0.20, 0);
      depth("water:wlg-1", TestDistrict.WEST_CATCHMENT, 0.20, 7 * 60);
      depth("water:wlg-2", TestDistrict.WEST_CATCHMENT_2, 0.20, 7 * 60);
      assertThat(engine.incidents().all()).hasSize(2);
    }
  }

  @Nested
  class MuckTruck {
    static final String TRACKER = "citytwin:gps-tracker:1.0.0";
    static final Map<String, String> MUCK =
        Map.of("vehicleKind", "muck-truck", "observes", "fleet:truck-9");
    static final Map<String, String> APPROVED =
        Map.of("vehicleKind", "muck-truck", "observes", "fleet:truck-1");

    private List<Incident> fix(
        String tracker, WgsPoint where, Instant at, Map<String, String> attributes) {
      return engine.observe(
          reading(
              tracker,
              TRACKER,
              where,
              "features/position/properties/speed",
              JsonValue.of(8),
              at,
              attributes));
    }

    /** The truck loads at site A, then drives north up the road. */
    private List<Incident> drive(String tracker, Instant start, Map<String, String> attributes) {
      fix(tracker, TestDistrict.SITE_A, start, attributes);
      fix(tracker, new WgsPoint(120.125, 30.2905), start.plusSeconds(60), attributes);
      return fix(tracker, new WgsPoint(120.125, 30.30), start.plusSeconds(180), attributes);
    }

    @Test
    void anUnapprovedTruckIsTracedToItsSiteAndDispatchedToTheNearestEnforcementTeam() {
      Instant night = Instant.parse("2026-07-14T14:00:00Z"); // 22:00 in Hangzhou: site open
      List<Incident> raised = drive("fleet:tracker-9", night, MUCK);
      assertThat(raised)
          .singleElement()
          .satisfies(
              incident -> {
                assertThat(incident.template().type()).isEqualTo("muck-truck");
                assertThat(incident.subjects())
                    .containsEntry("vehicle", "fleet:truck-9")
                    .containsEntry("site", "site-a")
                    .containsEntry("enterprise", "Hangzhou Earthworks Co.");
                assertThat(incident.details().getValue("reasons").orElseThrow().toString())
                    .isEqualTo("[\"unapproved\"]");
                assertThat(
                        incident.details().getValue("trajectory").orElseThrow().asArray().getSize())
                    .isEqualTo(3);
                assertThat(incident.state()).isEqualTo(IncidentState.DISPATCHED);
                assertThat(incident.team()).contains("team-south");
                assertThat(incident.audit())
                    .extracting(AuditEntry::action)
                    .containsExactly("report", "review", "dispatch");
              });
    }

    @Test
    void anApprovedTruckInItsSitesHoursRaisesNothing() {
      Instant night = Instant.parse("2026-07-14T14:00:00Z");
      assertThat(drive("fleet:tracker-1", night, APPROVED)).isEmpty();
    }

    @Test
    void anApprovedTruckLeavingOutsideItsSitesHoursIsACase() {
      List<Incident> raised = drive("fleet:tracker-1", AFTERNOON, APPROVED);
      assertThat(raised)
          .singleElement()
          .satisfies(
              incident ->
                  assertThat(incident.details().getValue("reasons").orElseThrow().toString())
                      .isEqualTo("[\"outside-hours\"]"));
    }

    @Test
    void furtherSightingsOfTheTruckMergeIntoItsCase() {
      Instant night = Instant.parse("2026-07-14T14:00:00Z");
      drive("fleet:tracker-9", night, MUCK);
      fix("fleet:tracker-9", new WgsPoint(120.125, 30.31), night.plusSeconds(300), MUCK);
      fix("fleet:tracker-9", new WgsPoint(120.125, 30.32), night.plusSeconds(420), MUCK);
      assertThat(engine.incidents().all())
          .singleElement()
          .satisfies(
              incident ->
                  assertThat(
                          incident
                              .details()
                              .getValue("trajectory")
                              .orElseThrow()
                              .asArray()
                              .getSize())
                      .isEqualTo(5));
    }

    @Test
    void aTruckFirstSeenOnTheRoadIsTracedToItsSiteThroughItsPathFromHistory() {
      // First seen after a restart, on the road: fusion has no path, so no site and no hours.
      assertThat(fix("fleet:tracker-1", new WgsPoint(120.125, 30.30), AFTERNOON, APPROVED))
          .isEmpty();
      Map<org.eclipse.ditto.things.model.ThingId, FusionEngine.PathRequest> requests =
          engine.pathsToRebuild();
      assertThat(requests)
          .containsEntry(
              org.eclipse.ditto.things.model.ThingId.of("fleet:tracker-1"),
              new FusionEngine.PathRequest(AFTERNOON.minus(Duration.ofHours(3)), AFTERNOON));
      assertThat(engine.pathsToRebuild()).as("asked once").isEmpty();
      // History: loading at site A until 13:55 Hangzhou time, outside its night hours.
      engine.rebuildPath(
          org.eclipse.ditto.things.model.ThingId.of("fleet:tracker-1"),
          List.of(
              Map.entry(AFTERNOON.minusSeconds(900), TestDistrict.SITE_A),
              Map.entry(AFTERNOON.minusSeconds(600), TestDistrict.SITE_A),
              Map.entry(AFTERNOON.minusSeconds(300), new WgsPoint(120.125, 30.2905)),
              Map.entry(AFTERNOON, new WgsPoint(120.125, 30.30))));
      List<Incident> raised =
          fix("fleet:tracker-1", new WgsPoint(120.125, 30.31), AFTERNOON.plusSeconds(60), APPROVED);
      assertThat(raised)
          .singleElement()
          .satisfies(
              incident -> {
                assertThat(incident.subjects()).containsEntry("site", "site-a");
                assertThat(incident.details().getValue("leftSiteAt").orElseThrow().asString())
                    .isEqualTo(AFTERNOON.minusSeconds(300).toString());
                assertThat(incident.details().getValue("reasons").orElseThrow().toString())
                    .isEqualTo("[\"outside-hours\"]");
              });
    }

    @Test
    void vehiclesThatAreNotMuckTrucksAreNotFollowed() {
      assertThat(drive("fleet:bus-1", AFTERNOON, Map.of("vehicleKind", "bus"))).isEmpty();
    }
  }

  @Nested
  class EmbankmentIntrusion {
    static final String CAMERA = "citytwin:ai-camera:1.0.0";
    static final String SCENE = "features/detection/properties/scene";

    private List<Incident> detect(String camera, WgsPoint where, String scene, Instant at) {
      return engine.observe(reading(camera, CAMERA, where, SCENE, JsonValue.of(scene), at));
    }

    @Test
    void anIntrusionOnTheEmbankmentRaisesAnIncident() {
      assertThat(detect("urban:cam-1", TestDistrict.ON_EMBANKMENT, "region-intrusion", AFTERNOON))
          .singleElement()
          .satisfies(incident -> assertThat(incident.scope()).isEqualTo("embankment-canal"));
    }

    @Test
    void otherScenesAndPlacesOffTheEmbankmentRaiseNothing() {
      assertThat(detect("urban:cam-1", TestDistrict.ON_EMBANKMENT, "umbrella", AFTERNOON))
          .isEmpty();
      // 200 m north of the river line, outside its 50 m strip
      assertThat(
              detect("urban:cam-2", new WgsPoint(120.14, 30.3318), "region-intrusion", AFTERNOON))
          .isEmpty();
    }

    @Test
    void aBurstOfAlertsInOneSpaceTimeClusterIsOneIncident() {
      for (int i = 0; i < 40; i++) {
        detect(
            "urban:cam-" + (i % 3),
            new WgsPoint(120.14 + (i % 3) * 0.0005, 30.3302),
            "region-intrusion",
            AFTERNOON.plusSeconds(20L * i));
      }
      assertThat(engine.incidents().all())
          .singleElement()
          .satisfies(incident -> assertThat(incident.evidence()).hasSize(3));
    }

    @Test
    void aPersonWalkingTheBankPastCameraAfterCameraIsOneIncident() {
      // cameras 120 m apart along the river line: the fourth is 360 m from the first alert, but
      // each alert lies within 150 m of the one before
      for (int camera = 0; camera < 4; camera++) {
        detect(
            "urban:cam-" + camera,
            new WgsPoint(120.14 + camera * 0.00125, 30.3302),
            "region-intrusion",
            AFTERNOON.plusSeconds(60L * camera));
      }
      assertThat(engine.incidents().all())
          .singleElement()
          .satisfies(incident -> assertThat(incident.evidence()).hasSize(4));
    }

    @Test
    void alertsFarApartOrAfterAQuietSpellAreSeparateIncidents() {
      detect("urban:cam-1", TestDistrict.ON_EMBANKMENT, "region-intrusion", AFTERNOON);
      // 1 km east along the same embankment
      detect(
          "urban:cam-9",
          new WgsPoint(120.1504, 30.3302),
          "region-intrusion",
          AFTERNOON.plusSeconds(60));
      // the first spot again, 45 minutes after its last alert
      detect("urban:cam-1", TestDistrict.ON_EMBANKMENT, "region-intrusion", minutes(45));
      assertThat(engine.incidents().all()).hasSize(3);
    }
  }

  @Nested
  class BridgeOverload {
    static final String STRAIN = "citytwin:strain-gauge:1.0.0";
    static final Map<String, String> ON_BRIDGE = Map.of("observes", "construction:bridge-7");

    private List<Incident> strain(String gauge, double microstrain, int minute) {
      return engine.observe(
          reading(
              gauge,
              STRAIN,
              new WgsPoint(120.16, 30.30),
              "features/strain/properties/strain",
              JsonValue.of(microstrain),
              minutes(minute),
              ON_BRIDGE));
    }

    @Test
    void strainOverTheWarningLineRaisesOneIncidentPerBridgeRegradedAtTheAlarmLine() {
      assertThat(strain("construction:sg-1", 700, 0)).isEmpty();
      assertThat(strain("construction:sg-1", 900, 1))
          .singleElement()
          .satisfies(
              incident -> {
                assertThat(incident.scope()).isEqualTo("construction:bridge-7");
                assertThat(incident.severity()).isEqualTo("yellow");
                assertThat(incident.subjects()).containsEntry("object", "construction:bridge-7");
              });
      strain("construction:sg-2", 1300, 2);
      assertThat(engine.incidents().all())
          .singleElement()
          .extracting(Incident::severity)
          .isEqualTo("red");
    }
  }

  @Nested
  class DarkLamps {
    static final String LAMP = "citytwin:lamp-controller:1.0.0";

    private List<Incident> lamp(String id, WgsPoint where, String fault, int minute) {
      return engine.observe(
          reading(
              id,
              LAMP,
              where,
              "features/lamp/properties/fault",
              JsonValue.of(fault),
              minutes(minute)));
    }

    @Test
    void threeDarkLampsOnOneRoadAreAnIncidentTwoAreNot() {
      lamp("urban:lc-1", new WgsPoint(120.1101, 30.30), "lamp-failure", 0);
      lamp("urban:lc-2", new WgsPoint(120.1101, 30.301), "lamp-failure", 5);
      lamp("urban:lc-2", new WgsPoint(120.1101, 30.301), "lamp-failure", 6); // the same lamp again
      lamp("urban:lc-9", new WgsPoint(120.16, 30.30), "lamp-failure", 7); // off the road
      assertThat(engine.incidents().all()).isEmpty();
      assertThat(lamp("urban:lc-3", new WgsPoint(120.1101, 30.302), "lamp-failure", 10))
          .singleElement()
          .satisfies(
              incident -> {
                assertThat(incident.scope()).isEqualTo("road-1");
                // the three lamps that made the cluster, the last first
                assertThat(incident.evidence())
                    .extracting(Evidence::thingId)
                    .containsExactly("urban:lc-3", "urban:lc-2", "urban:lc-1");
              });
      lamp("urban:lc-4", new WgsPoint(120.1101, 30.303), "lamp-failure", 12);
      assertThat(engine.incidents().all())
          .singleElement()
          .satisfies(incident -> assertThat(incident.evidence()).hasSize(4));
    }

    @Test
    void aLampThatComesBackNoLongerCounts() {
      lamp("urban:lc-1", new WgsPoint(120.1101, 30.30), "lamp-failure", 0);
      lamp("urban:lc-2", new WgsPoint(120.1101, 30.301), "lamp-failure", 1);
      lamp("urban:lc-1", new WgsPoint(120.1101, 30.30), "", 2); // repaired
      assertThat(lamp("urban:lc-3", new WgsPoint(120.1101, 30.302), "lamp-failure", 3)).isEmpty();
    }
  }

  @Nested
  class PvHotSpot {
    static final String INSPECTION = "citytwin:pv-inspection:1.0.0";

    private List<Incident> flight(String drone, String property, double value, int minute) {
      return engine.observe(
          reading(
              drone,
              INSPECTION,
              TestDistrict.PV_FARM,
              "features/inspection/properties/" + property,
              JsonValue.of(value),
              minutes(minute)));
    }

    @Test
    void hotSpotsRaiseARepairOrderDispatchedToTheEnergyTeam() {
      assertThat(flight("energy:uav-1", "hotSpots", 0, 0)).isEmpty();
      assertThat(flight("energy:uav-1", "hotSpots", 3, 30))
          .singleElement()
          .satisfies(
              order -> {
                assertThat(order.template().type()).isEqualTo("pv-repair-order");
                assertThat(order.state()).isEqualTo(IncidentState.DISPATCHED);
                assertThat(order.team()).contains("team-pv");
              });
      flight("energy:uav-1", "maxTemperatureRise", 25, 31);
      flight("energy:uav-2", "hotSpots", 1, 5 * 60); // a later flight the same day
      assertThat(engine.incidents().all())
          .singleElement()
          .extracting(Incident::severity)
          .isEqualTo("orange");
    }
  }

  @Nested
  class WaterQuality {
    static final String STATION = "citytwin:water-quality-station:1.0.0";
    static final Map<String, String> ON_CANAL = Map.of("observes", "water:river-canal-3");

    private List<Incident> indicator(String property, double value, int minute) {
      return engine.observe(
          reading(
              "environment:wq-1",
              STATION,
              new WgsPoint(120.14, 30.33),
              "features/quality/properties/" + property,
              JsonValue.of(value),
              minutes(minute),
              ON_CANAL));
    }

    @Test
    void anIndicatorPastItsLimitRaisesOneIncidentPerRiverSection() {
      assertThat(indicator("ammoniaNitrogen", 1.5, 0)).isEmpty();
      assertThat(indicator("dissolvedOxygen", 5.0, 0)).isEmpty();
      assertThat(indicator("ammoniaNitrogen", 3.1, 10))
          .singleElement()
          .satisfies(
              incident -> {
                assertThat(incident.scope()).isEqualTo("water:river-canal-3");
                assertThat(incident.severity()).isEqualTo("yellow");
                assertThat(incident.template().leadDepartment()).isEqualTo("environment");
              });
      indicator("dissolvedOxygen", 1.2, 15);
      assertThat(engine.incidents().all())
          .singleElement()
          .extracting(Incident::severity)
          .isEqualTo("orange");
    }
  }
}
