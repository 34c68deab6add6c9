package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.ThingModels;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.TwinCommandBatch;
import org.citytwin.twin.TwinProtocol;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The verticle on a real event bus: twin events in, incidents out, actions, rule reloads. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FusionVerticleTest {

  private static final String DEEP_RULE =
      """
      id: deep-water
      kind: correlation
      incident: {type: deep-water, severity: red, lead: water}
      scope: {zone: catchment}
      signals:
        - name: deep
          definition: citytwin:waterlogging-gauge:1.0.0
          value: features/waterlogging/properties/depth
          above: %s
      """;

  @TempDir Path rules;
  private final TestDistrict.MutableClock clock =
      new TestDistrict.MutableClock(TestDistrict.AFTERNOON);
  private final ThingStore twins = new ThingStore(clock);
  private final TwinProtocol protocol = new TwinProtocol();
  private final List<Thing> kept = new CopyOnWriteArrayList<>();
  // How many incidents each of fusion's twin writes carried.
  private final List<Integer> writeSizes = new CopyOnWriteArrayList<>();
  private final List<JsonObject> published = new CopyOnWriteArrayList<>();
  private Vertx vertx;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(rules.resolve("deep.yaml"), DEEP_RULE.formatted("0.5"));
    vertx = Vertx.vertx();
    // The twin service registers its own codec for batches; here none runs.
    vertx
        .eventBus()
        .registerDefaultCodec(
            TwinCommandBatch.class, new SameProcessCodec<>(TwinCommandBatch.class));
    vertx
        .eventBus()
        .<TwinCommandBatch>consumer(
            EventBusAddresses.TWIN_COMMANDS,
            message -> {
              writeSizes.add(message.body().commands().size());
              message.body().commands().forEach(c -> kept.add(((ModifyThing) c).getThing()));
              message.reply(new JsonObject());
            });
    vertx
        .eventBus()
        .<JsonObject>consumer(EventBusAddresses.INCIDENT_EVENTS, m -> published.add(m.body()));
    FusionEngine engine = TestDistrict.engine(clock);
    FusionVerticle.Settings settings =
        new FusionVerticle.Settings(
            new RuleLoader().loadShipped(),
            Optional.of(rules),
            Duration.ofMillis(100),
            Duration.ofMillis(100),
            Duration.ofMillis(50),
            EVIDENCE_EVERY);
    vertx
        .deployVerticle(new FusionVerticle(engine, settings, clock))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    for (String gauge : GAUGES) {
      twins.put(
          ThingsModelFactory.newThingBuilder()
              .setId(ThingId.of("water", gauge))
              .setDefinition(ThingModels.WATERLOGGING_GAUGE)
              .setAttribute(ThingModels.LOCATION, TestDistrict.WEST_CATCHMENT.toGeoJson())
              .build());
    }
  }

  /** How often an incident whose only change is fresher evidence is written again. */
  private static final Duration EVIDENCE_EVERY = Duration.ofSeconds(30);

  /** Two gauges in the west catchment: the flood rule wants two to agree. */
  private static final List<String> GAUGES = List.of("wlg-1", "wlg-2");

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Both gauges report {@code metres}, in one message as the twin service sends a batch. */
  private void depth(double metres) {
    StringBuilder events = new StringBuilder();
    for (String gauge : GAUGES) {
      var change =
          twins.merge(
              ThingId.of("water", gauge),
              JsonPointer.of("features/waterlogging/properties/depth"),
              JsonValue.of(metres));
      events.append(protocol.event(change)).append('\n');
    }
    vertx.eventBus().publish(EventBusAddresses.TWIN_EVENTS, events.toString());
  }

  private JsonObject ask(String address, JsonObject body) throws Exception {
    return vertx
        .eventBus()
        .<JsonObject>request(address, body)
        .toCompletionStage()
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS)
        .body();
  }

  /** Asks fusion to act, expecting a refusal. */
  private ReplyException refusal(JsonObject action) throws Exception {
    Throwable failure =
        vertx
            .eventBus()
            .request(EventBusAddresses.INCIDENT_ACT, action)
            .toCompletionStage()
            .toCompletableFuture()
            .handle(
                (ok, thrown) ->
                    thrown instanceof java.util.concurrent.CompletionException
                        ? thrown.getCause()
                        : thrown)
            .get(5, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(ReplyException.class);
    return (ReplyException) failure;
  }

  /** The incidents fusion lists, newest first, as JSON. */
  private List<JsonObject> listed() throws Exception {
    return ask(EventBusAddresses.INCIDENT_LIST, new JsonObject()).getJsonArray("incidents").stream()
        .map(JsonObject.class::cast)
        .toList();
  }

  private List<String> incidentTypes() throws Exception {
    return listed().stream().map(i -> i.getString("type")).toList();
  }

  @Test
  void publishesKeepsAndActsOnIncidents() throws Exception {
    depth(0.6);
    await()
        .untilAsserted(
            () -> assertThat(incidentTypes()).containsExactlyInAnyOrder("flood", "deep-water"));
    await().untilAsserted(() -> assertThat(kept).hasSize(2));
    assertThat(published).hasSize(2);
    Thing flood =
        kept.stream()
            .filter(
                t -> FusionVerticle.fromThing(t).orElseThrow().template().type().equals("flood"))
            .findFirst()
            .orElseThrow();
    assertThat(flood.getEntityId().orElseThrow().getNamespace()).isEqualTo(Incident.NAMESPACE);
    assertThat(flood.getDefinition().orElseThrow().toString()).isEqualTo(Incident.DEFINITION);
    String id = flood.getEntityId().orElseThrow().toString();

    JsonObject reviewed =
        ask(
            EventBusAddresses.INCIDENT_ACT,
            new JsonObject().put("id", id).put("action", "review").put("actor", "duty-officer"));
    assertThat(reviewed.getString("state")).isEqualTo("reviewed");
    await().untilAsserted(() -> assertThat(kept).hasSize(3));
    assertThat(FusionVerticle.fromThing(kept.get(2)).orElseThrow().state())
        .isEqualTo(IncidentState.REVIEWED);

    ReplyException refused =
        refusal(new JsonObject().put("id", id).put("action", "close").put("actor", "x"));
    assertThat(refused.failureCode()).isEqualTo(409);
    assertThat(new JsonObject(refused.getMessage()).getString("error"))
        .isEqualTo("incidents:transition.illegal");
    assertThat(
            refusal(new JsonObject().put("id", id).put("action", "explode").put("actor", "x"))
                .failureCode())
        .isEqualTo(400);
  }

  /** The incident of the {@code index}-th twin write, counting from 0. */
  private Incident keptIncident(int index) {
    return FusionVerticle.fromThing(kept.get(index)).orElseThrow();
  }

  private static JsonValue newestEvidence(Incident incident) {
    return incident.evidence().get(0).value();
  }

  /**
   * Both gauges go deep, which opens a flood and a deep-water incident, then deeper, which only
   * adds fresher evidence to both.
   */
  private void openBothThenConfirmWithFresherEvidence() throws Exception {
    depth(0.6);
    await().untilAsserted(() -> assertThat(kept).hasSize(2));
    depth(0.61);
    // Fusion has the new evidence: the engine's incidents are current.
    await()
        .untilAsserted(
            () ->
                assertThat(
                        listed().stream()
                            .map(Incident::fromJson)
                            .map(FusionVerticleTest::newestEvidence))
                    .containsOnly(JsonValue.of(0.61)));
  }

  @Test
  void freshEvidenceAloneIsWrittenAgainOnlyAfterItsInterval() throws Exception {
    openBothThenConfirmWithFresherEvidence();
    String deepWater =
        kept.stream()
            .map(t -> FusionVerticle.fromThing(t).orElseThrow())
            .filter(i -> i.template().type().equals("deep-water"))
            .findFirst()
            .orElseThrow()
            .id();
    ask(
        EventBusAddresses.INCIDENT_ACT,
        new JsonObject().put("id", deepWater).put("action", "review").put("actor", "duty-officer"));
    await()
        .untilAsserted(
            () ->
                assertThat(kept)
                    .anySatisfy(
                        t ->
                            assertThat(FusionVerticle.fromThing(t).orElseThrow().state())
                                .isEqualTo(IncidentState.REVIEWED)));

    // Only the reviewed incident was written again, carrying the new evidence with it.
    assertThat(kept).hasSize(3);
    await().untilAsserted(() -> assertThat(published).hasSize(3));
    assertThat(keptIncident(2).id()).isEqualTo(deepWater);
    assertThat(newestEvidence(keptIncident(2))).isEqualTo(JsonValue.of(0.61));

    clock.advance(EVIDENCE_EVERY.plusSeconds(1));
    await().untilAsserted(() -> assertThat(kept).hasSize(4));
    assertThat(keptIncident(3).template().type()).isEqualTo("flood");
    assertThat(newestEvidence(keptIncident(3))).isEqualTo(JsonValue.of(0.61));
    await().untilAsserted(() -> assertThat(published).hasSize(4));
    assertThat(published.get(3).getString("id")).isEqualTo(keptIncident(3).id());
  }

  @Test
  void evidenceRefreshesDueTogetherGoOutInTurnNotInOneBurst() throws Exception {
    openBothThenConfirmWithFresherEvidence();
    // New incidents go out at once, together.
    assertThat(writeSizes).containsExactly(2);

    // Both fresher evidence only, both due at the same flush: two open incidents' share of a
    // 50 ms flush in 30 s rounds up to one refresh a flush, so they go out one after the other.
    clock.advance(EVIDENCE_EVERY.plusSeconds(1));
    await().untilAsserted(() -> assertThat(kept).hasSize(4));
    assertThat(writeSizes).containsExactly(2, 1, 1);
    assertThat(kept.subList(2, 4))
        .extracting(t -> FusionVerticle.fromThing(t).orElseThrow().template().type())
        .containsExactlyInAnyOrder("flood", "deep-water");
    assertThat(kept.subList(2, 4))
        .extracting(t -> newestEvidence(FusionVerticle.fromThing(t).orElseThrow()))
        .containsOnly(JsonValue.of(0.61));
  }

  @Test
  void aTruckFirstSeenHasItsEarlierPathReadFromHistory() throws Exception {
    List<JsonObject> asked = new CopyOnWriteArrayList<>();
    Instant now = clock.instant();
    vertx
        .eventBus()
        .<JsonObject>consumer(
            EventBusAddresses.HISTORY_TRAJECTORY,
            request -> {
              asked.add(request.body());
              request.reply(
                  new JsonObject()
                      .put(
                          "fixes",
                          new io.vertx.core.json.JsonArray()
                              .add(fix(now.minusSeconds(900), TestDistrict.SITE_A))
                              .add(fix(now.minusSeconds(300), new WgsPoint(120.125, 30.2905)))));
            });
    ThingId tracker = ThingId.of("fleet", "tracker-1");
    twins.put(
        ThingsModelFactory.newThingBuilder()
            .setId(tracker)
            .setDefinition(ThingsModelFactory.newDefinition("citytwin:gps-tracker:1.0.0"))
            .setAttribute(JsonPointer.of("vehicleKind"), JsonValue.of("muck-truck"))
            .setAttribute(ThingModels.OBSERVES, JsonValue.of("fleet:truck-1"))
            .build());
    position(tracker, new WgsPoint(120.125, 30.30));
    await().untilAsserted(() -> assertThat(asked).hasSize(1));
    assertThat(asked.get(0).getString("thingId")).isEqualTo("fleet:tracker-1");
    assertThat(asked.get(0).getString("feature")).isEqualTo("position");
    assertThat(asked.get(0).getString("from")).isEqualTo(now.minus(Duration.ofHours(3)).toString());
    assertThat(incidentTypes()).isEmpty(); // approved, and with no path no site's hours apply
    clock.advance(Duration.ofMinutes(1));
    position(tracker, new WgsPoint(120.125, 30.31));
    await().untilAsserted(() -> assertThat(incidentTypes()).containsExactly("muck-truck"));
    JsonObject incident = listed().get(0);
    assertThat(incident.getJsonObject("subjects").getString("site")).isEqualTo("site-a");
  }

  private static JsonObject fix(Instant at, WgsPoint where) {
    return new JsonObject()
        .put("at", at.toString())
        .put("longitude", where.longitude())
        .put("latitude", where.latitude());
  }

  private void position(ThingId tracker, WgsPoint where) {
    var change =
        twins.merge(
            tracker,
            JsonPointer.of("features/position/properties"),
            org.eclipse.ditto.json.JsonFactory.newObjectBuilder()
                .set("longitude", where.longitude())
                .set("latitude", where.latitude())
                .build());
    vertx.eventBus().publish(EventBusAddresses.TWIN_EVENTS, protocol.event(change).toString());
  }

  @Test
  void escalatesLateIncidentsOnItsOwn() throws Exception {
    depth(0.2);
    await().untilAsserted(() -> assertThat(incidentTypes()).containsExactly("flood"));
    clock.advance(Duration.ofMinutes(11));
    await().untilAsserted(() -> assertThat(listed().get(0).getString("level")).isEqualTo("street"));
  }

  @Test
  void aBadRuleFileIsRefusedWithFileAndLineAndTheOldRulesKeepRunning() throws Exception {
    await()
        .untilAsserted(
            () ->
                assertThat(
                        ask(EventBusAddresses.RULE_LIST, new JsonObject())
                            .getJsonObject("reload")
                            .getString("status"))
                    .isEqualTo("loaded"));
    Path file = rules.resolve("deep.yaml");
    Files.writeString(file, DEEP_RULE.formatted("very deep"));
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    await()
        .untilAsserted(
            () -> {
              JsonObject reload =
                  ask(EventBusAddresses.RULE_LIST, new JsonObject()).getJsonObject("reload");
              assertThat(reload.getString("status")).isEqualTo("refused");
              assertThat(reload.getString("error"))
                  .isEqualTo(file + ":9: signals[0].above must be a number, not 'very deep'");
            });
    depth(0.6); // the old deep-water rule (over 0.5) still runs
    await()
        .untilAsserted(
            () -> assertThat(incidentTypes()).containsExactlyInAnyOrder("flood", "deep-water"));

    Files.writeString(file, DEEP_RULE.formatted("0.7").replace("deep-water\n", "very-deep\n"));
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
    await()
        .untilAsserted(
            () ->
                assertThat(
                        ask(EventBusAddresses.RULE_LIST, new JsonObject())
                            .getJsonArray("rules")
                            .stream()
                            .map(rule -> ((JsonObject) rule).getString("id")))
                    .contains("very-deep")
                    .doesNotContain("deep-water"));
  }
}
