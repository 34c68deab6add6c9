package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.policies.model.PoliciesResourceType;
import org.eclipse.ditto.policies.model.Policy;
import org.eclipse.ditto.policies.model.Subject;
import org.eclipse.ditto.policies.model.SubjectId;
import org.eclipse.ditto.policies.model.SubjectType;
import org.junit.jupiter.api.Test;

class PolicyEvaluatorTest {

  private static final Instant NOW = Instant.parse("2026-07-14T08:00:00Z");
  private static final Set<String> WATER = Set.of(DepartmentPolicies.subject("water"));
  private static final Set<String> TRAFFIC = Set.of(DepartmentPolicies.subject("traffic"));
  private static final Set<String> COMMAND = Set.of(DepartmentPolicies.COMMAND_CENTRE);
  private static final JsonObject CAMERA_THING =
      JsonFactory.newObject(
          "{\"thingId\":\"water:cam-1\",\"attributes\":{\"name\":\"Embankment camera\",\"secret\":\"x\"},"
              + "\"features\":{\"camera\":{\"properties\":{\"alarm\":true,\"stream\":\"rtsp://...\"}},\"power\":{\"properties\":{\"on\":true}}}}");

  private final PolicyEvaluator at = new PolicyEvaluator(Clock.fixed(NOW, ZoneOffset.UTC));
  private final PolicyEvaluator later =
      new PolicyEvaluator(Clock.fixed(NOW.plus(Duration.ofDays(8)), ZoneOffset.UTC));
  private final Policy owner = DepartmentPolicies.owner("water");

  private static boolean can(
      PolicyEvaluator evaluator, Policy policy, Set<String> who, String path, String permission) {
    return evaluator.hasPermission(policy, who, "thing", JsonPointer.of(path), permission);
  }

  @Test
  void theOwnerReadsAndWritesTheCommandCentreReadsOthersNothing() {
    assertThat(can(at, owner, WATER, "/", PolicyEvaluator.WRITE)).isTrue();
    assertThat(can(at, owner, WATER, "/features/camera/properties/alarm", PolicyEvaluator.READ))
        .isTrue();
    assertThat(can(at, owner, COMMAND, "/attributes", PolicyEvaluator.READ)).isTrue();
    assertThat(can(at, owner, COMMAND, "/attributes", PolicyEvaluator.WRITE)).isFalse();
    assertThat(can(at, owner, TRAFFIC, "/", PolicyEvaluator.READ)).isFalse();
    assertThat(at.readableView(owner, WATER, CAMERA_THING)).isEqualTo(CAMERA_THING);
    assertThat(at.readableView(owner, TRAFFIC, CAMERA_THING).isEmpty())
        .as("unreadable: answered as not found")
        .isTrue();
  }

  @Test
  void aGrantLendsPartOfAThingUntilItExpiresOrIsWithdrawn() {
    Policy shared =
        DepartmentPolicies.grant(
            owner,
            "traffic-embankment-cameras",
            "traffic",
            "/features/camera",
            List.of(PolicyEvaluator.READ),
            NOW.plus(Duration.ofDays(7)));

    assertThat(at.readableView(shared, TRAFFIC, CAMERA_THING))
        .isEqualTo(
            JsonFactory.newObject(
                "{\"thingId\":\"water:cam-1\",\"features\":{\"camera\":{\"properties\":{\"alarm\":true,\"stream\":\"rtsp://...\"}}}}"));
    assertThat(can(at, shared, TRAFFIC, "/features/camera", PolicyEvaluator.WRITE)).isFalse();
    assertThat(later.readableView(shared, TRAFFIC, CAMERA_THING).isEmpty()).as("expired").isTrue();
    assertThat(
            at.readableView(
                    DepartmentPolicies.withdraw(shared, "traffic-embankment-cameras"),
                    TRAFFIC,
                    CAMERA_THING)
                .isEmpty())
        .isTrue();
  }

  @Test
  void aDeeperRevokeHidesPartOfWhatIsGrantedAbove() {
    Policy hiding =
        owner.toBuilder()
            .forLabel("no-secrets")
            .setSubject(
                Subject.newInstance(
                    SubjectId.newInstance(DepartmentPolicies.subject("water")),
                    SubjectType.newInstance("department")))
            .setRevokedPermissions(
                PoliciesResourceType.thingResource("/attributes/secret"), PolicyEvaluator.READ)
            .build();
    JsonObject view = at.readableView(hiding, WATER, CAMERA_THING);
    assertThat(view.getValue(JsonPointer.of("attributes/name"))).isPresent();
    assertThat(view.getValue(JsonPointer.of("attributes/secret"))).isEmpty();
    assertThat(can(at, hiding, WATER, "/attributes/secret", PolicyEvaluator.WRITE))
        .as("only READ was revoked")
        .isTrue();
  }

  @Test
  void aDeeperGrantReopensBelowARevokeAndRevokeWinsAtOneLevel() {
    Subject traffic =
        Subject.newInstance(
            SubjectId.newInstance(DepartmentPolicies.subject("traffic")),
            SubjectType.newInstance("department"));
    Policy policy =
        owner.toBuilder()
            .forLabel("features-closed")
            .setSubject(traffic)
            .setGrantedPermissions(PoliciesResourceType.thingResource("/"), PolicyEvaluator.READ)
            .setRevokedPermissions(
                PoliciesResourceType.thingResource("/features"), PolicyEvaluator.READ)
            .setGrantedPermissions(
                PoliciesResourceType.thingResource("/features/camera/properties/alarm"),
                PolicyEvaluator.READ)
            .forLabel("power-granted")
            .setSubject(traffic)
            .setGrantedPermissions(
                PoliciesResourceType.thingResource("/features/power"), PolicyEvaluator.READ)
            .forLabel("power-revoked")
            .setSubject(traffic)
            .setRevokedPermissions(
                PoliciesResourceType.thingResource("/features/power"), PolicyEvaluator.READ)
            .build();
    JsonObject view = at.readableView(policy, TRAFFIC, CAMERA_THING);
    assertThat(view.getValue(JsonPointer.of("attributes/name"))).isPresent();
    assertThat(view.getValue(JsonPointer.of("features/camera/properties/alarm"))).isPresent();
    assertThat(view.getValue(JsonPointer.of("features/camera/properties/stream"))).isEmpty();
    assertThat(view.getValue(JsonPointer.of("features/power")))
        .as("revoke beats grant at one level")
        .isEmpty();
  }
}
