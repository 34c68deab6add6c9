package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.citytwin.twin.search.RqlFilter;
import org.citytwin.twin.search.SearchOptions;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.policies.model.PoliciesModelFactory;
import org.eclipse.ditto.policies.model.Policy;
import org.eclipse.ditto.policies.model.PolicyId;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a department reads of others' twins through access grants: the things a grant's filter
 * selects, only their lent parts, only while the grant is in force; in views, in filters and in
 * searches.
 */
class ReadScopeTest {

  private static final Instant NOW = Instant.parse("2026-07-14T08:00:00Z");
  private static final String CAMERA = "citytwin:ai-camera:1.0.0";

  private final ThingStore store = new ThingStore(Clock.fixed(NOW, ZoneOffset.UTC));
  private final ThingSearch search = new ThingSearch(store);

  private static Thing thing(String id, String definition, String attributes, String features) {
    return ThingsModelFactory.newThing(
        "{\"thingId\":\""
            + id
            + "\",\"definition\":\""
            + definition
            + "\",\"attributes\":"
            + attributes
            + ",\"features\":"
            + features
            + "}");
  }

  @BeforeEach
  void district() {
    store.put(
        thing(
            "urban:cam-1",
            CAMERA,
            "{\"name\":\"Canal camera\",\"operator\":\"Hikvision\"}",
            "{\"camera\":{\"properties\":{\"alarm\":true,\"rank\":3}},\"stream\":{\"properties\":{\"url\":\"rtsp://secret\"}}}"));
    store.put(
        thing(
            "urban:cam-2",
            CAMERA,
            "{\"name\":\"Market camera\",\"operator\":\"Dahua\"}",
            "{\"camera\":{\"properties\":{\"alarm\":false,\"rank\":1}},\"stream\":{\"properties\":{\"url\":\"rtsp://other\"}}}"));
    store.put(
        thing(
            "urban:lamp-1",
            "citytwin:lamp-controller:1.0.0",
            "{\"name\":\"Lamp\"}",
            "{\"lamp\":{\"properties\":{\"on\":true}}}"));
    store.put(
        thing(
            "traffic:bridge-1",
            "citytwin:bridge:1.0.0",
            "{\"name\":\"Bridge\"}",
            "{\"load\":{\"properties\":{\"strain\":120}}}"));
  }

  private static AccessGrant camerasFor(String requester, Instant until) {
    return AccessGrant.request(
            "g-cameras",
            requester,
            "urban",
            Optional.of("eq(definition,\"" + CAMERA + "\")"),
            List.of(JsonPointer.of("/attributes/name"), JsonPointer.of("/features/camera")),
            List.of(PolicyEvaluator.READ),
            "muck trucks at night",
            Duration.ofDays(7),
            "li",
            NOW.minusSeconds(60))
        .approve("chen", NOW.minusSeconds(30), until, "for the campaign");
  }

  private static List<String> ids(SearchPage page) {
    return page.items().stream().map(t -> t.getEntityId().orElseThrow().toString()).toList();
  }

  private ThingQuery all(String filter, ReadScope scope) {
    return ThingQuery.parse(filter, null, "sort(+thingId)", Optional.empty()).within(scope);
  }

  @Test
  void aGrantInForceLendsTheSelectedThingsLentPartsOnly() {
    ReadScope traffic =
        ReadScope.of("traffic", List.of(camerasFor("traffic", NOW.plus(Duration.ofDays(1)))), NOW);
    Thing camera = store.retrieve(ThingId.of("urban:cam-1")).orElseThrow();
    JsonObject view =
        traffic
            .view(
                camera.getEntityId().orElseThrow(),
                ThingStore.fields(Twin.of(camera)),
                camera.toJson())
            .orElseThrow();
    assertThat(view)
        .isEqualTo(
            JsonFactory.newObject(
                "{\"thingId\":\"urban:cam-1\",\"attributes\":{\"name\":\"Canal camera\"},"
                    + "\"features\":{\"camera\":{\"properties\":{\"alarm\":true,\"rank\":3}}}}"));
    Thing lamp = store.retrieve(ThingId.of("urban:lamp-1")).orElseThrow();
    assertThat(
            traffic.view(
                ThingId.of("urban:lamp-1"), ThingStore.fields(Twin.of(lamp)), lamp.toJson()))
        .as("not selected by the grant's filter")
        .isEmpty();
    assertThat(
            traffic.mayRead(
                ThingId.of("urban:cam-1"),
                ThingStore.fields(Twin.of(camera)),
                JsonPointer.of("/features/camera/properties/alarm")))
        .isTrue();
    assertThat(
            traffic.mayRead(
                ThingId.of("urban:cam-1"),
                ThingStore.fields(Twin.of(camera)),
                JsonPointer.of("/features/stream/properties/url")))
        .isFalse();
    // Its own namespace stays whole.
    Thing bridge = store.retrieve(ThingId.of("traffic:bridge-1")).orElseThrow();
    assertThat(
            traffic.view(
                ThingId.of("traffic:bridge-1"),
                ThingStore.fields(Twin.of(bridge)),
                bridge.toJson()))
        .contains(bridge.toJson());
  }

  @Test
  void searchesFindOwnAndLentThingsAndFilterOnlyOnLentParts() {
    ReadScope traffic =
        ReadScope.of("traffic", List.of(camerasFor("traffic", NOW.plus(Duration.ofDays(1)))), NOW);
    assertThat(ids(search.search(all(null, traffic))))
        .containsExactly("traffic:bridge-1", "urban:cam-1", "urban:cam-2");
    assertThat(search.count(all(null, traffic))).isEqualTo(3);
    assertThat(ids(search.search(all("eq(features/camera/properties/alarm,true)", traffic))))
        .containsExactly("urban:cam-1");
    // The stream URL is not lent: a filter on it matches nothing rather than telling its value.
    assertThat(ids(search.search(all("like(features/stream/properties/url,\"rtsp*\")", traffic))))
        .isEmpty();
    assertThat(ids(search.search(all("exists(attributes/operator)", traffic)))).isEmpty();
    assertThat(
            ids(
                search.search(
                    all(
                        "like(features/stream/properties/url,\"rtsp*\")",
                        ReadScope.wholeDistrict()))))
        .containsExactly("urban:cam-1", "urban:cam-2");
    // Sorting by a lent value works; paging keeps the scope.
    ThingQuery sorted =
        ThingQuery.parse(
                null, "urban", "sort(-features/camera/properties/rank),size(1)", Optional.empty())
            .within(traffic);
    SearchPage first = search.search(sorted);
    assertThat(ids(first)).containsExactly("urban:cam-1");
    assertThat(ids(search.search(sorted.from(first.cursor())))).containsExactly("urban:cam-2");
  }

  @Test
  void nothingIsLentToOthersBeforeApprovalAfterRevocationOrAfterExpiry() {
    AccessGrant granted = camerasFor("traffic", NOW.plus(Duration.ofHours(1)));
    AccessGrant requested =
        AccessGrant.request(
            "g-asked",
            "traffic",
            "urban",
            Optional.empty(),
            List.of(JsonPointer.empty()),
            List.of(PolicyEvaluator.READ),
            "why",
            Duration.ofDays(1),
            "li",
            NOW);
    AccessGrant revoked = granted.revoke("chen", "urban", NOW, "campaign over");
    for (ReadScope scope :
        List.of(
            ReadScope.of("traffic", List.of(requested, revoked), NOW),
            ReadScope.of("traffic", List.of(granted), NOW.plus(Duration.ofHours(1))),
            ReadScope.of("construction", List.of(granted), NOW))) {
      assertThat(ids(search.search(all(null, scope))))
          .as(scope.department().orElseThrow())
          .allMatch(id -> id.startsWith(scope.department().orElseThrow() + ":"));
      assertThat(scope.namespaces()).containsExactly(scope.department().orElseThrow());
    }
    assertThat(granted.stateAt(NOW.plus(Duration.ofHours(1)))).isEqualTo(AccessGrant.State.EXPIRED);
    assertThat(revoked.stateAt(NOW)).isEqualTo(AccessGrant.State.REVOKED);
  }

  @Test
  void theNamespacePolicyHoldsOneEntryPerGrantInForceWithItsExpiry() {
    Instant until = NOW.plus(Duration.ofDays(1));
    AccessGrant granted = camerasFor("traffic", until);
    var policy = DepartmentPolicies.withGrants("urban", List.of(granted), NOW);
    JsonObject json = policy.toJson();
    assertThat(json.getValue("entries/grant-g-cameras/subjects/department:traffic/expiry"))
        .map(v -> v.asString())
        .contains(until.toString());
    PolicyEvaluator evaluator = new PolicyEvaluator(Clock.fixed(NOW, ZoneOffset.UTC));
    java.util.Set<String> traffic = java.util.Set.of(DepartmentPolicies.subject("traffic"));
    assertThat(
            evaluator.hasPermission(
                policy,
                traffic,
                "thing",
                JsonPointer.of("/features/camera/properties/alarm"),
                PolicyEvaluator.READ))
        .isTrue();
    assertThat(
            evaluator.hasPermission(
                policy, traffic, "thing", JsonPointer.of("/attributes/name"), PolicyEvaluator.READ))
        .isTrue();
    assertThat(
            evaluator.hasPermission(
                policy, traffic, "thing", JsonPointer.of("/features/stream"), PolicyEvaluator.READ))
        .isFalse();
    assertThat(
            evaluator.hasPermission(
                policy,
                traffic,
                "thing",
                JsonPointer.of("/features/camera"),
                PolicyEvaluator.WRITE))
        .isFalse();
    assertThat(DepartmentPolicies.withGrants("urban", List.of(granted), until).getEntriesSet())
        .as("expired: no entry")
        .hasSize(2);
  }

  @Test
  void aGrantGoesThroughItsLifeCycleOnlyForward() {
    AccessGrant asked =
        AccessGrant.request(
            "g-1",
            "traffic",
            "urban",
            Optional.empty(),
            List.of(JsonPointer.empty()),
            List.of(PolicyEvaluator.READ),
            "why",
            Duration.ofDays(2),
            "li",
            NOW);
    AccessGrant rejected = asked.reject("chen", NOW, "no");
    assertThatThrownBy(() -> rejected.approve("chen", NOW, NOW.plusSeconds(60), ""))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rejected");
    assertThatThrownBy(() -> asked.approve("chen", NOW, NOW.minusSeconds(1), ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> asked.approve("chen", NOW, NOW.plus(Duration.ofDays(400)), ""))
        .isInstanceOf(IllegalArgumentException.class);
    AccessGrant expired = asked.approve("chen", NOW, NOW.plusSeconds(60), "");
    assertThatThrownBy(() -> expired.revoke("li", "traffic", NOW.plusSeconds(61), ""))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expired");
    assertThatThrownBy(
            () ->
                AccessGrant.request(
                    "g-2",
                    "urban",
                    "urban",
                    Optional.empty(),
                    List.of(JsonPointer.empty()),
                    List.of(PolicyEvaluator.READ),
                    "why",
                    Duration.ofDays(2),
                    "li",
                    NOW))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                AccessGrant.request(
                    "g-3",
                    "traffic",
                    "access",
                    Optional.empty(),
                    List.of(JsonPointer.empty()),
                    List.of(PolicyEvaluator.READ),
                    "why",
                    Duration.ofDays(2),
                    "li",
                    NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aGrantSurvivesItsTwin() {
    AccessGrant granted = camerasFor("traffic", NOW.plus(Duration.ofDays(1)));
    Thing kept = granted.toThing();
    assertThat(kept.getEntityId()).contains(ThingId.of("access:g-cameras"));
    assertThat(AccessGrant.fromThing(ThingsModelFactory.newThing(kept.toJson().toString())))
        .isEqualTo(granted);
    assertThat(RqlFilter.parse(granted.filter().orElseThrow()).toString()).contains(CAMERA);
    assertThat(
            new ThingQuery(
                    Optional.empty(),
                    java.util.Set.of(),
                    SearchOptions.parse(null),
                    Optional.empty())
                .scope()
                .isWholeDistrict())
        .isTrue();
  }

  private static AccessGrant cameraControlFor(String requester, List<String> permissions) {
    return AccessGrant.request(
            "g-camera-control",
            requester,
            "urban",
            Optional.of("eq(definition,\"" + CAMERA + "\")"),
            List.of(JsonPointer.of("/features/camera")),
            permissions,
            "turn the canal cameras to the flooded underpass",
            Duration.ofDays(1),
            "li",
            NOW.minusSeconds(60))
        .approve("chen", NOW.minusSeconds(30), NOW.plus(Duration.ofHours(1)), "for the storm");
  }

  @Test
  void aGrantForWritingLendsWritingOfItsPathsOnlyAndOnlyWhileInForce() {
    AccessGrant writing = cameraControlFor("emergency", List.of("READ", "WRITE"));
    ReadScope emergency = ReadScope.of("emergency", List.of(writing), NOW);
    ThingId camera = ThingId.of("urban:cam-1");
    var values = ThingStore.fields(store.twin(camera).orElseThrow());
    assertThat(
            emergency.mayWrite(camera, values, JsonPointer.of("/features/camera/properties/rank")))
        .isTrue();
    assertThat(emergency.mayWrite(camera, values, JsonPointer.of("/features/camera"))).isTrue();
    assertThat(emergency.mayWrite(camera, values, JsonPointer.of("/features"))).isFalse();
    assertThat(emergency.mayWrite(camera, values, JsonPointer.of("/features/stream"))).isFalse();
    assertThat(emergency.mayWrite(camera, values, JsonPointer.empty()))
        .as("the whole thing: its replacement or deletion")
        .isFalse();
    ThingId lamp = ThingId.of("urban:lamp-1");
    assertThat(
            emergency.mayWrite(
                lamp,
                ThingStore.fields(store.twin(lamp).orElseThrow()),
                JsonPointer.of("/features/camera")))
        .as("not selected by the grant's filter")
        .isFalse();
    assertThat(emergency.mayWrite(ThingId.of("emergency:own"), values, JsonPointer.empty()))
        .as("its own namespace")
        .isTrue();
    assertThat(
            ReadScope.of("emergency", List.of(writing), NOW.plus(Duration.ofHours(2)))
                .mayWrite(camera, values, JsonPointer.of("/features/camera")))
        .as("expired")
        .isFalse();
    AccessGrant reading = cameraControlFor("emergency", List.of("READ"));
    ReadScope readOnly = ReadScope.of("emergency", List.of(reading), NOW);
    assertThat(readOnly.mayRead(camera, values, JsonPointer.of("/features/camera"))).isTrue();
    assertThat(readOnly.mayWrite(camera, values, JsonPointer.of("/features/camera"))).isFalse();
  }

  @Test
  void aGrantForWritingLendsReadingToo() {
    assertThat(cameraControlFor("emergency", List.of("WRITE", "READ")).permissions())
        .containsExactly("READ", "WRITE");
    assertThat(cameraControlFor("emergency", List.of("READ", "WRITE")).lendsWriting()).isTrue();
    assertThat(cameraControlFor("emergency", List.of("READ")).lendsWriting()).isFalse();
    assertThatThrownBy(() -> cameraControlFor("emergency", List.of("WRITE")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lends reading too");
    assertThatThrownBy(() -> cameraControlFor("emergency", List.of("READ", "EXECUTE")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'EXECUTE'");
  }

  @Test
  void aGrantKeepsItsPermissionsAsATwinAndOldGrantsLendReading() {
    AccessGrant writing = cameraControlFor("emergency", List.of("READ", "WRITE"));
    assertThat(AccessGrant.fromThing(writing.toThing())).isEqualTo(writing);
    Thing kept = writing.toThing();
    Thing keptBefore =
        kept.toBuilder()
            .setAttributes(kept.getAttributes().orElseThrow().remove(JsonPointer.of("permissions")))
            .build();
    assertThat(AccessGrant.fromThing(keptBefore).permissions()).containsExactly("READ");
    assertThat(
            DepartmentPolicies.withGrants("urban", List.of(writing), NOW)
                .getEntryFor("grant-g-camera-control")
                .orElseThrow()
                .getResources()
                .getResource(
                    org.eclipse.ditto.policies.model.PoliciesResourceType.thingResource(
                        "/features/camera"))
                .orElseThrow()
                .getEffectedPermissions()
                .getGrantedPermissions())
        .containsExactlyInAnyOrder("READ", "WRITE");
  }

  /**
   * Urban's policy of its own: traffic reads its cameras whole but for the stream, and writes a
   * note on them; the owner keeps everything.
   */
  private static Policy sharedCameras() {
    return PoliciesModelFactory.newPolicy(
        "{\"policyId\":\"urban:shared-cameras\",\"entries\":{"
            + "\"owner\":{\"subjects\":{\"department:urban\":{\"type\":\"department\"}},"
            + "\"resources\":{\"thing:/\":{\"grant\":[\"READ\",\"WRITE\"],\"revoke\":[]},"
            + "\"policy:/\":{\"grant\":[\"READ\",\"WRITE\"],\"revoke\":[]}}},"
            + "\"traffic\":{\"subjects\":{\"department:traffic\":{\"type\":\"department\"}},"
            + "\"resources\":{\"thing:/\":{\"grant\":[\"READ\"],\"revoke\":[]},"
            + "\"thing:/features/stream\":{\"grant\":[],\"revoke\":[\"READ\"]},"
            + "\"thing:/attributes/note\":{\"grant\":[\"WRITE\"],\"revoke\":[]}}}}}");
  }

  private void follow(String thingId, String policyId) {
    Thing thing = store.retrieve(ThingId.of(thingId)).orElseThrow();
    store.put(thing.setPolicyId(org.eclipse.ditto.policies.model.PolicyId.of(policyId)));
  }

  @Test
  void aThingFollowingAPolicyOfItsOwnersIsReadAndWrittenAsThePolicySays() {
    follow("urban:cam-2", "urban:shared-cameras");
    ReadScope traffic = ReadScope.of("traffic", List.of(), List.of(sharedCameras()), NOW);
    ThingId cam2 = ThingId.of("urban:cam-2");
    Thing camera = store.retrieve(cam2).orElseThrow();
    var values = ThingStore.fields(store.twin(cam2).orElseThrow());

    JsonObject view = traffic.view(cam2, values, camera.toJson()).orElseThrow();
    assertThat(view.getValue("features/camera/properties/rank")).contains(JsonValue.of(1));
    assertThat(view.getValue("attributes/operator")).contains(JsonValue.of("Dahua"));
    assertThat(view.getValue("policyId")).contains(JsonValue.of("urban:shared-cameras"));
    assertThat(view.contains(JsonPointer.of("/features/stream"))).as("revoked").isFalse();
    assertThat(traffic.mayWrite(cam2, values, JsonPointer.of("/attributes/note"))).isTrue();
    assertThat(traffic.mayWrite(cam2, values, JsonPointer.of("/attributes/name"))).isFalse();
    assertThat(traffic.mayRead(cam2, values, JsonPointer.of("/features/stream/properties/url")))
        .isFalse();

    // In searches: found, filtered only on what it may read; the other camera stays urban's.
    assertThat(ids(search.search(all(null, traffic))))
        .containsExactly("traffic:bridge-1", "urban:cam-2");
    assertThat(ids(search.search(all("eq(attributes/operator,\"Dahua\")", traffic))))
        .containsExactly("urban:cam-2");
    assertThat(ids(search.search(all("like(features/stream/properties/url,\"rtsp*\")", traffic))))
        .isEmpty();
    assertThat(traffic.readsAnythingIn("urban")).isTrue();

    // A department the policy does not name sees nothing; the owner still sees everything.
    ReadScope construction = ReadScope.of("construction", List.of(), List.of(sharedCameras()), NOW);
    assertThat(construction.view(cam2, values, camera.toJson())).isEmpty();
    assertThat(construction.readsAnythingIn("urban")).isFalse();
    assertThat(ids(search.search(all(null, construction)))).isEmpty();
    ReadScope urban = ReadScope.of("urban", List.of(), List.of(sharedCameras()), NOW);
    assertThat(urban.view(cam2, values, camera.toJson())).contains(camera.toJson());
  }

  @Test
  void judgingAThingOnceAnswersAsEachQuestionAskedAlone() {
    follow("urban:cam-2", "urban:shared-cameras");
    AccessGrant writing = cameraControlFor("traffic", List.of("READ", "WRITE"));
    ReadScope traffic = ReadScope.of("traffic", List.of(writing), List.of(sharedCameras()), NOW);
    List<JsonPointer> paths =
        List.of(
            JsonPointer.empty(),
            JsonPointer.of("/attributes/note"),
            JsonPointer.of("/attributes/name"),
            JsonPointer.of("/features/camera/properties/rank"),
            JsonPointer.of("/features/stream"));
    // cam-1 lent by the grant, cam-2 by urban's policy, the lamp by neither, the bridge traffic's.
    for (String id : List.of("urban:cam-1", "urban:cam-2", "urban:lamp-1", "traffic:bridge-1")) {
      ThingId thingId = ThingId.of(id);
      var values = ThingStore.fields(store.twin(thingId).orElseThrow());
      JsonObject whole = store.retrieve(thingId).orElseThrow().toJson();
      JsonObject part =
          JsonObject.newBuilder().set("features", whole.getValue("features").get()).build();

      ReadScope.Judged judged = traffic.judge(thingId, values);

      assertThat(judged.grantsCovering()).as(id).isEqualTo(traffic.grantsCovering(thingId, values));
      assertThat(judged.view(whole)).as(id).isEqualTo(traffic.view(thingId, values, whole));
      assertThat(judged.view(part)).as(id).isEqualTo(traffic.view(thingId, values, part));
      for (JsonPointer path : paths) {
        assertThat(judged.mayWrite(path))
            .as("%s %s", id, path)
            .isEqualTo(traffic.mayWrite(thingId, values, path));
      }
    }
    ThingId cam1 = ThingId.of("urban:cam-1");
    ReadScope.Judged lent = traffic.judge(cam1, ThingStore.fields(store.twin(cam1).orElseThrow()));
    assertThat(lent.grantsCovering()).containsExactly(writing);
    assertThat(lent.mayWrite(JsonPointer.of("/features/camera"))).isTrue();
    assertThat(lent.view(store.retrieve(cam1).orElseThrow().toJson())).isPresent();
  }

  @Test
  void aPolicyOfAnotherNamespaceGivesNothing() {
    // traffic's bridge names urban's policy: a thing follows policies of its own namespace only.
    follow("traffic:bridge-1", "urban:shared-cameras");
    ReadScope construction =
        ReadScope.of(
            "construction",
            List.of(),
            List.of(
                sharedCameras().toBuilder()
                    .setSubjectFor(
                        "traffic",
                        org.eclipse.ditto.policies.model.Subject.newInstance(
                            "department:construction",
                            org.eclipse.ditto.policies.model.SubjectType.newInstance("department")))
                    .build()),
            NOW);
    ThingId bridge = ThingId.of("traffic:bridge-1");
    Thing thing = store.retrieve(bridge).orElseThrow();
    assertThat(
            construction.view(
                bridge, ThingStore.fields(store.twin(bridge).orElseThrow()), thing.toJson()))
        .isEmpty();
    assertThat(ids(search.search(all(null, construction)))).isEmpty();
  }

  @Test
  void aDepartmentKeepsOnlyPoliciesThatLeaveItsNamespaceWhole() {
    PolicyId shared = PolicyId.of("urban:shared-cameras");
    assertThat(DepartmentPolicies.whyNotKeepable(sharedCameras(), shared)).isEmpty();
    Policy withoutOwner = sharedCameras().removeEntry("owner");
    assertThat(DepartmentPolicies.whyNotKeepable(withoutOwner, shared))
        .hasValueSatisfying(why -> assertThat(why).contains("department:urban"));
    Policy ownerRevoked =
        sharedCameras().toBuilder()
            .forLabel("owner")
            .setRevokedPermissions(
                org.eclipse.ditto.policies.model.PoliciesResourceType.thingResource(
                    "/features/stream"),
                "READ")
            .build();
    assertThat(DepartmentPolicies.whyNotKeepable(ownerRevoked, shared))
        .hasValueSatisfying(why -> assertThat(why).contains("revokes"));
    assertThat(DepartmentPolicies.whyNotKeepable(sharedCameras(), PolicyId.of("urban:owner")))
        .hasValueSatisfying(why -> assertThat(why).contains("namespace's own policy"));
    assertThat(DepartmentPolicies.whyNotKeepable(sharedCameras(), PolicyId.of("access:policy-x")))
        .isPresent();
  }

  @Test
  void aKeptPolicySurvivesItsTwin() {
    Thing kept = DepartmentPolicies.toThing(sharedCameras());
    assertThat(kept.getEntityId()).contains(ThingId.of("access:policy:urban:shared-cameras"));
    assertThat(DepartmentPolicies.isKeptPolicy(kept.getEntityId().orElseThrow())).isTrue();
    assertThat(DepartmentPolicies.fromThing(ThingsModelFactory.newThing(kept.toJson())))
        .isEqualTo(sharedCameras());
    assertThatThrownBy(
            () ->
                DepartmentPolicies.fromThing(
                    store.retrieve(ThingId.of("urban:cam-1")).orElseThrow()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
