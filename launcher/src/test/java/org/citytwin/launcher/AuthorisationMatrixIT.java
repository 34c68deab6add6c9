package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.citytwin.api.ApiTokens;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorisation matrix on one running server: every department against water's gauges in each
 * standing a department can have towards another's things (its own, granted, revoked, expired,
 * never granted), and every department against every other's own things, each on all four ways in:
 * REST, search, the SSE stream and the WebSocket.
 *
 * <p>The streams are opened while every grant holds and each first carries what its caller may
 * read, so a stream that later stays silent is silent because of the revocation or expiry, not
 * because it never worked.
 */
@Timeout(180)
class AuthorisationMatrixIT {

  private static final String SECRET = "a-test-secret-that-is-at-least-32-bytes-long";
  private static final String GAUGES = "eq(definition,\"citytwin:waterlogging-gauge:1.0.0\")";
  // On a lent part: a search matches only on what its caller may read (the definition is not lent).
  private static final String LENT_GAUGES = "exists(features/waterlogging)";
  private static final String BOARDS = "eq(attributes/kind,\"board\")";

  /** How long the grant that is to expire holds: enough for every stream to prove it works. */
  private static final Duration EXPIRING_GRANT_HOLDS = Duration.ofSeconds(8);

  /** How long a stream must stay without a change it may not see, once the readers had it. */
  private static final Duration SILENCE = Duration.ofSeconds(1);

  /** Where a department stands towards water's gauges. */
  private enum Standing {
    OWN,
    GRANTED,
    REVOKED,
    EXPIRED,
    OTHER;

    boolean readsWhileGranted() {
      return this != OTHER;
    }

    boolean readsAfterwards() {
      return this == OWN || this == GRANTED;
    }
  }

  private static final Map<String, Standing> DEPARTMENTS = new LinkedHashMap<>();

  static {
    DEPARTMENTS.put("water", Standing.OWN);
    DEPARTMENTS.put("traffic", Standing.GRANTED);
    DEPARTMENTS.put("construction", Standing.REVOKED);
    DEPARTMENTS.put("sanitation", Standing.EXPIRED);
    DEPARTMENTS.put("emergency", Standing.OTHER);
  }

  @TempDir Path directory;
  private RunningDistrict city;
  private final Map<String, String> tokens = new LinkedHashMap<>();
  private final Map<String, StringBuffer> streams = new LinkedHashMap<>();
  private final Map<String, StringBuffer> sockets = new LinkedHashMap<>();
  private final List<WebSocket> openSockets = new ArrayList<>();

  @BeforeEach
  void startCity() throws Exception {
    city = new RunningDistrict(directory, 2, 2, devices -> {}, Map.of("api.auth.secret", SECRET));
    ApiTokens issuer = new ApiTokens(city.server.vertx(), SECRET);
    int user = 0;
    for (String department : DEPARTMENTS.keySet()) {
      tokens.put(
          department, issuer.issue("user-" + user++, Optional.of(department), Duration.ofHours(1)));
    }
  }

  @AfterEach
  void stopCity() {
    openSockets.forEach(WebSocket::abort);
    city.close();
  }

  @Test
  void everyDepartmentReadsItsOwnAndWhatIsLentItWhileLentAndNothingElseOnEveryWayIn()
      throws Exception {
    for (String department : DEPARTMENTS.keySet()) {
      RunningDistrict.Answer created =
          write(
              HttpMethod.PUT,
              board(department),
              department,
              new JsonObject()
                  .put(
                      "attributes",
                      new JsonObject().put("kind", "board").put("owner", department)));
      assertThat(created.status()).as(department + ": " + created.body()).isEqualTo(201);
    }
    String trafficGrant = grantGauges("traffic", Optional.empty());
    String constructionGrant = grantGauges("construction", Optional.empty());
    Instant sanitationExpiry = Instant.now().plus(EXPIRING_GRANT_HOLDS);
    String sanitationGrant = grantGauges("sanitation", Optional.of(sanitationExpiry));
    for (String department : DEPARTMENTS.keySet()) {
      streams.put(
          department,
          city.subscribe("/api/2/things", "Authorization", "Bearer " + tokens.get(department)));
      sockets.put(department, openSocket(department));
    }

    // While every grant holds. Depths under any warning line: no incident repeats them.
    SimDevice gauge = city.gauge(0);
    city.reportDepth(gauge, 3);
    changeBoards(1);
    assertWaysIn(gauge, "0.03", 1, Standing::readsWhileGranted);
    assertThat(Instant.now())
        .as("the first round must end before sanitation's grant expires; raise the grant's time")
        .isBefore(sanitationExpiry);

    // Construction's grant revoked, sanitation's run out.
    RunningDistrict.Answer revoked =
        post(
            "/api/access-requests/" + constructionGrant + "/actions",
            "water",
            new JsonObject().put("action", "revoke"));
    assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
    await()
        .atMost(EXPIRING_GRANT_HOLDS.plusSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        get("/api/access-requests/" + sanitationGrant, "water")
                            .json()
                            .getString("state"))
                    .isEqualTo("expired"));
    assertThat(get("/api/access-requests/" + trafficGrant, "water").json().getString("state"))
        .isEqualTo("granted");
    city.reportDepth(gauge, 4);
    changeBoards(2);
    assertWaysIn(gauge, "0.04", 2, Standing::readsAfterwards);
  }

  /**
   * After a change of the gauge to {@code depth} and of every board to {@code phase}: each
   * department reads the gauge on every way in exactly when {@code reads} says, and its own board,
   * never another's.
   */
  private void assertWaysIn(
      SimDevice gauge, String depth, int phase, java.util.function.Predicate<Standing> reads) {
    // The readers first: once they have both changes, the others had every chance to leak.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                eachStream(
                    (department, standing, stream) -> {
                      assertThat(stream).as(department).contains(boardMark(department, phase));
                      if (reads.test(standing)) {
                        assertThat(carries(stream, gauge, depth))
                            .as(department + " sees the gauge at " + depth + " m")
                            .isTrue();
                      }
                    }));
    await()
        .during(SILENCE)
        .atMost(SILENCE.multipliedBy(3))
        .untilAsserted(
            () ->
                eachStream(
                    (department, standing, stream) -> {
                      if (!reads.test(standing)) {
                        assertThat(carries(stream, gauge, depth))
                            .as(department + " may not see the gauge at " + depth + " m")
                            .isFalse();
                      }
                      for (String other : DEPARTMENTS.keySet()) {
                        if (!other.equals(department)) {
                          assertThat(stream.toString())
                              .as(department + " may not see " + other + "'s board")
                              .doesNotContain(boardMarks(other));
                        }
                      }
                    }));
    DEPARTMENTS.forEach(
        (department, standing) -> {
          boolean readsGauge = reads.test(standing);
          String as = department + " (" + standing + ")";
          assertThat(get("/api/2/things/" + gauge.thingId(), department).status())
              .as(as)
              .isEqualTo(readsGauge ? 200 : 404);
          assertThat(
                  get("/api/2/search/things/count?filter=" + encoded(LENT_GAUGES), department)
                      .body())
              .as(as)
              .isEqualTo(readsGauge ? "8" : "0");
          assertThat(
                  get(
                          "/api/2/search/things/count?namespaces=water&filter="
                              + encoded(LENT_GAUGES),
                          department)
                      .body())
              .as(as)
              .isEqualTo(readsGauge ? "8" : "0");
          for (String owner : DEPARTMENTS.keySet()) {
            assertThat(get(board(owner), department).status())
                .as(as + " reading " + owner + "'s board")
                .isEqualTo(owner.equals(department) ? 200 : 404);
          }
          JsonArray boards =
              get("/api/2/search/things?filter=" + encoded(BOARDS) + "&fields=thingId", department)
                  .json()
                  .getJsonArray("items");
          assertThat(boards.stream().map(item -> ((JsonObject) item).getString("thingId")))
              .as(as)
              .containsExactly(department + ":board");
        });
  }

  /** A check of what one department's SSE stream or WebSocket received. */
  private interface StreamCheck {
    void check(String department, Standing standing, StringBuffer received);
  }

  /** Runs {@code check} on every department's SSE stream and on its WebSocket. */
  private void eachStream(StreamCheck check) {
    DEPARTMENTS.forEach(
        (department, standing) -> {
          check.check(department, standing, streams.get(department));
          check.check(department, standing, sockets.get(department));
        });
  }

  private static String board(String department) {
    return "/api/2/things/" + department + ":board";
  }

  /** What a department writes on its board in {@code phase}, and finds in its own streams. */
  private static String boardMark(String department, int phase) {
    return boardMarks(department) + phase;
  }

  private static String boardMarks(String department) {
    return "board-" + department + "-";
  }

  /**
   * Whether a way in carried the gauge's change to {@code depth}: a message naming the gauge (SSE:
   * its id; WebSocket: its topic) with the depth as a property (SSE, or a lent view) or as the
   * event's value (the owner's WebSocket, where the event is stated at the property).
   */
  private static boolean carries(StringBuffer wayIn, SimDevice gauge, String depth) {
    String id = gauge.thingId().toString();
    String topic = gauge.thingId().getNamespace() + "/" + gauge.thingId().getName() + "/";
    return wayIn
        .toString()
        .lines()
        .anyMatch(
            message ->
                (message.contains("\"" + id + "\"") || message.contains("\"" + topic))
                    && (message.contains("\"depth\":" + depth)
                        || message.contains("\"value\":" + depth)));
  }

  /** Every department marks its own board with {@code phase}. */
  private void changeBoards(int phase) {
    for (String department : DEPARTMENTS.keySet()) {
      RunningDistrict.Answer changed =
          city.request(
              HttpMethod.PUT,
              board(department) + "/attributes/phase",
              "\"" + boardMark(department, phase) + "\"",
              "Content-Type",
              "application/json",
              "Authorization",
              "Bearer " + tokens.get(department));
      assertThat(changed.status()).as(department + ": " + changed.body()).isIn(201, 204);
    }
  }

  /** {@code borrower} asks water for its gauges and water approves; answers the request's id. */
  private String grantGauges(String borrower, Optional<Instant> expiry) {
    RunningDistrict.Answer asked =
        post(
            "/api/access-requests",
            borrower,
            new JsonObject()
                .put("owner", "water")
                .put("filter", GAUGES)
                .put("paths", new JsonArray().add("/attributes").add("/features/waterlogging"))
                .put("validFor", "P7D")
                .put("reason", "the authorisation matrix"));
    assertThat(asked.status()).as(asked.body()).isEqualTo(201);
    String id = asked.json().getString("id");
    JsonObject approve = new JsonObject().put("action", "approve");
    expiry.ifPresent(until -> approve.put("expiry", until.toString()));
    RunningDistrict.Answer approved =
        post("/api/access-requests/" + id + "/actions", "water", approve);
    assertThat(approved.status()).as(approved.body()).isEqualTo(200);
    assertThat(approved.json().getString("state")).isEqualTo("granted");
    return id;
  }

  private RunningDistrict.Answer get(String path, String department) {
    return city.request(
        HttpMethod.GET, path, null, "Authorization", "Bearer " + tokens.get(department));
  }

  private RunningDistrict.Answer post(String path, String department, JsonObject body) {
    return write(HttpMethod.POST, path, department, body);
  }

  private RunningDistrict.Answer write(
      HttpMethod method, String path, String department, JsonObject body) {
    return city.request(
        method,
        path,
        body.encode(),
        "Content-Type",
        "application/json",
        "Authorization",
        "Bearer " + tokens.get(department));
  }

  /**
   * A Ditto Protocol WebSocket for {@code department}'s caller, asked for every twin event; what it
   * receives is appended to the returned buffer.
   */
  private StringBuffer openSocket(String department) throws Exception {
    StringBuffer received = new StringBuffer();
    WebSocket socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Authorization", "Bearer " + tokens.get(department))
            .buildAsync(
                URI.create("ws://127.0.0.1:" + city.server.port() + "/ws/2"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(
                      WebSocket webSocket, CharSequence data, boolean last) {
                    received.append(data);
                    if (last) {
                      received.append('\n');
                    }
                    webSocket.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    openSockets.add(socket);
    socket.sendText("START-SEND-EVENTS", true).get(5, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(received).contains("START-SEND-EVENTS:ACK"));
    return received;
  }

  private static String encoded(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
