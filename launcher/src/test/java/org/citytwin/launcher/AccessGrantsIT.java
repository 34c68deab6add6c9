package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.citytwin.api.ApiTokens;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Shared on demand, used by authorisation", end to end on a running server: traffic asks water for
 * its waterlogging gauges' depths, water approves with an expiry, and traffic then reads the lent
 * parts (and nothing else) on REST, search, history, the SSE stream and the WebSocket, until water
 * revokes the grant or it expires; construction, which was granted nothing, sees nothing at any
 * point; every step is audited and every use counted.
 */
@Timeout(180)
class AccessGrantsIT {

  private static final String SECRET = "a-test-secret-that-is-at-least-32-bytes-long";
  private static final String GAUGES = "eq(definition,\"citytwin:waterlogging-gauge:1.0.0\")";

  @TempDir Path directory;
  private RunningDistrict city;
  private String water;
  private String traffic;
  private String construction;
  private String district;
  private WebSocket socket;
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void startCity() throws Exception {
    city = new RunningDistrict(directory, 2, 2, devices -> {}, Map.of("api.auth.secret", SECRET));
    ApiTokens tokens = new ApiTokens(city.server.vertx(), SECRET);
    water = tokens.issue("chen", Optional.of("water"), Duration.ofHours(1));
    traffic = tokens.issue("li", Optional.of("traffic"), Duration.ofHours(1));
    construction = tokens.issue("zhao", Optional.of("construction"), Duration.ofHours(1));
    district = tokens.issue("duty-officer", Optional.empty(), Duration.ofHours(1));
  }

  @AfterEach
  void stopCity() {
    if (socket != null) {
      socket.abort();
    }
    city.close();
  }

  private RunningDistrict.Answer get(String path, String token) {
    return city.request(HttpMethod.GET, path, null, "Authorization", "Bearer " + token);
  }

  private RunningDistrict.Answer post(String path, String token, JsonObject body) {
    return city.request(
        HttpMethod.POST,
        path,
        body.encode(),
        "Content-Type",
        "application/json",
        "Authorization",
        "Bearer " + token);
  }

  /** Traffic asks for the gauges' attributes and depth feature; answers the request's id. */
  private String askForGauges() {
    RunningDistrict.Answer asked =
        post(
            "/api/access-requests",
            traffic,
            new JsonObject()
                .put("owner", "water")
                .put("filter", GAUGES)
                .put("paths", new JsonArray().add("/attributes").add("/features/waterlogging"))
                .put("validFor", "P7D")
                .put("reason", "close flooded underpasses to traffic"));
    assertThat(asked.status()).as(asked.body()).isEqualTo(201);
    assertThat(asked.json().getString("state")).isEqualTo("requested");
    return asked.json().getString("id");
  }

  private RunningDistrict.Answer act(String id, String token, JsonObject action) {
    return post("/api/access-requests/" + id + "/actions", token, action);
  }

  /** Whether {@code token}'s caller reads the gauge on REST, in a search and in its history. */
  private void assertReads(String token, SimDevice gauge, boolean reads) {
    String thing = "/api/2/things/" + gauge.thingId();
    assertThat(get(thing, token).status()).isEqualTo(reads ? 200 : 404);
    assertThat(get("/api/2/search/things/count?namespaces=water", token).body())
        .isEqualTo(reads ? "8" : "0");
    assertThat(
            get(
                    "/api/history/things/"
                        + gauge.thingId()
                        + "/features/waterlogging/properties/depth",
                    token)
                .status())
        .isEqualTo(reads ? 200 : 404);
  }

  @Test
  void aDepartmentReadsWhatWasLentItUntilItIsRevokedAndNoOneElseDoes() throws Exception {
    SimDevice gauge = city.gauge(0);
    city.reportDepth(gauge, 12);
    String id = askForGauges();

    // Asked, not yet granted: nothing lent; the request is seen by both sides and no one else.
    assertReads(traffic, gauge, false);
    assertThat(get("/api/access-requests/" + id, construction).status()).isEqualTo(404);
    assertThat(new JsonArray(get("/api/access-requests?owner=water", water).body())).hasSize(1);
    RunningDistrict.Answer selfApproved =
        act(id, traffic, new JsonObject().put("action", "approve"));
    assertThat(selfApproved.status()).isEqualTo(403);
    assertThat(selfApproved.json().getString("error")).isEqualTo("access:action.denied");

    RunningDistrict.Answer approved =
        act(id, water, new JsonObject().put("action", "approve").put("note", "for the storm"));
    assertThat(approved.status()).as(approved.body()).isEqualTo(200);
    assertThat(approved.json().getString("state")).isEqualTo("granted");
    assertThat(Instant.parse(approved.json().getString("expiry")))
        .isAfter(Instant.now().plus(Duration.ofDays(6)));
    RunningDistrict.Answer twice = act(id, water, new JsonObject().put("action", "approve"));
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.json().getString("error")).isEqualTo("access:transition.illegal");

    // Granted: traffic reads the lent parts of the gauges, nothing else of water's.
    assertReads(traffic, gauge, true);
    assertReads(construction, gauge, false);
    JsonObject lent = get("/api/2/things/" + gauge.thingId(), traffic).json();
    assertThat(lent.fieldNames()).containsExactlyInAnyOrder("thingId", "attributes", "features");
    assertThat(lent.getJsonObject("features").fieldNames()).containsExactly("waterlogging");
    assertThat(RunningDistrict.waterloggingDepth(lent)).isEqualTo(0.12);
    assertThat(get("/api/2/things/" + gauge.thingId() + "/definition", traffic).status())
        .isEqualTo(404);
    String notAGauge =
        get("/api/2/search/things?namespaces=water&filter=not(" + urlEncoded(GAUGES) + ")", water)
            .json()
            .getJsonArray("items")
            .getJsonObject(0)
            .getString("thingId");
    assertThat(get("/api/2/things/" + notAGauge, traffic).status()).isEqualTo(404);
    RunningDistrict.Answer write =
        city.request(
            HttpMethod.PATCH,
            "/api/2/things/" + gauge.thingId(),
            "{\"attributes\": {\"note\": \"closed\"}}",
            "Content-Type",
            "application/merge-patch+json",
            "Authorization",
            "Bearer " + traffic);
    assertThat(write.status()).isEqualTo(403);
    assertThat(write.json().getString("error")).isEqualTo("things:thing.notmodifiable");

    // The owner's policy shows the grant; only the owner and the command centre read it.
    JsonObject policy = get("/api/2/policies/water:owner", water).json();
    assertThat(policy.getJsonObject("entries").fieldNames()).contains("grant-" + id);
    assertThat(get("/api/2/policies/water:owner", district).status()).isEqualTo(200);
    assertThat(get("/api/2/policies/water:owner", traffic).status()).isEqualTo(404);

    // Streams: traffic hears the gauge's changes (lent parts only), construction nothing.
    StringBuffer trafficStream = stream(traffic);
    StringBuffer constructionStream = stream(construction);
    openSocket(traffic);
    assertThat(send("START-SEND-EVENTS?namespaces=water")).isEqualTo("START-SEND-EVENTS:ACK");
    city.reportDepth(gauge, 31);
    awaitDepth(trafficStream, "0.31");
    JsonObject event = new JsonObject(nextMatching("0.31"));
    assertThat(event.getString("topic"))
        .isEqualTo(
            gauge.thingId().getNamespace()
                + "/"
                + gauge.thingId().getName()
                + "/things/twin/events/merged");
    assertThat(event.getString("path")).isEqualTo("/");
    assertThat(event.getJsonObject("extra").containsKey("definition")).isFalse();
    JsonObject retrieved =
        new JsonObject(
            send(
                new JsonObject()
                    .put(
                        "topic",
                        gauge.thingId().getNamespace()
                            + "/"
                            + gauge.thingId().getName()
                            + "/things/twin/commands/retrieve")
                    .put("headers", new JsonObject().put("correlation-id", "r-1"))
                    .put("path", "/")
                    .encode(),
                "r-1"));
    assertThat(retrieved.getInteger("status")).isEqualTo(200);
    assertThat(retrieved.getJsonObject("value").getJsonObject("features").fieldNames())
        .containsExactly("waterlogging");
    assertThat(constructionStream.toString()).doesNotContain("data:");

    // Every use is counted for the owner.
    JsonObject uses = get("/api/access-requests/" + id, water).json().getJsonObject("uses");
    assertThat(uses.getLong("read")).isGreaterThanOrEqualTo(2);
    assertThat(uses.getLong("history")).isGreaterThanOrEqualTo(1);
    assertThat(uses.getLong("stream")).isGreaterThanOrEqualTo(1);
    assertThat(uses.getLong("websocket")).isGreaterThanOrEqualTo(2);
    assertThat(uses.getString("lastBy")).isEqualTo("li");

    // Revoked: nothing lent from the next request or change on.
    RunningDistrict.Answer revoked =
        act(id, water, new JsonObject().put("action", "revoke").put("note", "storm over"));
    assertThat(revoked.status()).isEqualTo(200);
    assertThat(revoked.json().getString("state")).isEqualTo("revoked");
    assertThat(
            revoked.json().getJsonArray("audit").stream()
                .map(s -> ((JsonObject) s).getString("action")))
        .containsExactly("request", "approve", "revoke");
    assertReads(traffic, gauge, false);
    city.reportDepth(gauge, 44);
    city.reportDepth(city.gauge(1), 45);
    StringBuffer waterStream = stream(water);
    city.reportDepth(city.gauge(1), 46);
    awaitDepth(waterStream, "0.46");
    assertThat(trafficStream.toString()).doesNotContain("0.44").doesNotContain("0.46");
    assertThat(received).noneMatch(message -> message.contains("0.46"));
  }

  /**
   * The twin stream's {@code fields} and {@code extraFields}, as Ditto's SSE takes them: the change
   * merged with the extra fields of the thing, then cut to the fields (nothing sent when nothing is
   * left), the extra fields only as far as the caller may read them.
   */
  @Test
  void theStreamShapesChangesWithFieldsAndExtraFieldsWithinWhatIsLent() throws Exception {
    SimDevice gauge = city.gauge(0);
    String id = askForGauges();
    assertThat(act(id, water, new JsonObject().put("action", "approve")).status()).isEqualTo(200);
    String ids = "ids=" + gauge.thingId();
    StringBuffer enriched =
        city.subscribe(
            "/api/2/things?" + ids + "&extraFields=attributes/kind,definition",
            "Authorization",
            "Bearer " + water);
    StringBuffer depthOnly =
        city.subscribe(
            "/api/2/things?" + ids + "&fields=thingId,features/waterlogging/properties/depth",
            "Authorization",
            "Bearer " + water);
    StringBuffer attributesOnly =
        city.subscribe(
            "/api/2/things?" + ids + "&fields=attributes", "Authorization", "Bearer " + water);
    StringBuffer lent =
        city.subscribe(
            "/api/2/things?" + ids + "&extraFields=attributes/kind,definition",
            "Authorization",
            "Bearer " + traffic);
    RunningDistrict.Answer badFields =
        city.request(
            HttpMethod.GET,
            "/api/2/things?fields=(",
            null,
            "Accept",
            "text/event-stream",
            "Authorization",
            "Bearer " + water);
    assertThat(badFields.status()).isEqualTo(400);
    assertThat(badFields.json().getString("error")).isEqualTo("json.fieldselector.invalid");

    city.reportDepth(gauge, 17);
    JsonObject whole = awaitMessage(enriched, "0.17");
    assertThat(whole.getString("definition")).isEqualTo("citytwin:waterlogging-gauge:1.0.0");
    assertThat(whole.getJsonObject("attributes").fieldNames()).containsExactly("kind");
    assertThat(RunningDistrict.waterloggingDepth(whole)).isEqualTo(0.17);

    JsonObject cut = awaitMessage(depthOnly, "0.17");
    assertThat(cut.fieldNames()).containsExactlyInAnyOrder("thingId", "features");
    assertThat(cut.getJsonObject("features").getJsonObject("waterlogging").encode())
        .isEqualTo("{\"properties\":{\"depth\":0.17}}");

    JsonObject borrowed = awaitMessage(lent, "0.17");
    assertThat(borrowed.getJsonObject("attributes").fieldNames()).containsExactly("kind");
    assertThat(borrowed.containsKey("definition")).as("the definition is not lent").isFalse();

    // A change outside the fields asked for is not sent; one inside them is.
    assertThat(attributesOnly.toString()).doesNotContain("data:");
    assertThat(
            city.request(
                    HttpMethod.PUT,
                    "/api/2/things/" + gauge.thingId() + "/attributes/note",
                    "\"sandbags out\"",
                    "Content-Type",
                    "application/json",
                    "Authorization",
                    "Bearer " + water)
                .status())
        .isEqualTo(201);
    JsonObject attributes = awaitMessage(attributesOnly, "sandbags out");
    assertThat(attributes.fieldNames()).containsExactly("attributes");
  }

  /** The first message on an SSE stream whose data contains {@code text}, within 10 s. */
  private static JsonObject awaitMessage(StringBuffer stream, String text) {
    JsonObject[] found = new JsonObject[1];
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              found[0] =
                  stream
                      .toString()
                      .lines()
                      .filter(line -> line.startsWith("data:") && line.contains(text))
                      .map(line -> new JsonObject(line.substring("data:".length()).trim()))
                      .findFirst()
                      .orElse(null);
              assertThat(found[0]).as("a message with " + text).isNotNull();
            });
    return found[0];
  }

  private RunningDistrict.Answer write(
      HttpMethod method, String path, String token, String body, String contentType) {
    return city.request(
        method, path, body, "Content-Type", contentType, "Authorization", "Bearer " + token);
  }

  private String command(SimDevice gauge, String path, Object value, String correlationId) {
    return new JsonObject()
        .put(
            "topic",
            gauge.thingId().getNamespace()
                + "/"
                + gauge.thingId().getName()
                + "/things/twin/commands/modify")
        .put("headers", new JsonObject().put("correlation-id", correlationId))
        .put("path", path)
        .put("value", value)
        .encode();
  }

  @Test
  void aGrantForWritingLetsTheBorrowerChangeOnlyTheLentPartsUntilItIsRevoked() throws Exception {
    SimDevice gauge = city.gauge(0);
    String thing = "/api/2/things/" + gauge.thingId();
    RunningDistrict.Answer asked =
        post(
            "/api/access-requests",
            traffic,
            new JsonObject()
                .put("owner", "water")
                .put("filter", GAUGES)
                .put("paths", new JsonArray().add("/attributes/closure"))
                .put("permissions", new JsonArray().add("READ").add("WRITE"))
                .put("reason", "mark the underpasses we close"));
    assertThat(asked.status()).as(asked.body()).isEqualTo(201);
    assertThat(asked.json().getJsonArray("permissions")).containsExactly("READ", "WRITE");
    String id = asked.json().getString("id");
    String json = "application/json";
    String mergePatch = "application/merge-patch+json";
    assertThat(
            write(HttpMethod.PUT, thing + "/attributes/closure", traffic, "\"x\"", json).status())
        .as("before approval")
        .isEqualTo(404);
    assertThat(act(id, water, new JsonObject().put("action", "approve")).status()).isEqualTo(200);

    // The lent path: created, changed, merged.
    RunningDistrict.Answer created =
        write(HttpMethod.PUT, thing + "/attributes/closure", traffic, "\"closed 14:05\"", json);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(get(thing + "/attributes/closure", water).body()).isEqualTo("\"closed 14:05\"");
    RunningDistrict.Answer merged =
        write(
            HttpMethod.PATCH,
            thing,
            traffic,
            "{\"attributes\": {\"closure\": \"reopened 15:30\"}}",
            mergePatch);
    assertThat(merged.status()).as(merged.body()).isEqualTo(204);

    // Anything beyond it is refused whole: nothing of a refused patch is applied.
    JsonObject before = get(thing, water).json();
    for (RunningDistrict.Answer refused :
        List.of(
            write(
                HttpMethod.PATCH,
                thing,
                traffic,
                "{\"attributes\": {\"closure\": \"gone\", \"name\": \"renamed\"}}",
                mergePatch),
            write(HttpMethod.PUT, thing + "/attributes/name", traffic, "\"renamed\"", json),
            write(
                HttpMethod.PUT,
                thing + "/features/waterlogging/properties/depth",
                traffic,
                "0.5",
                json),
            write(HttpMethod.PUT, thing, traffic, "{\"attributes\": {}}", json),
            city.request(HttpMethod.DELETE, thing, null, "Authorization", "Bearer " + traffic))) {
      assertThat(refused.status()).as(refused.body()).isEqualTo(403);
      assertThat(refused.json().getString("error")).isEqualTo("things:thing.notmodifiable");
    }
    assertThat(get(thing, water).json()).isEqualTo(before);
    assertThat(before.getJsonObject("attributes").getString("closure")).isEqualTo("reopened 15:30");
    assertThat(
            write(HttpMethod.PUT, thing + "/attributes/closure", construction, "\"x\"", json)
                .status())
        .as("a department granted nothing")
        .isEqualTo(404);

    // The same on the WebSocket.
    openSocket(traffic);
    JsonObject answered = modifyOnSocket(gauge, "/attributes/closure", "closed 18:00", "w-1");
    assertThat(answered.getInteger("status")).as(answered.encode()).isEqualTo(204);
    JsonObject refused = modifyOnSocket(gauge, "/attributes/name", "renamed", "w-2");
    assertThat(refused.getInteger("status")).isEqualTo(403);
    assertThat(refused.getJsonObject("value").getString("error"))
        .isEqualTo("things:thing.notmodifiable");
    assertThat(get(thing + "/attributes/closure", water).body()).isEqualTo("\"closed 18:00\"");

    // A null in a merge patch removes: a write of the lent path like any other.
    RunningDistrict.Answer removed =
        write(
            HttpMethod.PATCH, thing, traffic, "{\"attributes\": {\"closure\": null}}", mergePatch);
    assertThat(removed.status()).as(removed.body()).isEqualTo(204);
    assertThat(get(thing + "/attributes/closure", water).status()).isEqualTo(404);

    // Counted for the owner; gone once revoked.
    JsonObject uses = get("/api/access-requests/" + id, water).json().getJsonObject("uses");
    assertThat(uses.getLong("write")).as("three on REST, one on the WebSocket").isEqualTo(4);
    assertThat(act(id, water, new JsonObject().put("action", "revoke")).status()).isEqualTo(200);
    assertThat(
            write(HttpMethod.PUT, thing + "/attributes/closure", traffic, "\"x\"", json).status())
        .isEqualTo(404);
  }

  @Test
  void aGrantsUsesAreKeptAcrossARestart() throws Exception {
    SimDevice gauge = city.gauge(0);
    String id = askForGauges();
    assertThat(act(id, water, new JsonObject().put("action", "approve")).status()).isEqualTo(200);
    assertThat(get("/api/2/things/" + gauge.thingId(), traffic).status()).isEqualTo(200);
    assertThat(get("/api/2/things/" + gauge.thingId(), traffic).status()).isEqualTo(200);
    String kept = "/api/2/things/access:" + id + ".uses";
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertThat(get(kept + "/attributes/read", district).body()).isEqualTo("2"));
    assertThat(get("/api/access-requests", water).body()).doesNotContain(".uses");

    city.close();
    city = new RunningDistrict(directory, 2, 2, devices -> {}, Map.of("api.auth.secret", SECRET));
    JsonObject uses = get("/api/access-requests/" + id, water).json().getJsonObject("uses");
    assertThat(uses.getLong("read")).isEqualTo(2);
    assertThat(uses.getString("lastBy")).isEqualTo("li");
    assertThat(get("/api/2/things/" + gauge.thingId(), traffic).status()).isEqualTo(200);
    assertThat(
            get("/api/access-requests/" + id, water).json().getJsonObject("uses").getLong("read"))
        .isEqualTo(3);
  }

  @Test
  void aGrantStopsCountingOnceItExpires() {
    SimDevice gauge = city.gauge(0);
    String id = askForGauges();
    RunningDistrict.Answer approved =
        act(
            id,
            water,
            new JsonObject()
                .put("action", "approve")
                .put("expiry", Instant.now().plusSeconds(3).toString()));
    assertThat(approved.status()).as(approved.body()).isEqualTo(200);
    assertThat(get("/api/2/things/" + gauge.thingId(), traffic).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertReads(traffic, gauge, false));
    assertThat(get("/api/access-requests/" + id, traffic).json().getString("state"))
        .isEqualTo("expired");
    RunningDistrict.Answer late = act(id, traffic, new JsonObject().put("action", "revoke"));
    assertThat(late.status()).isEqualTo(409);
  }

  @Test
  void badRequestsAreRefusedWithTheirErrorAndNothingIsKept() {
    JsonObject valid =
        new JsonObject().put("owner", "water").put("reason", "why").put("filter", GAUGES);
    for (JsonObject bad :
        new JsonObject[] {
          valid.copy().put("owner", "traffic"),
          valid.copy().put("owner", "access"),
          without(valid, "reason"),
          valid.copy().put("reason", " "),
          valid.copy().put("paths", new JsonArray().add("/policyId")),
          valid.copy().put("paths", new JsonArray()),
          valid.copy().put("validFor", "P400D"),
          valid.copy().put("validFor", "a week"),
          valid.copy().put("permissions", new JsonArray().add("WRITE")),
          valid.copy().put("permissions", new JsonArray().add("READ").add("EXECUTE")),
          valid.copy().put("permissions", "READ"),
          valid.copy().put("permissions", new JsonArray()),
        }) {
      RunningDistrict.Answer refused = post("/api/access-requests", traffic, bad);
      assertThat(refused.status()).as(bad.encode()).isEqualTo(400);
      assertThat(refused.json().getString("error")).isEqualTo("access:request.invalid");
    }
    RunningDistrict.Answer badFilter =
        post("/api/access-requests", traffic, valid.copy().put("filter", "eq(definition"));
    assertThat(badFilter.status()).isEqualTo(400);
    assertThat(badFilter.json().getString("error")).isEqualTo("rql.expression.invalid");
    RunningDistrict.Answer fromTheCentre = post("/api/access-requests", district, valid);
    assertThat(fromTheCentre.status()).isEqualTo(400);
    assertThat(new JsonArray(get("/api/access-requests", district).body())).isEmpty();
    RunningDistrict.Answer grantAsThing =
        city.request(
            HttpMethod.PUT,
            "/api/2/things/access:g-forged",
            "{\"attributes\": {}}",
            "Content-Type",
            "application/json",
            "Authorization",
            "Bearer " + district);
    assertThat(grantAsThing.status()).isEqualTo(403);
    assertThat(get("/api/access-requests/g-missing", water).json().getString("error"))
        .isEqualTo("access:request.notfound");
  }

  /**
   * Water's policy of its own: traffic reads a gauge's waterlogging feature and attributes and
   * writes its closure; water keeps everything.
   */
  private static JsonObject sharedGaugesPolicy() {
    JsonObject rw =
        new JsonObject()
            .put("grant", new JsonArray().add("READ").add("WRITE"))
            .put("revoke", new JsonArray());
    return new JsonObject()
        .put(
            "entries",
            new JsonObject()
                .put(
                    "owner",
                    new JsonObject()
                        .put(
                            "subjects",
                            new JsonObject()
                                .put("department:water", new JsonObject().put("type", "dept")))
                        .put(
                            "resources",
                            new JsonObject().put("thing:/", rw).put("policy:/", rw.copy())))
                .put(
                    "traffic",
                    new JsonObject()
                        .put(
                            "subjects",
                            new JsonObject()
                                .put("department:traffic", new JsonObject().put("type", "dept")))
                        .put(
                            "resources",
                            new JsonObject()
                                .put(
                                    "thing:/features/waterlogging",
                                    new JsonObject()
                                        .put("grant", new JsonArray().add("READ"))
                                        .put("revoke", new JsonArray()))
                                .put(
                                    "thing:/attributes",
                                    new JsonObject()
                                        .put("grant", new JsonArray().add("READ"))
                                        .put("revoke", new JsonArray()))
                                .put(
                                    "thing:/attributes/closure",
                                    new JsonObject()
                                        .put("grant", new JsonArray().add("WRITE"))
                                        .put("revoke", new JsonArray())))));
  }

  private RunningDistrict.Answer putJson(String path, String token, String body) {
    return write(HttpMethod.PUT, path, token, body, "application/json");
  }

  @Test
  void aThingFollowsAPolicyItsOwnerKeepsOnEveryRouteUntilThePolicyIsDeleted() throws Exception {
    SimDevice gauge = city.gauge(0);
    String thing = "/api/2/things/" + gauge.thingId();
    String policy = "/api/2/policies/water:shared-gauges";
    city.reportDepth(gauge, 12);

    // Only water keeps water's policies, and only ones that leave it its namespace whole.
    RunningDistrict.Answer byTraffic = putJson(policy, traffic, sharedGaugesPolicy().encode());
    assertThat(byTraffic.status()).as(byTraffic.body()).isEqualTo(403);
    assertThat(byTraffic.json().getString("error")).isEqualTo("policies:policy.notcreatable");
    JsonObject ownerless = sharedGaugesPolicy();
    ownerless.getJsonObject("entries").remove("owner");
    RunningDistrict.Answer invalid = putJson(policy, water, ownerless.encode());
    assertThat(invalid.status()).as(invalid.body()).isEqualTo(403);
    assertThat(invalid.json().getString("error")).isEqualTo("policies:policy.modificationinvalid");
    assertThat(invalid.json().getString("description")).contains("department:water");
    RunningDistrict.Answer notJson = putJson(policy, water, "{\"entries\": ");
    assertThat(notJson.status()).as(notJson.body()).isEqualTo(400);
    RunningDistrict.Answer namespacePolicy =
        putJson("/api/2/policies/water:owner", water, sharedGaugesPolicy().encode());
    assertThat(namespacePolicy.status()).isEqualTo(403);
    assertThat(namespacePolicy.json().getString("error"))
        .isEqualTo("policies:policy.notmodifiable");
    assertThat(get(policy, water).status()).isEqualTo(404);

    RunningDistrict.Answer created = putJson(policy, water, sharedGaugesPolicy().encode());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().getString("policyId")).isEqualTo("water:shared-gauges");
    assertThat(get(policy, water).json().getJsonObject("entries").fieldNames())
        .containsExactlyInAnyOrder("owner", "traffic");
    assertThat(get(policy, district).status()).isEqualTo(200);
    assertThat(get(policy, traffic).status()).as("no READ on policy:/").isEqualTo(404);
    assertThat(putJson(policy, water, sharedGaugesPolicy().encode()).status()).isEqualTo(204);

    // Kept, not yet followed: traffic reads nothing.
    assertThat(get(thing, traffic).status()).isEqualTo(404);

    // A thing follows a policy of its own namespace that exists, nothing else.
    for (String elsewhere : List.of("\"water:nowhere\"", "\"traffic:shared-gauges\"")) {
      RunningDistrict.Answer refused = putJson(thing + "/policyId", water, elsewhere);
      assertThat(refused.status()).as(refused.body()).isEqualTo(403);
      assertThat(refused.json().getString("error")).isEqualTo("things:policyId.notmodifiable");
    }
    RunningDistrict.Answer createdElsewhere =
        putJson(
            "/api/2/things/water:new-gauge",
            water,
            "{\"policyId\": \"water:nowhere\", \"attributes\": {}}");
    assertThat(createdElsewhere.status()).as(createdElsewhere.body()).isEqualTo(400);
    assertThat(createdElsewhere.json().getString("error")).isEqualTo("things:thing.notcreatable");
    assertThat(get("/api/2/things/water:new-gauge", water).status()).isEqualTo(404);
    RunningDistrict.Answer follows = putJson(thing + "/policyId", water, "\"water:shared-gauges\"");
    assertThat(follows.status()).as("the simulated gauge had no policyId").isEqualTo(201);

    // Traffic reads what the policy lets it, on REST and in searches; construction nothing.
    JsonObject seen = get(thing, traffic).json();
    assertThat(seen.fieldNames()).containsExactlyInAnyOrder("thingId", "attributes", "features");
    assertThat(seen.getJsonObject("features").fieldNames()).containsExactly("waterlogging");
    assertThat(RunningDistrict.waterloggingDepth(seen)).isEqualTo(0.12);
    assertThat(get("/api/2/search/things/count?namespaces=water", traffic).body()).isEqualTo("1");
    assertThat(
            get("/api/2/search/things?filter=" + urlEncoded(GAUGES), traffic)
                .json()
                .getJsonArray("items"))
        .as("the definition is not lent: a filter on it matches nothing")
        .isEmpty();
    assertThat(get(thing, construction).status()).isEqualTo(404);
    assertThat(get("/api/2/search/things/count?namespaces=water", construction).body())
        .isEqualTo("0");

    // It writes the closure and nothing else.
    RunningDistrict.Answer closure =
        putJson(thing + "/attributes/closure", traffic, "\"closed 14:05\"");
    assertThat(closure.status()).as(closure.body()).isEqualTo(201);
    RunningDistrict.Answer renamed = putJson(thing + "/attributes/name", traffic, "\"renamed\"");
    assertThat(renamed.status()).isEqualTo(403);
    assertThat(renamed.json().getString("error")).isEqualTo("things:thing.notmodifiable");
    RunningDistrict.Answer repointed = putJson(thing + "/policyId", traffic, "\"water:owner\"");
    assertThat(repointed.status()).isEqualTo(403);

    // Streams: traffic hears the gauge's changes, cut to what it reads; construction nothing.
    StringBuffer trafficStream = stream(traffic);
    StringBuffer constructionStream = stream(construction);
    openSocket(traffic);
    assertThat(send("START-SEND-EVENTS?namespaces=water")).isEqualTo("START-SEND-EVENTS:ACK");
    city.reportDepth(gauge, 31);
    awaitDepth(trafficStream, "0.31");
    assertThat(new JsonObject(nextMatching("0.31")).getString("path")).isEqualTo("/");
    JsonObject closedOnSocket = modifyOnSocket(gauge, "/attributes/closure", "closed 18:00", "p-1");
    assertThat(closedOnSocket.getInteger("status")).as(closedOnSocket.encode()).isEqualTo(204);
    JsonObject repointedOnSocket = modifyOnSocket(gauge, "/policyId", "water:owner", "p-2");
    assertThat(repointedOnSocket.getInteger("status")).isEqualTo(403);
    assertThat(repointedOnSocket.getJsonObject("value").getString("error"))
        .isEqualTo("things:thing.notmodifiable");
    assertThat(get(thing, water).json().getString("policyId")).isEqualTo("water:shared-gauges");
    city.reportDepth(city.gauge(1), 32);
    StringBuffer waterStream = stream(water);
    city.reportDepth(city.gauge(1), 33);
    awaitDepth(waterStream, "0.33");
    assertThat(trafficStream.toString()).as("another gauge").doesNotContain("0.32");
    assertThat(received).noneMatch(message -> message.contains("0.33"));
    assertThat(constructionStream.toString()).doesNotContain("data:");

    // The policy and the thing's choice of it survive a restart.
    city.close();
    city = new RunningDistrict(directory, 2, 2, devices -> {}, Map.of("api.auth.secret", SECRET));
    assertThat(get(policy, water).json().getJsonObject("entries").fieldNames())
        .containsExactlyInAnyOrder("owner", "traffic");
    assertThat(get(thing, traffic).json().getJsonObject("features").fieldNames())
        .containsExactly("waterlogging");

    // Deleted: the thing follows water's namespace policy again, and traffic reads nothing.
    assertThat(
            city.request(HttpMethod.DELETE, policy, null, "Authorization", "Bearer " + traffic)
                .status())
        .isEqualTo(404);
    assertThat(
            city.request(HttpMethod.DELETE, policy, null, "Authorization", "Bearer " + water)
                .status())
        .isEqualTo(204);
    assertThat(get(policy, water).status()).isEqualTo(404);
    assertThat(get(thing, traffic).status()).isEqualTo(404);
    assertThat(get(thing, water).json().getString("policyId")).isEqualTo("water:shared-gauges");
    StringBuffer trafficAgain = stream(traffic);
    StringBuffer waterAgain = stream(water);
    city.reportDepth(gauge, 55);
    awaitDepth(waterAgain, "0.55");
    assertThat(trafficAgain.toString()).doesNotContain("0.55");
  }

  private static JsonObject without(JsonObject object, String key) {
    JsonObject copy = object.copy();
    copy.remove(key);
    return copy;
  }

  private static String urlEncoded(String text) {
    return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Sends a Ditto Protocol policy command and returns the answer carrying its correlation id. */
  private JsonObject policyCommand(
      String policyId, String action, Object value, String correlationId) throws Exception {
    JsonObject command =
        new JsonObject()
            .put("topic", policyId.replace(':', '/') + "/policies/commands/" + action)
            .put("headers", new JsonObject().put("correlation-id", correlationId))
            .put("path", "/");
    if (value != null) {
      command.put("value", value);
    }
    return new JsonObject(send(command.encode(), "\"" + correlationId + "\""));
  }

  @Test
  void policiesAreKeptOverTheWebSocketWithTheRulesOfTheRestRoutes() throws Exception {
    String policyId = "water:socket-gauges";
    openSocket(water);

    // As Ditto reads a create: the payload names its policy.
    JsonObject unnamed = policyCommand(policyId, "create", sharedGaugesPolicy(), "c-0");
    assertThat(unnamed.getString("topic")).isEqualTo("water/socket-gauges/policies/errors");
    assertThat(unnamed.getInteger("status")).isEqualTo(400);
    assertThat(unnamed.getJsonObject("value").getString("error")).isEqualTo("policies:id.invalid");
    JsonObject created =
        policyCommand(policyId, "create", sharedGaugesPolicy().put("policyId", policyId), "c-1");
    assertThat(created.getString("topic"))
        .isEqualTo("water/socket-gauges/policies/commands/create");
    assertThat(created.getInteger("status")).as(created.encode()).isEqualTo(201);
    assertThat(created.getJsonObject("value").getString("policyId")).isEqualTo(policyId);
    assertThat(
            get("/api/2/policies/" + policyId, water).json().getJsonObject("entries").fieldNames())
        .containsExactlyInAnyOrder("owner", "traffic");

    JsonObject again =
        policyCommand(policyId, "create", sharedGaugesPolicy().put("policyId", policyId), "c-2");
    assertThat(again.getString("topic")).isEqualTo("water/socket-gauges/policies/errors");
    assertThat(again.getInteger("status")).isEqualTo(409);
    assertThat(again.getJsonObject("value").getString("error"))
        .isEqualTo("policies:policy.conflict");

    // Two creates at once: exactly one is kept, the other is told of the conflict.
    for (String correlationId : List.of("race-a", "race-b")) {
      socket
          .sendText(
              new JsonObject()
                  .put("topic", "water/raced/policies/commands/create")
                  .put("headers", new JsonObject().put("correlation-id", correlationId))
                  .put("path", "/")
                  .put("value", sharedGaugesPolicy().put("policyId", "water:raced"))
                  .encode(),
              true)
          .get(5, TimeUnit.SECONDS);
    }
    List<Integer> raced = new ArrayList<>();
    while (raced.size() < 2) {
      raced.add(new JsonObject(nextMatching("\"race-")).getInteger("status"));
    }
    assertThat(raced).containsExactlyInAnyOrder(201, 409);

    JsonObject retrieved = policyCommand(policyId, "retrieve", null, "r-1");
    assertThat(retrieved.getInteger("status")).isEqualTo(200);
    assertThat(retrieved.getJsonObject("value").getJsonObject("entries").fieldNames())
        .containsExactlyInAnyOrder("owner", "traffic");

    JsonObject ownerless = sharedGaugesPolicy().put("policyId", policyId);
    ownerless.getJsonObject("entries").remove("owner");
    JsonObject invalid = policyCommand(policyId, "modify", ownerless, "m-1");
    assertThat(invalid.getInteger("status")).isEqualTo(403);
    assertThat(invalid.getJsonObject("value").getString("error"))
        .isEqualTo("policies:policy.modificationinvalid");
    JsonObject narrower = sharedGaugesPolicy().put("policyId", policyId);
    narrower
        .getJsonObject("entries")
        .getJsonObject("traffic")
        .getJsonObject("resources")
        .remove("thing:/attributes/closure");
    JsonObject modified = policyCommand(policyId, "modify", narrower, "m-2");
    assertThat(modified.getInteger("status")).as(modified.encode()).isEqualTo(204);
    assertThat(
            get("/api/2/policies/" + policyId, water)
                .json()
                .getJsonObject("entries")
                .getJsonObject("traffic")
                .getJsonObject("resources")
                .fieldNames())
        .doesNotContain("thing:/attributes/closure");

    JsonObject entryCommand =
        new JsonObject(
            send(
                new JsonObject()
                    .put("topic", "water/socket-gauges/policies/commands/retrieve")
                    .put("headers", new JsonObject().put("correlation-id", "e-1"))
                    .put("path", "/entries/traffic")
                    .encode(),
                "\"e-1\""));
    assertThat(entryCommand.getInteger("status")).isEqualTo(400);
    assertThat(entryCommand.getString("topic")).isEqualTo("water/socket-gauges/policies/errors");

    // Traffic, whom the policy grants nothing on policy:/, neither sees nor keeps it.
    socket.abort();
    openSocket(traffic);
    JsonObject hidden = policyCommand(policyId, "retrieve", null, "t-1");
    assertThat(hidden.getInteger("status")).isEqualTo(404);
    assertThat(hidden.getJsonObject("value").getString("error"))
        .isEqualTo("policies:policy.notfound");
    JsonObject notTheirs =
        policyCommand(
            "water:traffic-made",
            "create",
            sharedGaugesPolicy().put("policyId", "water:traffic-made"),
            "t-2");
    assertThat(notTheirs.getInteger("status")).isEqualTo(403);
    assertThat(notTheirs.getJsonObject("value").getString("error"))
        .isEqualTo("policies:policy.notcreatable");
    assertThat(get("/api/2/policies/water:traffic-made", water).status()).isEqualTo(404);

    socket.abort();
    openSocket(water);
    JsonObject deleted = policyCommand(policyId, "delete", null, "d-1");
    assertThat(deleted.getInteger("status")).isEqualTo(204);
    assertThat(get("/api/2/policies/" + policyId, water).status()).isEqualTo(404);
    JsonObject gone = policyCommand(policyId, "retrieve", null, "d-2");
    assertThat(gone.getInteger("status")).isEqualTo(404);
  }

  /** The whole twin stream (server-sent events) as {@code token}'s caller receives it. */
  private StringBuffer stream(String token) throws Exception {
    return city.subscribe("/api/2/things", "Authorization", "Bearer " + token);
  }

  /** Waits up to 10 s for a gauge's depth of {@code metres} on {@code stream}. */
  private static void awaitDepth(StringBuffer stream, String metres) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(stream).contains("\"depth\":" + metres));
  }

  private void openSocket(String token) throws Exception {
    socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Authorization", "Bearer " + token)
            .buildAsync(
                URI.create("ws://127.0.0.1:" + city.server.port() + "/ws/2"),
                new WebSocket.Listener() {
                  private final StringBuilder message = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(
                      WebSocket webSocket, CharSequence data, boolean last) {
                    message.append(data);
                    if (last) {
                      received.add(message.toString());
                      message.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
  }

  /**
   * Sends a modify command of {@code path} on the open socket and returns the answer to it (the
   * message carrying its correlation id).
   */
  private JsonObject modifyOnSocket(
      SimDevice gauge, String path, Object value, String correlationId) throws Exception {
    return new JsonObject(send(command(gauge, path, value, correlationId), correlationId));
  }

  private String send(String text) throws Exception {
    socket.sendText(text, true).get(5, TimeUnit.SECONDS);
    return nextMatching("");
  }

  private String send(String text, String containing) throws Exception {
    socket.sendText(text, true).get(5, TimeUnit.SECONDS);
    return nextMatching(containing);
  }

  /** The next message received that contains {@code text}, skipping others, within 10 s. */
  private String nextMatching(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String message = received.poll(1, TimeUnit.SECONDS);
      if (message != null && message.contains(text)) {
        return message;
      }
    }
    throw new AssertionError("no WebSocket message containing '" + text + "' within 10 s");
  }
}
