package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.citytwin.fusion.TestDistrict.AFTERNOON;
import static org.citytwin.fusion.TestDistrict.reading;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonValue;
import org.junit.jupiter.api.Test;

/** The loop report -> review -> dispatch -> handle -> verify -> close, routing and escalation. */
class IncidentLifecycleTest {

  private final TestDistrict.MutableClock clock = new TestDistrict.MutableClock(AFTERNOON);
  private final FusionEngine engine = TestDistrict.engine(clock);
  private final IncidentBook book = engine.incidents();

  /** A flood incident where two gauges stand, reported now; starts at community level. */
  private Incident flood(WgsPoint where) {
    return flood(where, "water:wlg-1", "water:wlg-2");
  }

  private Incident flood(WgsPoint where, String... gauges) {
    List<Incident> raised = List.of();
    for (String gauge : gauges) {
      raised =
          engine.observe(
              reading(
                  gauge,
                  "citytwin:waterlogging-gauge:1.0.0",
                  where,
                  "features/waterlogging/properties/depth",
                  JsonValue.of(0.2),
                  clock.instant()));
    }
    return raised.get(0);
  }

  private Incident act(Incident incident, IncidentAction action, String note) {
    return book.act(
        incident.id(),
        action,
        "grid-worker-7",
        note,
        Optional.empty(),
        Optional.empty(),
        clock.instant());
  }

  @Test
  void goesThroughTheWholeLoopWithEveryStepAudited() {
    Incident incident = flood(TestDistrict.WEST_CATCHMENT);
    assertThat(incident.jurisdiction())
        .containsEntry("grid", "grid-1a-1")
        .containsEntry("community", "community-1a")
        .containsEntry("street", "street-1")
        .containsEntry("district", "gongshu");
    incident = act(incident, IncidentAction.REVIEW, "confirmed on camera");
    clock.advance(Duration.ofMinutes(1));
    incident = act(incident, IncidentAction.DISPATCH, "");
    assertThat(incident.team()).contains("team-south"); // no water team: nearest of any
    incident = act(incident, IncidentAction.HANDLE, "pumped out");
    incident = act(incident, IncidentAction.VERIFY, "dry on site");
    incident = act(incident, IncidentAction.CLOSE, "");
    assertThat(incident.state()).isEqualTo(IncidentState.CLOSED);
    assertThat(incident.dueAt()).isEmpty();
    assertThat(incident.audit())
        .extracting(AuditEntry::action)
        .containsExactly("report", "review", "dispatch", "handle", "verify", "close");
    AuditEntry dispatch = incident.audit().get(2);
    assertThat(dispatch.actor()).isEqualTo("grid-worker-7");
    assertThat(dispatch.at()).isEqualTo(AFTERNOON.plus(Duration.ofMinutes(1)));
    assertThat(dispatch.note()).startsWith("team team-south, ").endsWith(" m away");
    assertThat(incident.audit().get(1).note()).isEqualTo("confirmed on camera");
  }

  @Test
  void anIncidentsMapsAreItsOwnInOrderAndUnchangeableThroughEveryVersion() {
    Incident incident = flood(TestDistrict.WEST_CATCHMENT);
    assertThat(incident.jurisdiction().keySet())
        .containsExactly("grid", "community", "street", "district");
    assertThatThrownBy(() -> incident.jurisdiction().put("grid", "elsewhere"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> incident.subjects().put("vehicle", "x"))
        .isInstanceOf(UnsupportedOperationException.class);
    Incident reviewed = act(incident, IncidentAction.REVIEW, "");
    assertThat(reviewed.jurisdiction()).isSameAs(incident.jurisdiction());
    assertThat(reviewed.jurisdiction())
        .isEqualTo(new java.util.LinkedHashMap<>(incident.jurisdiction()))
        .hasSameHashCodeAs(new java.util.HashMap<>(incident.jurisdiction()));
    java.util.Map<String, String> source = new java.util.LinkedHashMap<>(Map.of("vehicle", "v-1"));
    Incident withSubjects =
        new Incident(
            reviewed.id(),
            reviewed.ruleId(),
            reviewed.template(),
            reviewed.severity(),
            reviewed.state(),
            reviewed.scope(),
            reviewed.scopeType(),
            reviewed.location(),
            reviewed.jurisdiction(),
            reviewed.level(),
            reviewed.unit(),
            reviewed.team(),
            reviewed.raisedAt(),
            reviewed.updatedAt(),
            reviewed.dueAt(),
            reviewed.evidence(),
            reviewed.audit(),
            source,
            reviewed.details(),
            reviewed.mergedInto());
    source.put("site", "s-1");
    assertThat(withSubjects.subjects()).containsExactly(Map.entry("vehicle", "v-1"));
  }

  @Test
  void refusesIllegalTransitionsWithAClearErrorAndChangesNothing() {
    Incident incident = flood(TestDistrict.WEST_CATCHMENT);
    assertThatThrownBy(() -> act(incident, IncidentAction.CLOSE, ""))
        .isInstanceOf(CitytwinException.class)
        .hasMessageContaining("Cannot close")
        .hasMessageContaining("it is reported")
        .satisfies(
            e ->
                assertThat(((CitytwinException) e).errorCode())
                    .isEqualTo(IncidentErrors.ILLEGAL_TRANSITION));
    assertThatThrownBy(() -> act(incident, IncidentAction.HANDLE, ""))
        .hasMessageContaining("allowed when it is dispatched");
    assertThat(book.get(incident.id())).contains(incident);
    Incident rejected = act(incident, IncidentAction.REJECT, "gauge under maintenance");
    assertThat(rejected.state()).isEqualTo(IncidentState.REJECTED);
    assertThatThrownBy(() -> act(rejected, IncidentAction.REVIEW, ""))
        .hasMessageContaining("it is rejected");
    assertThatThrownBy(
            () ->
                book.act(
                    "incidents:nope",
                    IncidentAction.REVIEW,
                    "x",
                    "",
                    Optional.empty(),
                    Optional.empty(),
                    clock.instant()))
        .satisfies(
            e ->
                assertThat(((CitytwinException) e).errorCode())
                    .isEqualTo(IncidentErrors.NOT_FOUND));
  }

  @Test
  void aFailedVerificationSendsTheWorkBack() {
    Incident incident = flood(TestDistrict.WEST_CATCHMENT);
    incident = act(incident, IncidentAction.REVIEW, "");
    incident = act(incident, IncidentAction.DISPATCH, "");
    incident = act(incident, IncidentAction.HANDLE, "");
    incident = act(incident, IncidentAction.RETURN, "still 10 cm of water");
    assertThat(incident.state()).isEqualTo(IncidentState.DISPATCHED);
  }

  @Test
  void escalatesALateStepOneLevelAtATimeUpToTheDistrict() {
    Incident incident = flood(TestDistrict.WEST_CATCHMENT);
    assertThat(incident.level()).isEqualTo("community");
    assertThat(incident.dueAt()).contains(AFTERNOON.plus(Duration.ofMinutes(10)));
    clock.advance(Duration.ofMinutes(10));
    assertThat(engine.escalateOverdue()).isEmpty(); // due, not yet late
    clock.advance(Duration.ofSeconds(1));
    assertThat(engine.escalateOverdue())
        .singleElement()
        .satisfies(
            up -> {
              assertThat(up.level()).isEqualTo("street");
              assertThat(up.unit()).isEqualTo("street-1");
              assertThat(up.state()).isEqualTo(IncidentState.REPORTED);
              assertThat(up.audit().get(up.audit().size() - 1).actor())
                  .isEqualTo(AuditEntry.SYSTEM);
            });
    clock.advance(Duration.ofMinutes(11));
    assertThat(engine.escalateOverdue())
        .singleElement()
        .extracting(Incident::unit)
        .isEqualTo("gongshu");
    clock.advance(Duration.ofMinutes(11));
    Incident atTop = engine.escalateOverdue().get(0);
    assertThat(atTop.level()).isEqualTo("district");
    assertThat(atTop.dueAt()).isEmpty();
    clock.advance(Duration.ofHours(1));
    assertThat(engine.escalateOverdue()).isEmpty();
    assertThat(book.get(incident.id()).orElseThrow().audit())
        .extracting(AuditEntry::action)
        .containsExactly("report", "escalate", "escalate", "overdue");
  }

  @Test
  void reviewingInTimeRestartsTheClockForTheNextStep() {
    Incident incident = flood(TestDistrict.WEST_CATCHMENT);
    clock.advance(Duration.ofMinutes(9));
    incident = act(incident, IncidentAction.REVIEW, "");
    assertThat(incident.dueAt()).contains(clock.instant().plus(Duration.ofMinutes(5)));
    clock.advance(Duration.ofMinutes(4));
    assertThat(engine.escalateOverdue()).isEmpty();
  }

  @Test
  void dispatchSkipsBusyTeamsAndSaysWhenNoneIsFree() {
    Incident first = flood(TestDistrict.WEST_CATCHMENT);
    clock.advance(Duration.ofHours(7)); // a new storm: a new incident in the same catchment
    Incident second = flood(TestDistrict.WEST_CATCHMENT);
    clock.advance(Duration.ofHours(7));
    Incident third = flood(TestDistrict.WEST_CATCHMENT);
    clock.advance(Duration.ofHours(7));
    Incident fourth = flood(TestDistrict.WEST_CATCHMENT);
    for (Incident incident : new Incident[] {first, second, third, fourth}) {
      act(incident, IncidentAction.REVIEW, "");
    }
    assertThat(act(first, IncidentAction.DISPATCH, "").team()).contains("team-south");
    assertThat(act(second, IncidentAction.DISPATCH, "").team()).contains("team-north");
    assertThat(act(third, IncidentAction.DISPATCH, "").team()).contains("team-pv");
    assertThatThrownBy(() -> act(fourth, IncidentAction.DISPATCH, ""))
        .satisfies(
            e -> assertThat(((CitytwinException) e).errorCode()).isEqualTo(IncidentErrors.NO_TEAM));
    act(book.get(first.id()).orElseThrow(), IncidentAction.HANDLE, "");
    assertThat(act(fourth, IncidentAction.DISPATCH, "").team()).contains("team-south");
  }

  @Test
  void mergingMovesTheEvidenceAndClosesTheDuplicate() {
    Incident west = flood(TestDistrict.WEST_CATCHMENT);
    Incident east = flood(TestDistrict.EAST_CATCHMENT, "water:wlg-3", "water:wlg-4");
    Incident merged =
        book.act(
            east.id(),
            IncidentAction.MERGE,
            "duty-officer",
            "same storm cell",
            Optional.empty(),
            Optional.of(west.id()),
            clock.instant());
    assertThat(merged.state()).isEqualTo(IncidentState.MERGED);
    assertThat(merged.mergedInto()).contains(west.id());
    Incident absorbing = book.get(west.id()).orElseThrow();
    assertThat(absorbing.evidence())
        .extracting(Evidence::thingId)
        .containsExactlyInAnyOrder("water:wlg-1", "water:wlg-2", "water:wlg-3", "water:wlg-4");
    assertThat(absorbing.audit().get(absorbing.audit().size() - 1).note())
        .startsWith("absorbed " + east.id());
    assertThatThrownBy(
            () ->
                book.act(
                    west.id(),
                    IncidentAction.MERGE,
                    "x",
                    "",
                    Optional.empty(),
                    Optional.of(west.id()),
                    clock.instant()))
        .hasMessageContaining("itself");
    // New evidence in the merged incident's scope raises a new one: the merged one is not open.
    assertThat(
            engine.observe(
                reading(
                    "water:wlg-3",
                    "citytwin:waterlogging-gauge:1.0.0",
                    TestDistrict.EAST_CATCHMENT,
                    "features/waterlogging/properties/depth",
                    JsonValue.of(0.31),
                    clock.instant())))
        .singleElement()
        .extracting(Incident::id)
        .isNotEqualTo(east.id());
  }

  @Test
  void anIncidentReadsBackFromItsTwinJsonUnchanged() {
    Incident incident = act(flood(TestDistrict.WEST_CATCHMENT), IncidentAction.REVIEW, "ok");
    Incident recovered = Incident.fromJson(incident.toJson());
    assertThat(recovered).isEqualTo(incident);
    IncidentBook restarted =
        new IncidentBook(TestDistrict.zones(), TestDistrict.teams(), SlaPolicy.defaults());
    restarted.recover(recovered);
    assertThat(
            restarted
                .act(
                    incident.id(),
                    IncidentAction.DISPATCH,
                    "x",
                    "",
                    Optional.empty(),
                    Optional.empty(),
                    clock.instant())
                .state())
        .isEqualTo(IncidentState.DISPATCHED);
  }
}
