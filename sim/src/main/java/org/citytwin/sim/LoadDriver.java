package org.citytwin.sim;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load benchmark's driver: against a running server holding a {@link GeneratedDistrict}, its
 * waterlogging gauges send as fast as the server acknowledges, one way at a time for a fixed window
 * each (HTTP, one reading a request; HTTP batches of a gauge's own readings; HTTP batches from a
 * gateway, a reading of another gauge each, when the server has one; MQTT QoS 1), while a
 * subscriber of the twin stream times each change from the reading's send; then API users search
 * the twins. Each way keeps a fixed number of requests in flight (a closed loop), so the rates are
 * what the server sustains, not what was offered.
 *
 * <p>Readings are valid and move a little each time, so that every one passes cleaning to its twin:
 * timestamps are the send time (later than the gauge's previous one) and depths walk a few
 * millimetres.
 */
public final class LoadDriver {

  /**
   * @param server the server's HTTP address
   * @param mqttPort its device MQTT port
   * @param seed the seed of the server's district
   * @param scale its scale
   * @param window how long each way is driven
   * @param inFlight HTTP requests in flight at once
   * @param batchSize readings in one HTTP batch
   * @param mqttConnections MQTT connections, one gauge each, each with 20 messages in flight
   * @param warmUp how long each HTTP way runs, uncounted, before anything is measured (a fresh
   *     server compiles its hot paths in its first seconds)
   * @param gateway a gateway every waterlogging gauge lists in its {@code via}, if the server has
   *     one: then a further way sends its batches, each reading from another gauge
   */
  public record Settings(
      URI server,
      int mqttPort,
      long seed,
      double scale,
      Duration window,
      int inFlight,
      int batchSize,
      int mqttConnections,
      Duration warmUp,
      Optional<Gateway> gateway) {}

  /**
   * A gateway's credentials: it sends for the devices of its tenant that list it in {@code via}.
   */
  public record Gateway(String tenant, String deviceId, String password) {

    /** The HTTP Basic user name Hono's device endpoints expect. */
    public String username() {
      return deviceId + "@" + tenant;
    }
  }

  /** How an HTTP way sends readings. */
  private enum HttpWay {
    /** One reading a request, as the device. */
    SINGLE,
    /** Batches of one gauge's own readings, as the device: one twin update per batch. */
    OWN_BATCHES,
    /** Batches from the gateway, each reading from the next gauge: a twin update per reading. */
    GATEWAY_BATCHES
  }

  /** What one way of sending (or searching) sustained. */
  public record Figures(
      String way, long requests, long readings, long refused, double seconds, Percentiles latency) {
    public double readingsPerSecond() {
      return readings / seconds;
    }

    public double requestsPerSecond() {
      return requests / seconds;
    }
  }

  /** Latency percentiles in milliseconds, from a sample of nanoseconds. */
  public record Percentiles(long count, double p50, double p99, double max) {
    static Percentiles of(List<Long> nanos) {
      List<Long> sorted = new ArrayList<>(nanos);
      sorted.sort(null);
      if (sorted.isEmpty()) {
        return new Percentiles(0, 0, 0, 0);
      }
      return new Percentiles(
          sorted.size(),
          sorted.get(sorted.size() / 2) / 1e6,
          sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6,
          sorted.get(sorted.size() - 1) / 1e6);
    }

    String text() {
      return String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms", p50, p99);
    }
  }

  /** The figures of a run. */
  public record Result(
      int gauges, List<Figures> ways, Percentiles twinChangeSeen, List<String> problems) {

    /** The figures as a Markdown table. */
    public String markdown() {
      StringBuilder text = new StringBuilder();
      text.append("| way | requests/s | readings/s | acknowledgement | refused |\n");
      text.append("| --- | --- | --- | --- | --- |\n");
      for (Figures way : ways) {
        text.append(
            String.format(
                Locale.ROOT,
                "| %s | %,.0f | %,.0f | %s | %,d |%n",
                way.way(),
                way.requestsPerSecond(),
                way.readingsPerSecond(),
                way.latency().text(),
                way.refused()));
      }
      text.append(
          String.format(
              Locale.ROOT,
              "%nTwin change seen by an SSE subscriber after the reading was sent (HTTP ways): %s,"
                  + " %,d changes timed.%n",
              twinChangeSeen.text(),
              twinChangeSeen.count()));
      if (!problems.isEmpty()) {
        text.append("\nProblems: ").append(String.join("; ", problems)).append('\n');
      }
      return text.toString();
    }
  }

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final Settings settings;
  private final Vertx vertx = Vertx.vertx();
  private final WebClient web;
  private final DepthSends sentDepths = new DepthSends();
  private final List<Long> twinNanos = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final Map<String, long[]> gaugeState = new ConcurrentHashMap<>();

  public LoadDriver(Settings settings) {
    this.settings = settings;
    this.web =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setDefaultHost(settings.server().getHost())
                .setDefaultPort(settings.server().getPort())
                .setMaxPoolSize(Math.max(8, settings.inFlight()))
                .setKeepAlive(true));
  }

  /** Drives each way in turn, then searches; closes its clients when done. */
  public Result run() throws Exception {
    try {
      District district = new GeneratedDistrict(settings.seed(), settings.scale()).generate();
      List<SimDevice> gauges = district.devicesOfKind(FloodScenario.GAUGE_KIND);
      if (gauges.isEmpty()) {
        throw new IllegalStateException("the district has no waterlogging gauges");
      }
      HttpClient stream =
          TwinChangeStream.subscribe(
              vertx,
              settings.server(),
              "/api/2/things?namespaces=water",
              this::twinChanged,
              failure -> problem("twin stream: " + failure));
      List<HttpWay> httpWays =
          settings.gateway().isPresent()
              ? List.of(HttpWay.SINGLE, HttpWay.OWN_BATCHES, HttpWay.GATEWAY_BATCHES)
              : List.of(HttpWay.SINGLE, HttpWay.OWN_BATCHES);
      if (!settings.warmUp().isZero()) {
        for (HttpWay way : httpWays) {
          http(gauges, way, settings.warmUp());
        }
      }
      synchronized (twinNanos) {
        twinNanos.clear();
      }
      List<Figures> ways = new ArrayList<>();
      for (HttpWay way : httpWays) {
        ways.add(http(gauges, way, settings.window()));
      }
      Percentiles seen;
      synchronized (twinNanos) {
        seen = Percentiles.of(twinNanos);
      }
      stream.close();
      ways.add(mqtt(gauges));
      ways.add(search(district));
      return new Result(gauges.size(), ways, seen, List.copyOf(problems));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private synchronized void problem(String text) {
    if (problems.size() < 10) {
      problems.add(text);
    }
  }

  /**
   * The next reading of {@code gauge}: its time later than its last, its depth a few millimetres
   * from it. Called on the driver's event loop only.
   */
  private JsonObject nextReading(SimDevice gauge, java.util.SplittableRandom random) {
    long[] state = gaugeState.computeIfAbsent(gauge.deviceId(), id -> new long[] {0, 500});
    long now = System.currentTimeMillis();
    state[0] = Math.max(now, state[0] + 1);
    // depth in hundredths of a centimetre, walking between 0 and 30 cm
    state[1] = Math.max(0, Math.min(3_000, state[1] + random.nextInt(-40, 41)));
    return new JsonObject().put("depth_cm", state[1] / 100.0).put("ts", state[0]);
  }

  private void twinChanged(JsonObject change) {
    sentDepths
        .seen(change, System.nanoTime())
        .ifPresent(
            nanos -> {
              synchronized (twinNanos) {
                twinNanos.add(nanos);
              }
            });
  }

  /** HTTP, one reading a request or batches, in a closed loop. */
  private Figures http(List<SimDevice> gauges, HttpWay httpWay, Duration window) throws Exception {
    String way =
        switch (httpWay) {
          case SINGLE -> "HTTP, one reading a request (`POST /telemetry`)";
          case OWN_BATCHES ->
              "HTTP batches of "
                  + settings.batchSize()
                  + " of a gauge's own readings (`POST /telemetry/batch`)";
          case GATEWAY_BATCHES ->
              "HTTP batches of "
                  + settings.batchSize()
                  + " from a gateway, each reading from another gauge (`POST /telemetry/batch`)";
        };
    Counter counter = new Counter();
    AtomicInteger next = new AtomicInteger();
    long deadline = System.nanoTime() + window.toNanos();
    Promise<Void> done = Promise.promise();
    AtomicInteger running = new AtomicInteger(settings.inFlight());
    vertx.runOnContext(
        start -> {
          java.util.SplittableRandom random = new java.util.SplittableRandom(settings.seed());
          for (int i = 0; i < settings.inFlight(); i++) {
            httpLoop(gauges, httpWay, next, deadline, counter, random, running, done);
          }
        });
    await(done.future(), window.plus(REQUEST_TIMEOUT).plusSeconds(10));
    return counter.figures(way, window);
  }

  private void httpLoop(
      List<SimDevice> gauges,
      HttpWay way,
      AtomicInteger next,
      long deadline,
      Counter counter,
      java.util.SplittableRandom random,
      AtomicInteger running,
      Promise<Void> done) {
    if (pastDeadline(deadline, running, done)) {
      return;
    }
    SimDevice gauge = gauges.get(Math.floorMod(next.getAndIncrement(), gauges.size()));
    int readings = way == HttpWay.SINGLE ? 1 : settings.batchSize();
    Buffer body;
    long sentNanos = System.nanoTime();
    String username = gauge.username();
    String password = gauge.password();
    switch (way) {
      case SINGLE -> {
        JsonObject reading = nextReading(gauge, random);
        body = reading.toBuffer();
        sentDepths.sent(gauge.thingId(), reading.getDouble("depth_cm"), sentNanos);
      }
      case OWN_BATCHES -> {
        JsonArray items = new JsonArray();
        for (int i = 0; i < readings; i++) {
          items.add(new JsonObject().put("payload", nextReading(gauge, random)));
        }
        body = items.toBuffer();
        JsonObject last = items.getJsonObject(readings - 1).getJsonObject("payload");
        sentDepths.sent(gauge.thingId(), last.getDouble("depth_cm"), sentNanos);
      }
      case GATEWAY_BATCHES -> {
        JsonArray items = new JsonArray();
        items.add(gatewayItem(gauge, random, sentNanos));
        for (int i = 1; i < readings; i++) {
          SimDevice another = gauges.get(Math.floorMod(next.getAndIncrement(), gauges.size()));
          items.add(gatewayItem(another, random, sentNanos));
        }
        body = items.toBuffer();
        Gateway gateway = settings.gateway().orElseThrow();
        username = gateway.username();
        password = gateway.password();
      }
      default -> throw new IllegalStateException("unknown way " + way);
    }
    HttpRequest<Buffer> request =
        web.post(way == HttpWay.SINGLE ? "/telemetry" : "/telemetry/batch")
            .basicAuthentication(username, password)
            .putHeader("Content-Type", "application/json")
            .timeout(REQUEST_TIMEOUT.toMillis());
    request
        .sendBuffer(body)
        .onComplete(
            answer -> {
              boolean inWindow = System.nanoTime() <= deadline;
              if (answer.succeeded() && answer.result().statusCode() == 202) {
                counter.acknowledged(readings, System.nanoTime() - sentNanos, inWindow);
              } else {
                counter.refused(readings, inWindow);
                problem(
                    answer.succeeded()
                        ? "HTTP "
                            + answer.result().statusCode()
                            + " "
                            + answer.result().bodyAsString()
                        : "HTTP " + answer.cause().getMessage());
              }
              httpLoop(gauges, way, next, deadline, counter, random, running, done);
            });
  }

  /**
   * One reading of a gateway's batch, for {@code gauge}. It carries no time of its own: stamped on
   * arrival, so that a gauge's readings in batches the server takes in another order than they were
   * sent are not out of order, and each reaches its twin.
   */
  private JsonObject gatewayItem(
      SimDevice gauge, java.util.SplittableRandom random, long sentNanos) {
    JsonObject payload = nextReading(gauge, random);
    payload.remove("ts");
    sentDepths.sent(gauge.thingId(), payload.getDouble("depth_cm"), sentNanos);
    return new JsonObject().put("device", gauge.deviceId()).put("payload", payload);
  }

  /** MQTT QoS 1: one connection per gauge, 20 messages in flight on each. */
  private Figures mqtt(List<SimDevice> gauges) throws Exception {
    int connections = Math.min(settings.mqttConnections(), gauges.size());
    Counter counter = new Counter();
    List<MqttClient> clients = new ArrayList<>();
    List<Future<?>> connected = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      MqttClient client =
          MqttClient.create(
              vertx,
              new MqttClientOptions()
                  .setClientId("load-" + gauges.get(c).deviceId())
                  .setUsername(gauges.get(c).username())
                  .setPassword(gauges.get(c).password())
                  .setAckTimeout(30)
                  .setMaxInflightQueue(100));
      clients.add(client);
      connected.add(client.connect(settings.mqttPort(), settings.server().getHost()));
    }
    for (Future<?> connection : connected) {
      await(connection, Duration.ofSeconds(30));
    }
    long deadline = System.nanoTime() + settings.window().toNanos();
    Promise<Void> done = Promise.promise();
    AtomicInteger running = new AtomicInteger(connections);
    for (int c = 0; c < connections; c++) {
      MqttClient client = clients.get(c);
      SimDevice gauge = gauges.get(c);
      Map<Integer, Long> pending = new HashMap<>();
      boolean[] finished = {false};
      java.util.SplittableRandom random = new java.util.SplittableRandom(settings.seed() + c);
      Runnable[] publish = new Runnable[1];
      publish[0] =
          () -> {
            if (System.nanoTime() >= deadline) {
              if (pending.isEmpty() && !finished[0]) {
                finished[0] = true;
                if (running.decrementAndGet() == 0) {
                  done.tryComplete();
                }
              }
              return;
            }
            long sentNanos = System.nanoTime();
            client
                .publish(
                    "telemetry",
                    nextReading(gauge, random).toBuffer(),
                    MqttQoS.AT_LEAST_ONCE,
                    false,
                    false)
                .onSuccess(packetId -> pending.put(packetId, sentNanos))
                .onFailure(
                    failure -> {
                      counter.refused(1, true);
                      problem("MQTT " + failure.getMessage());
                    });
          };
      client.publishCompletionHandler(
          packetId -> {
            Long sent = pending.remove(packetId);
            if (sent != null) {
              long now = System.nanoTime();
              counter.acknowledged(1, now - sent, now <= deadline);
            }
            publish[0].run();
          });
      client.publishCompletionExpirationHandler(
          packetId -> {
            pending.remove(packetId);
            counter.refused(1, true);
            problem("MQTT: no PUBACK within 30 s");
            publish[0].run();
          });
      vertx.runOnContext(
          start -> {
            for (int i = 0; i < 20; i++) {
              publish[0].run();
            }
          });
    }
    await(done.future(), settings.window().plusSeconds(40));
    for (MqttClient client : clients) {
      client.disconnect();
    }
    return counter.figures(
        "MQTT QoS 1, " + connections + " connections, 20 in flight each", settings.window());
  }

  /** API users searching: indexed RQL by grid and definition, and geo searches by catchment. */
  private Figures search(District district) throws Exception {
    List<String> queries = new ArrayList<>();
    JsonArray zones = district.zones().getJsonArray("features");
    for (int i = 0; i < zones.size(); i++) {
      JsonObject properties = zones.getJsonObject(i).getJsonObject("properties");
      String id = properties.getString("id");
      switch (properties.getString("type")) {
        case "grid" ->
            queries.add(
                "/api/2/search/things?option=size(50)&filter="
                    + encode("eq(attributes/hierarchy/grid,\"" + id + "\")"));
        case "catchment" ->
            queries.add(
                "/api/2/search/things?option=size(50)&geo="
                    + encode("within(zone:" + id + ")")
                    + "&filter="
                    + encode("eq(definition,\"citytwin:waterlogging-gauge:1.0.0\")"));
        default -> {}
      }
    }
    Counter counter = new Counter();
    AtomicInteger next = new AtomicInteger();
    long deadline = System.nanoTime() + settings.window().toNanos();
    Promise<Void> done = Promise.promise();
    int workers = Math.min(8, settings.inFlight());
    AtomicInteger running = new AtomicInteger(workers);
    vertx.runOnContext(
        start -> {
          for (int i = 0; i < workers; i++) {
            searchLoop(queries, next, deadline, counter, running, done);
          }
        });
    await(done.future(), settings.window().plus(REQUEST_TIMEOUT).plusSeconds(10));
    return counter.figures(
        "search: indexed RQL by grid, or geo within a catchment + definition, pages of 50, "
            + workers
            + " in flight",
        settings.window());
  }

  private void searchLoop(
      List<String> queries,
      AtomicInteger next,
      long deadline,
      Counter counter,
      AtomicInteger running,
      Promise<Void> done) {
    if (pastDeadline(deadline, running, done)) {
      return;
    }
    String uri = queries.get(Math.floorMod(next.getAndIncrement(), queries.size()));
    long sentNanos = System.nanoTime();
    web.get(uri)
        .timeout(REQUEST_TIMEOUT.toMillis())
        .send()
        .onComplete(
            answer -> {
              boolean inWindow = System.nanoTime() <= deadline;
              if (answer.succeeded() && answer.result().statusCode() == 200) {
                counter.acknowledged(
                    answer.result().bodyAsJsonObject().getJsonArray("items").size(),
                    System.nanoTime() - sentNanos,
                    inWindow);
              } else {
                counter.refused(0, inWindow);
                problem(
                    answer.succeeded()
                        ? "search " + answer.result().statusCode() + " " + uri
                        : "search " + answer.cause().getMessage());
              }
              searchLoop(queries, next, deadline, counter, running, done);
            });
  }

  /**
   * Whether a closed loop's window is over; the last of {@code running} loops to find it over
   * completes {@code done}.
   */
  private static boolean pastDeadline(long deadline, AtomicInteger running, Promise<Void> done) {
    if (System.nanoTime() < deadline) {
      return false;
    }
    if (running.decrementAndGet() == 0) {
      done.tryComplete();
    }
    return true;
  }

  private static String encode(String text) {
    return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Requests and readings answered within the window, and their latencies. */
  private static final class Counter {
    private long requests;
    private long readings;
    private long refused;
    private final List<Long> nanos = new ArrayList<>();

    synchronized void acknowledged(int count, long latencyNanos, boolean inWindow) {
      if (inWindow) {
        requests++;
        readings += count;
        nanos.add(latencyNanos);
      }
    }

    synchronized void refused(int count, boolean inWindow) {
      if (inWindow) {
        refused += Math.max(1, count);
      }
    }

    synchronized Figures figures(String way, Duration window) {
      return new Figures(
          way, requests, readings, refused, window.toMillis() / 1000.0, Percentiles.of(nanos));
    }
  }

  private static <T> T await(Future<T> future, Duration timeout) throws Exception {
    return future
        .toCompletionStage()
        .toCompletableFuture()
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
