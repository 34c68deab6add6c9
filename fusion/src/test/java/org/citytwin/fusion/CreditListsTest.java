package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.citytwin.fusion.TestDistrict.AFTERNOON;
import static org.citytwin.fusion.TestDistrict.reading;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonValue;
import org.junit.jupiter.api.Test;

/** Red and black lists follow the muck-truck cases: confirmed cases black-list, reports do not. */
class CreditListsTest {

  private final TestDistrict.MutableClock clock = new TestDistrict.MutableClock(AFTERNOON);
  private final FusionEngine engine = TestDistrict.engine(clock);

  private Incident unapprovedTruck(String vehicle, Instant at) {
    Map<String, String> attributes = Map.of("vehicleKind", "muck-truck", "observes", vehicle);
    for (int i = 0; i < 2; i++) {
      engine.observe(
          reading(
              "fleet:tracker-" + vehicle,
              "citytwin:gps-tracker:1.0.0",
              i == 0 ? TestDistrict.SITE_A : new WgsPoint(120.125, 30.30),
              "features/position/properties/speed",
              JsonValue.of(8),
              at.plusSeconds(60L * i),
              attributes));
    }
    return engine.incidents().all().get(0);
  }

  private void act(Incident incident, IncidentAction action) {
    engine
        .incidents()
        .act(
            incident.id(),
            action,
            "inspector-3",
            "",
            Optional.empty(),
            Optional.empty(),
            clock.instant());
  }

  private CreditLists.Entry entry(String kind, String id) {
    return engine.creditLists(clock.instant()).entries().stream()
        .filter(e -> e.kind().equals(kind) && e.id().equals(id))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aKnownSiteWithNoCasesIsOnTheRedList() {
    assertThat(engine.creditLists(clock.instant()).on(Optional.of("red"), Optional.empty()))
        .extracting(CreditLists.Entry::id)
        .containsExactly("Hangzhou Earthworks Co.", "site-a", "fleet:truck-1");
  }

  @Test
  void anOpenCaseIsPendingAndAVerifiedOneBlackListsVehicleSiteAndEnterprise() {
    Incident incident = unapprovedTruck("fleet:truck-9", Instant.parse("2026-07-14T14:00:00Z"));
    assertThat(incident.state()).isEqualTo(IncidentState.DISPATCHED);
    assertThat(entry("vehicle", "fleet:truck-9").list()).isEqualTo("none");
    assertThat(entry("vehicle", "fleet:truck-9").pending()).isEqualTo(1);
    assertThat(entry("site", "site-a").list()).isEqualTo("none");
    act(incident, IncidentAction.HANDLE);
    act(incident, IncidentAction.VERIFY);
    assertThat(engine.creditLists(clock.instant()).on(Optional.of("black"), Optional.empty()))
        .extracting(CreditLists.Entry::kind, CreditLists.Entry::id)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("enterprise", "Hangzhou Earthworks Co."),
            org.assertj.core.groups.Tuple.tuple("site", "site-a"),
            org.assertj.core.groups.Tuple.tuple("vehicle", "fleet:truck-9"));
    assertThat(entry("vehicle", "fleet:truck-9").incidents()).containsExactly(incident.id());
    assertThat(entry("vehicle", "fleet:truck-1").list()).isEqualTo("red");
    clock.advance(Duration.ofDays(366));
    assertThat(entry("site", "site-a").list()).isEqualTo("red");
  }

  @Test
  void aRejectedReportBlackListsNobody() {
    Incident incident = unapprovedTruck("fleet:truck-9", Instant.parse("2026-07-14T14:00:00Z"));
    // dispatched automatically; the team finds the tracker was misreporting
    engine
        .incidents()
        .act(
            incident.id(),
            IncidentAction.HANDLE,
            "team-south",
            "",
            Optional.empty(),
            Optional.empty(),
            clock.instant());
    engine
        .incidents()
        .act(
            incident.id(),
            IncidentAction.RETURN,
            "inspector",
            "",
            Optional.empty(),
            Optional.empty(),
            clock.instant());
    assertThat(engine.creditLists(clock.instant()).on(Optional.of("black"), Optional.empty()))
        .isEmpty();
  }
}
