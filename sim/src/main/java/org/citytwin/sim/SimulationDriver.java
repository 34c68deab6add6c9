package org.citytwin.sim;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Plays a {@link ScenarioPlan} against a running citytwin server the way devices do, in real time
 * and from its own process: each reading in its device's vendor format and with its credentials,
 * over HTTP (single and batch) and MQTT QoS 1. Meanwhile it listens to the server's live twin
 * changes (SSE) and polls its incidents; afterwards it sends the bad inputs the field produces,
 * reads every acknowledged reading back from history, and scores the incidents against the plan's
 * ground truth ({@link RunReport}).
 */
public final class SimulationDriver {

  /**
   * @param server the server's HTTP base, {@code http://127.0.0.1:8080}
   * @param mqttPort the server's device MQTT port, on the same host
   * @param seed the district's and the scenario's seed: the same the server's district came from
   * @param scale the district's scale
   * @param scenario timing, storm and faults
   * @param grace how long to wait after the last reading for incidents to settle
   * @param progress where to draw the progress bar; {@code null} for none
   */
  public record Settings(
      URI server,
      int mqttPort,
      long seed,
      double scale,
      ScenarioPlan.Settings scenario,
      Duration grace,
      PrintStream progress) {}

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final Settings settings;
  private final Clock clock;
  private final Vertx vertx;
  private final WebClient web;
  private final RunReport.Recorder recorder = new RunReport.Recorder();
  private final Map<String, MqttLink> mqtt = new ConcurrentHashMap<>();
  private final DepthSends sentDepths = new DepthSends();
  private final Map<String, Instant> incidentsFirstSeen = new ConcurrentHashMap<>();
  private final Map<String, JsonObject> incidents = new ConcurrentHashMap<>();

  public SimulationDriver(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    // One event loop: every callback runs on one thread, so the recorder sees them in order.
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    this.web =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setDefaultHost(settings.server().getHost())
                .setDefaultPort(settings.server().getPort())
                .setMaxPoolSize(32)
                .setIdleTimeout(0));
  }

  /** Runs the scenario to its end and scores it. */
  public RunReport run() throws Exception {
    try {
      District district = new GeneratedDistrict(settings.seed(), settings.scale()).generate();
      checkServerHolds(district);
      Instant start =
          clock.instant().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      ScenarioPlan plan = new ScenarioPlan(district, settings.scenario(), start, settings.seed());
      NavigableMap<Instant, List<ScenarioPlan.Send>> sends = plan.sends();
      connectMqtt(sends);
      HttpClient sse = subscribe();
      long poller = vertx.setPeriodic(2_000, tick -> pollIncidents());
      play(sends, start);
      Instant lastTick = sends.lastKey();
      waitUntil(lastTick.plus(settings.grace()));
      vertx.cancelTimer(poller);
      await(pollIncidents());
      sse.close();
      List<RunReport.BadInput> badInputs = sendBadInputs(district);
      RunReport.HistoryCheck history = checkHistory(start, lastTick);
      return recorder.report(
          new RunReport.Outcome(
              plan,
              settings.scale(),
              Map.copyOf(incidents),
              Map.copyOf(incidentsFirstSeen),
              badInputs,
              history,
              Duration.between(start, lastTick)));
    } finally {
      mqtt.values().forEach(link -> link.client().disconnect());
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private void checkServerHolds(District district) throws Exception {
    SimDevice first = district.devices().get(0);
    HttpResponse<Buffer> answer =
        await(
            web.get("/api/2/things/" + first.thingId()).timeout(REQUEST_TIMEOUT.toMillis()).send());
    if (answer.statusCode() != 200) {
      throw new IllegalStateException(
          "the server at "
              + settings.server()
              + " does not hold twin "
              + first.thingId()
              + " ("
              + answer.statusCode()
              + "): start it with the district of the same --seed and --scale (citytwin sim district)");
    }
  }

  private record MqttLink(MqttClient client, Map<Integer, Pending> pending) {}

  private record Pending(ScenarioPlan.Send send, long sentNanos) {}

  private void connectMqtt(NavigableMap<Instant, List<ScenarioPlan.Send>> sends) throws Exception {
    Map<String, SimDevice> devices = new TreeMap<>();
    sends
        .values()
        .forEach(
            tick ->
                tick.stream()
                    .filter(send -> send.transport() == ScenarioPlan.Transport.MQTT)
                    .forEach(send -> devices.put(send.device().username(), send.device())));
    List<Future<?>> connected = new ArrayList<>();
    for (SimDevice device : devices.values()) {
      MqttClient client =
          MqttClient.create(
              vertx,
              new MqttClientOptions()
                  .setClientId("sim-" + device.deviceId())
                  .setUsername(device.username())
                  .setPassword(device.password())
                  .setAckTimeout(30)
                  .setMaxInflightQueue(100));
      MqttLink link = new MqttLink(client, new HashMap<>());
      client.publishCompletionHandler(
          packetId -> {
            Pending pending = link.pending().remove(packetId);
            if (pending != null) {
              acknowledged(pending.send(), pending.sentNanos(), "mqtt");
            }
          });
      client.publishCompletionExpirationHandler(
          packetId -> {
            Pending pending = link.pending().remove(packetId);
            if (pending != null) {
              recorder.refused(pending.send(), "mqtt", "no PUBACK within 30 s");
            }
          });
      client.closeHandler(
          closed -> {
            // A 3.1.1 server closes the connection instead of a negative PUBACK.
            link.pending()
                .values()
                .forEach(p -> recorder.refused(p.send(), "mqtt", "connection closed"));
            link.pending().clear();
          });
      mqtt.put(device.username(), link);
      connected.add(client.connect(settings.mqttPort(), settings.server().getHost()));
    }
    for (Future<?> connection : connected) {
      await(connection);
    }
  }

  private HttpClient subscribe() {
    return TwinChangeStream.subscribe(
        vertx,
        settings.server(),
        "/api/2/things?namespaces=water",
        this::twinChanged,
        failure -> recorder.note("SSE subscription failed: " + failure));
  }

  /** A gauge's depth on its twin: how long after it was sent did the subscriber see it. */
  private void twinChanged(JsonObject change) {
    sentDepths.seen(change, System.nanoTime()).ifPresent(recorder::twinLatency);
  }

  private void play(NavigableMap<Instant, List<ScenarioPlan.Send>> sends, Instant start)
      throws InterruptedException {
    Instant end = sends.lastKey();
    long lastDrawn = 0;
    for (Map.Entry<Instant, List<ScenarioPlan.Send>> tick : sends.entrySet()) {
      waitUntil(tick.getKey());
      List<ScenarioPlan.Send> due = tick.getValue();
      vertx.runOnContext(v -> due.forEach(this::send));
      long now = System.nanoTime();
      if (settings.progress() != null && now - lastDrawn > 5_000_000_000L) {
        lastDrawn = now;
        drawProgress(start, end, tick.getKey());
      }
    }
    if (settings.progress() != null) {
      drawProgress(start, end, end);
      settings.progress().println();
    }
  }

  private void drawProgress(Instant start, Instant end, Instant now) {
    double done =
        (double) Duration.between(start, now).toMillis() / Duration.between(start, end).toMillis();
    int filled = (int) Math.round(Math.max(0, Math.min(1, done)) * 30);
    settings
        .progress()
        .printf(
            "\r[%s%s] %3d s of %d s  sent %,d  acknowledged %,d  refused %,d  incidents %d",
            "#".repeat(filled),
            ".".repeat(30 - filled),
            Duration.between(start, now).toSeconds(),
            Duration.between(start, end).toSeconds(),
            recorder.sent(),
            recorder.acknowledged(),
            recorder.refusedCount(),
            incidents.size());
    settings.progress().flush();
  }

  private void send(ScenarioPlan.Send send) {
    recorder.sent(send);
    long sentNanos = System.nanoTime();
    for (ScenarioPlan.Reading reading : send.readings()) {
      if (reading.series().equals("waterlogging/depth")
          && reading.fault() == ScenarioPlan.Fault.NONE) {
        sentDepths.sent(
            send.device().thingId(), reading.payload().getDouble("depth_cm"), sentNanos);
      }
    }
    switch (send.transport()) {
      case MQTT -> {
        MqttLink link = mqtt.get(send.device().username());
        link.client()
            .publish(
                "telemetry",
                Buffer.buffer(send.readings().get(0).payload().encode()),
                MqttQoS.AT_LEAST_ONCE,
                false,
                false)
            .onSuccess(packetId -> link.pending().put(packetId, new Pending(send, sentNanos)))
            .onFailure(failure -> recorder.refused(send, "mqtt", failure.getMessage()));
      }
      case HTTP, HTTP_BATCH -> {
        boolean batch = send.transport() == ScenarioPlan.Transport.HTTP_BATCH;
        web.post(batch ? "/telemetry/batch" : "/telemetry")
            .basicAuthentication(send.device().username(), send.device().password())
            .putHeader("Content-Type", "application/json")
            .timeout(REQUEST_TIMEOUT.toMillis())
            .sendBuffer(
                Buffer.buffer(
                    batch
                        ? ScenarioPlan.batchBody(send).encode()
                        : send.readings().get(0).payload().encode()))
            .onComplete(
                answer -> {
                  String transport = batch ? "http-batch" : "http";
                  if (answer.failed()) {
                    recorder.refused(send, transport, answer.cause().getMessage());
                  } else if (answer.result().statusCode() == 202) {
                    acknowledged(send, sentNanos, transport);
                  } else {
                    recorder.answered(
                        send,
                        transport,
                        answer.result().statusCode(),
                        answer.result().bodyAsString());
                  }
                });
      }
    }
  }

  private void acknowledged(ScenarioPlan.Send send, long sentNanos, String transport) {
    recorder.acknowledged(send, transport, System.nanoTime() - sentNanos);
  }

  private Future<Void> pollIncidents() {
    return web.get("/api/incidents")
        .addQueryParam("limit", "10000")
        .timeout(REQUEST_TIMEOUT.toMillis())
        .send()
        .map(
            answer -> {
              if (answer.statusCode() >= 500) {
                recorder.serverError("GET /api/incidents", answer.statusCode());
              }
              if (answer.statusCode() == 200) {
                Instant now = clock.instant();
                JsonArray listed = answer.bodyAsJsonArray();
                for (int i = 0; i < listed.size(); i++) {
                  JsonObject incident = listed.getJsonObject(i);
                  incidents.put(incident.getString("id"), incident);
                  incidentsFirstSeen.putIfAbsent(incident.getString("id"), now);
                }
              }
              return null;
            });
  }

  /** The inputs a district's devices get wrong, each sent once, and how the server answered. */
  private List<RunReport.BadInput> sendBadInputs(District district) throws Exception {
    SimDevice gauge =
        district.devices().stream()
            .filter(d -> d.kind().equals(FloodScenario.GAUGE_KIND))
            .findFirst()
            .orElseThrow();
    long now = clock.instant().toEpochMilli();
    List<RunReport.BadInput> answers = new ArrayList<>();
    answers.add(
        badHttp(
            "wrong password",
            gauge.username(),
            "not-" + gauge.password(),
            "application/json",
            "{\"depth_cm\": 3, \"ts\": " + now + "}",
            401));
    answers.add(
        badHttp(
            "unknown device",
            "wlg-99999@water",
            "x",
            "application/json",
            "{\"depth_cm\": 3}",
            401));
    answers.add(
        badHttp(
            "not JSON", gauge.username(), gauge.password(), "application/json", "depth=3", 400));
    answers.add(
        badHttp(
            "depth as text",
            gauge.username(),
            gauge.password(),
            "application/json",
            "{\"depth_cm\": \"deep\", \"ts\": " + now + "}",
            400));
    answers.add(
        badHttp(
            "depth of 9 m",
            gauge.username(),
            gauge.password(),
            "application/json",
            "{\"depth_cm\": 900, \"ts\": " + now + "}",
            400));
    answers.add(
        badHttp(
            "not application/json",
            gauge.username(),
            gauge.password(),
            "text/plain",
            "{\"depth_cm\": 3}",
            415));
    answers.add(
        badHttp(
            "over 64 KiB",
            gauge.username(),
            gauge.password(),
            "application/json",
            "{\"depth_cm\": 3, \"note\": \"" + "x".repeat(70_000) + "\"}",
            413));
    answers.add(badMqttPassword(gauge));
    return answers;
  }

  private RunReport.BadInput badHttp(
      String name, String user, String password, String contentType, String body, int expected)
      throws Exception {
    HttpResponse<Buffer> answer =
        await(
            web.post("/telemetry")
                .basicAuthentication(user, password)
                .putHeader("Content-Type", contentType)
                .timeout(REQUEST_TIMEOUT.toMillis())
                .sendBuffer(Buffer.buffer(body)));
    String code = "";
    try {
      code = answer.bodyAsJsonObject().getString("error", "");
    } catch (RuntimeException notJson) {
      code = "(no Ditto-style error body)";
    }
    if (answer.statusCode() >= 500) {
      recorder.serverError("POST /telemetry (" + name + ")", answer.statusCode());
    }
    return new RunReport.BadInput(name, "http", expected, answer.statusCode(), code);
  }

  private RunReport.BadInput badMqttPassword(SimDevice gauge) throws Exception {
    MqttClient client =
        MqttClient.create(
            vertx,
            new MqttClientOptions()
                .setClientId("sim-bad-password")
                .setUsername(gauge.username())
                .setPassword("not-" + gauge.password()));
    Promise<Integer> refused = Promise.promise();
    client
        .connect(settings.mqttPort(), settings.server().getHost())
        .onSuccess(ack -> refused.tryComplete(ack.code().byteValue() & 0xff))
        .onFailure(
            failure -> {
              String text = String.valueOf(failure.getMessage());
              refused.tryComplete(
                  text.contains("NOT_AUTHORIZED") || text.contains("BAD_USER") ? 4 : -1);
            });
    int code = await(refused.future());
    return new RunReport.BadInput("wrong password", "mqtt", 4, code, "CONNACK " + code);
  }

  /** Every acknowledged reading, looked for in history. */
  private RunReport.HistoryCheck checkHistory(Instant start, Instant end) throws Exception {
    Map<String, Set<Instant>> acknowledged = recorder.acknowledgedReadings();
    String from = start.minus(ScenarioPlan.LATE_BY).minusSeconds(60).toString();
    String to = end.plus(ScenarioPlan.CLOCK_AHEAD).plusSeconds(60).toString();
    long checked = 0;
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, Set<Instant>> series : new TreeMap<>(acknowledged).entrySet()) {
      String[] parts = series.getKey().split("\\|");
      String thingId = parts[0];
      String path = parts[1];
      // A tracker's fixes are read as its trajectory; other readings as their property's range.
      Set<Instant> stored =
          path.equals("position")
              ? storedTimes(
                  "/api/history/things/" + thingId + "/trajectory",
                  from,
                  to,
                  body -> body.getJsonObject("properties").getJsonArray("times").stream())
              : storedTimes(
                  "/api/history/things/"
                      + thingId
                      + "/features/"
                      + path.replace("/", "/properties/"),
                  from,
                  to,
                  body ->
                      body.getJsonArray("readings").stream()
                          .map(row -> ((JsonObject) row).getString("observedAt")));
      for (Instant observed : series.getValue()) {
        checked++;
        if (!stored.contains(observed)) {
          missing.add(thingId + " " + path + " " + observed);
        }
      }
    }
    return new RunReport.HistoryCheck(checked, missing);
  }

  private Set<Instant> storedTimes(
      String uri,
      String from,
      String to,
      java.util.function.Function<JsonObject, java.util.stream.Stream<?>> times)
      throws Exception {
    HttpResponse<Buffer> answer = null;
    // The check reads history as fast as the server answers: more than one client's rate, so it
    // waits out a 429 as Retry-After asks, as any well-behaved API client does.
    for (int attempt = 0; attempt < MAX_RATE_LIMITED_ATTEMPTS; attempt++) {
      answer =
          await(
              web.get(uri)
                  .addQueryParam("from", from)
                  .addQueryParam("to", to)
                  .addQueryParam("limit", "100000")
                  .timeout(REQUEST_TIMEOUT.toMillis())
                  .send());
      if (answer.statusCode() != 429) {
        break;
      }
      long waitSeconds = retryAfterSeconds(answer);
      Promise<Void> waited = Promise.promise();
      vertx.setTimer(waitSeconds * 1000, tick -> waited.complete());
      await(waited.future());
    }
    Set<Instant> stored = new HashSet<>();
    if (answer.statusCode() == 200) {
      times
          .apply(answer.bodyAsJsonObject())
          .forEach(time -> stored.add(Instant.parse(time.toString())));
    } else if (answer.statusCode() >= 500) {
      recorder.serverError("GET " + uri, answer.statusCode());
    } else {
      recorder.note("GET " + uri + " answered " + answer.statusCode());
    }
    return stored;
  }

  private void waitUntil(Instant when) throws InterruptedException {
    long millis = Duration.between(clock.instant(), when).toMillis();
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  private static final int MAX_RATE_LIMITED_ATTEMPTS = 10;

  private static long retryAfterSeconds(HttpResponse<Buffer> answer) {
    try {
      return Math.max(1, Math.min(30, Long.parseLong(answer.getHeader("Retry-After").strip())));
    } catch (RuntimeException missingOrMalformed) {
      return 1;
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
