package org.citytwin.launcher.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.citytwin.history.Storage;
import org.citytwin.launcher.CitytwinConfig;
import org.citytwin.launcher.CitytwinServer;
import org.citytwin.sim.DemoDistrict;
import org.citytwin.sim.District;
import org.citytwin.sim.LoadDriver;
import org.citytwin.sim.SimDevice;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.Reading;

/**
 * Ingest's benchmark: readings sent end to end (authenticated, normalised, committed to history,
 * applied to twins, acknowledged) over HTTP batches and over MQTT QoS 1, each sustained for the
 * given duration, against a server in this process with the embedded DuckDB store; and, in the same
 * run, the same readings written straight into DuckDB through its Appender, the fastest bulk path,
 * as the ratio's base. Results are printed as a Markdown table.
 *
 * <p>Each protocol's window follows {@link #WARM_UP} of the same load, not counted: a server runs
 * for months, and in its first minute of load the JIT compilers still take a fifth of the two cores
 * (a CPU profile 25-45 s into an unwarmed window), which a measure of sustained throughput should
 * not charge to every reading.
 */
public final class IngestBenchmark {

  static final String PASSWORD = "bench-password";
  static final String GATEWAY = "gw-bench";
  static final int ITEMS_PER_BATCH = 500;
  private static final int HTTP_BATCHES_IN_FLIGHT = 16;
  private static final int MQTT_CONNECTIONS = 50;
  private static final int MQTT_IN_FLIGHT_PER_CONNECTION = 20;
  private static final int MQTT_ACK_TIMEOUT_SECONDS = 10;
  private static final Duration WARM_UP = Duration.ofSeconds(30);

  private final Path workDirectory;
  private final Duration duration;
  private final List<String> rows = new ArrayList<>();

  public IngestBenchmark(Path workDirectory, Duration duration) {
    this.workDirectory = workDirectory;
    this.duration = duration;
  }

  /** Runs every measurement; returns the Markdown table of results. */
  public String run() throws Exception {
    District district = new DemoDistrict(3, 10, 20, PASSWORD).generate();
    Path districtDir = workDirectory.resolve("district");
    district.writeTo(districtDir);
    List<SimDevice> gauges = district.devices();
    registerGateway(districtDir.resolve(District.DEVICES_FILE), gauges);
    row("devices", String.format(Locale.ROOT, "%,d waterlogging gauges", gauges.size()), "");

    double direct = directAppend(gauges);
    CitytwinConfig config = serverConfig(workDirectory, districtDir);
    try (CitytwinServer server = CitytwinServer.start(config, Clock.systemUTC())) {
      double http = httpBatches(server.port(), gauges);
      row(
          "HTTP batches: readings per second, end to end",
          String.format(Locale.ROOT, "%,.0f /s; %.2f x the direct append", http, http / direct),
          "target >= 100,000 /s");
      double mqtt = mqttQos1(server.mqttPort(), gauges);
      row(
          "MQTT QoS 1: messages (1 reading each) per second, end to end",
          String.format(Locale.ROOT, "%,.0f /s; %.2f x the direct append", mqtt, mqtt / direct),
          "target >= 30,000 /s");
      row("refusals during the run (from /metrics)", refusals(server.port()), "");
    }
    return "| measurement | result | note |\n| --- | --- | --- |\n"
        + String.join("\n", rows)
        + "\n";
  }

  private void row(String what, String result, String note) {
    rows.add("| " + what + " | " + result + " | " + note + " |");
    System.err.println(what + ": " + result + " " + note);
  }

  /** A server on free ports with its data in {@code workDirectory}, serving the district. */
  static CitytwinConfig serverConfig(Path workDirectory, Path districtDir) {
    return CitytwinConfig.resolve(
            Optional.empty(),
            Map.of(),
            Map.of(
                "http.port",
                "0",
                "mqtt.port",
                "0",
                "data.dir",
                workDirectory.resolve("data").toString()))
        .withDistrict(districtDir);
  }

  /**
   * 100 batches of 500 readings of {@code gauges}, for {@code POST /telemetry/batch} from the
   * gateway.
   */
  static List<Buffer> gatewayBatches(List<SimDevice> gauges, long seed) {
    List<Buffer> batches = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(seed);
    for (int b = 0; b < 100; b++) {
      JsonArray items = new JsonArray();
      for (int i = 0; i < ITEMS_PER_BATCH; i++) {
        SimDevice gauge = gauges.get((b * ITEMS_PER_BATCH + i) % gauges.size());
        items.add(
            new JsonObject()
                .put("device", gauge.deviceId())
                .put(
                    "payload",
                    // No time of its own: stamped on arrival, so a batch sent again is new
                    // readings, not repeats. Depths stay within what cleaning calls plausible
                    // change, so that every reading reaches its twin.
                    new JsonObject().put("depth_cm", 20 + random.nextInt(5))));
      }
      batches.add(items.toBuffer());
    }
    return batches;
  }

  /** An HTTP client of the server on this machine's {@code port}, up to {@code connections}. */
  static HttpClient localClient(Vertx vertx, int port, int connections) {
    return vertx.createHttpClient(
        new HttpClientOptions()
            .setDefaultHost("127.0.0.1")
            .setDefaultPort(port)
            .setMaxPoolSize(connections));
  }

  /** An HTTP Basic {@code Authorization} header value. */
  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Registers a gateway in the district's {@code devices.json}, a copy of the first such device's
   * registration under another id and password, and lists it in the {@code via} of each of {@code
   * behind}.
   */
  public static LoadDriver.Gateway registerGateway(Path devicesFile, List<SimDevice> behind)
      throws IOException {
    JsonArray devices = new JsonArray(Files.readString(devicesFile, StandardCharsets.UTF_8));
    java.util.Set<String> ids = new java.util.HashSet<>();
    behind.forEach(device -> ids.add(device.deviceId()));
    JsonObject first = null;
    for (int i = 0; i < devices.size(); i++) {
      JsonObject device = devices.getJsonObject(i);
      if (ids.contains(device.getString("deviceId"))) {
        device.put("via", new JsonArray().add(GATEWAY));
        first = first == null ? device.copy() : first;
      }
    }
    if (first == null) {
      throw new IllegalStateException("none of the devices to list the gateway is in the district");
    }
    devices.add(
        first
            .put("deviceId", GATEWAY)
            .put("authId", GATEWAY)
            .put("via", new JsonArray())
            .put("credentials", new JsonObject().put("pwd-plain", PASSWORD)));
    Files.writeString(devicesFile, devices.encodePrettily(), StandardCharsets.UTF_8);
    return new LoadDriver.Gateway(first.getString("tenant"), GATEWAY, PASSWORD);
  }

  /** The base: the same readings appended straight into DuckDB, 20,000 a transaction. */
  private double directAppend(List<SimDevice> gauges) {
    double perSecond = directAppendRate(workDirectory.resolve("direct.duckdb"), gauges, duration);
    row(
        "direct DuckDB append (its bulk path, 20,000 a transaction): the base",
        String.format(Locale.ROOT, "%,.0f readings/s", perSecond),
        "same readings, same database, no ingest");
    return perSecond;
  }

  /**
   * Readings per second appended straight into a DuckDB file through the history store's bulk path
   * (Arrow columns), 20,000 a transaction, for at most {@code duration} or 15 s: the rows ingest
   * writes for {@code gauges}, without ingest.
   */
  static double directAppendRate(Path file, List<SimDevice> gauges, Duration duration) {
    try (Storage storage = Storage.openDuckDb(file)) {
      SplittableRandom random = new SplittableRandom(1);
      List<Reading> batch = new ArrayList<>(20_000);
      Instant at = Instant.parse("2026-07-14T08:00:00Z");
      for (int i = 0; i < 20_000; i++) {
        SimDevice gauge = gauges.get(i % gauges.size());
        batch.add(
            new Reading(
                    gauge.thingId(),
                    "waterlogging",
                    "depth",
                    random.nextInt(250) / 100.0,
                    CanonicalUnit.METRE,
                    at.plusSeconds(i))
                // The same row ingest writes: classified by the object the gauge observes.
                .classifiedAs(gauge.observedCategory()));
      }
      long rowsWritten = 0;
      long start = System.nanoTime();
      long end = start + Math.min(duration.toNanos(), TimeUnit.SECONDS.toNanos(15));
      while (System.nanoTime() < end) {
        storage.readings().append(batch);
        rowsWritten += batch.size();
      }
      return rowsWritten / ((System.nanoTime() - start) / 1e9);
    }
  }

  private double httpBatches(int port, List<SimDevice> gauges) throws Exception {
    List<Buffer> batches = gatewayBatches(gauges, 2);
    String authorization = basic(GATEWAY + "@water", PASSWORD);
    Vertx clients = Vertx.vertx();
    try {
      HttpClient http = localClient(clients, port, HTTP_BATCHES_IN_FLIGHT);
      AtomicLong readings = new AtomicLong();
      List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
      Window window = Window.afterWarmUp(duration);
      CountDownLatch done = new CountDownLatch(HTTP_BATCHES_IN_FLIGHT);
      for (int lane = 0; lane < HTTP_BATCHES_IN_FLIGHT; lane++) {
        int first = lane;
        clients.runOnContext(
            v -> sendBatch(http, batches, first, window, authorization, readings, latencies, done));
      }
      done.await(WARM_UP.plus(duration).toSeconds() + 15, TimeUnit.SECONDS);
      double seconds = duration.toNanos() / 1e9;
      row(
          "HTTP batches of "
              + ITEMS_PER_BATCH
              + " readings: acknowledgement latency (within the window)",
          percentiles(latencies),
          HTTP_BATCHES_IN_FLIGHT
              + " batches in flight, "
              + duration.toSeconds()
              + " s after "
              + WARM_UP.toSeconds()
              + " s of warm-up");
      return readings.get() / seconds;
    } finally {
      clients.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void sendBatch(
      HttpClient http,
      List<Buffer> batches,
      int index,
      Window window,
      String authorization,
      AtomicLong readings,
      List<Long> latencies,
      CountDownLatch done) {
    if (System.nanoTime() > window.end()) {
      done.countDown();
      return;
    }
    long sent = System.nanoTime();
    http.request(
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setURI("/telemetry/batch")
                .putHeader("Authorization", authorization)
                .putHeader("Content-Type", "application/json"))
        .compose(
            request ->
                request
                    .send(batches.get(index % batches.size()))
                    .compose(
                        response ->
                            response
                                .body()
                                .map(
                                    body -> {
                                      long now = System.nanoTime();
                                      if (response.statusCode() / 100 == 2
                                          && window.counts(sent, now)) {
                                        readings.addAndGet(
                                            new JsonObject(body).getInteger("readings"));
                                        latencies.add(now - sent);
                                      }
                                      return null;
                                    })))
        .onComplete(
            result ->
                sendBatch(
                    http,
                    batches,
                    index + HTTP_BATCHES_IN_FLIGHT,
                    window,
                    authorization,
                    readings,
                    latencies,
                    done));
  }

  private double mqttQos1(int port, List<SimDevice> gauges) throws Exception {
    Vertx clients = Vertx.vertx();
    try {
      AtomicLong acknowledged = new AtomicLong();
      AtomicLong expired = new AtomicLong();
      AtomicLong late = new AtomicLong();
      List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
      CountDownLatch connected = new CountDownLatch(MQTT_CONNECTIONS);
      CountDownLatch done = new CountDownLatch(MQTT_CONNECTIONS);
      List<MqttPublisher> publishers = new ArrayList<>();
      for (int c = 0; c < MQTT_CONNECTIONS; c++) {
        SimDevice gauge = gauges.get(c);
        MqttClientOptions options =
            new MqttClientOptions()
                .setClientId("bench-" + c)
                .setUsername(gauge.username())
                .setPassword(PASSWORD)
                .setMaxInflightQueue(MQTT_IN_FLIGHT_PER_CONNECTION * 2)
                // Without a timeout a PUBACK that never comes holds its slot for ever and the
                // connection slows down unseen; with one it is counted below.
                .setAckTimeout(MQTT_ACK_TIMEOUT_SECONDS);
        MqttPublisher publisher =
            new MqttPublisher(
                MqttClient.create(clients, options),
                new SplittableRandom(c),
                acknowledged,
                expired,
                late,
                latencies,
                done);
        publishers.add(publisher);
        publisher.connect(port, connected);
      }
      if (!connected.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("not every bench MQTT connection was accepted");
      }
      Window window = Window.afterWarmUp(duration);
      publishers.forEach(publisher -> publisher.start(window));
      // Acknowledgements counted each second, to show whether the rate is steady or stalls.
      List<Long> perSecond = java.util.Collections.synchronizedList(new ArrayList<>());
      long[] previous = {0};
      long[] lastTick = {System.nanoTime()};
      long[] longestTickGap = {0};
      long sampler =
          clients.setPeriodic(
              1_000,
              id -> {
                if (lastTick[0] < window.measuredFrom()) {
                  // The first tick in the window starts the count; one before it saw nothing.
                  lastTick[0] = System.nanoTime();
                  previous[0] = acknowledged.get();
                  return;
                }
                long now = acknowledged.get();
                perSecond.add(now - previous[0]);
                previous[0] = now;
                long at = System.nanoTime();
                longestTickGap[0] = Math.max(longestTickGap[0], at - lastTick[0]);
                lastTick[0] = at;
              });
      // The window plus time for the last acknowledgements. (This waited 15 s in all, whatever the
      // window: a longer run counted 15 s of acknowledgements and divided them by its whole length,
      // which is why MQTT seemed to stall and a 60 s run reported less than a 20 s one.)
      if (!done.await(WARM_UP.plus(duration).toSeconds() + 15, TimeUnit.SECONDS)) {
        System.err.println("bench: some MQTT connections still had messages in flight at the end");
      }
      clients.cancelTimer(sampler);
      row(
          "MQTT QoS 1: acknowledgements per second, over the window",
          steadiness(perSecond),
          String.format(
              Locale.ROOT,
              "a 1 s timer on the clients' event loops: %d ticks, longest gap %.1f s",
              perSecond.size(),
              longestTickGap[0] / 1e9));
      publishers.forEach(MqttPublisher::disconnect);
      double seconds = duration.toNanos() / 1e9;
      row(
          "MQTT QoS 1: PUBACK latency (acknowledged within the window)",
          percentiles(latencies),
          MQTT_CONNECTIONS
              + " connections x "
              + MQTT_IN_FLIGHT_PER_CONNECTION
              + " in flight, "
              + duration.toSeconds()
              + " s after "
              + WARM_UP.toSeconds()
              + " s of warm-up; "
              + expired.get()
              + " PUBACKs later than the client's "
              + MQTT_ACK_TIMEOUT_SECONDS
              + " s timeout ("
              + late.get()
              + " arrived after it)");
      return acknowledged.get() / seconds;
    } finally {
      clients.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * One bench MQTT connection keeping {@link #MQTT_IN_FLIGHT_PER_CONNECTION} QoS 1 messages in
   * flight. Everything it does runs on the event loop it connected on, where the client's handlers
   * run too: its counters and send times belong to that loop alone. (An earlier version started
   * sending from another context, so two threads shared a connection's send times and counters.)
   */
  private static final class MqttPublisher {
    private final MqttClient client;
    private final SplittableRandom random;
    private final AtomicLong acknowledged;
    private final AtomicLong expired;
    private final AtomicLong late;
    private final List<Long> latencies;
    private final CountDownLatch done;
    private final Map<Integer, Long> sentAt = new HashMap<>();
    private volatile Context context;
    private Window window;
    private int outstanding;
    private boolean finished;

    MqttPublisher(
        MqttClient client,
        SplittableRandom random,
        AtomicLong acknowledged,
        AtomicLong expired,
        AtomicLong late,
        List<Long> latencies,
        CountDownLatch done) {
      this.client = client;
      this.random = random;
      this.acknowledged = acknowledged;
      this.expired = expired;
      this.late = late;
      this.latencies = latencies;
      this.done = done;
    }

    void connect(int port, CountDownLatch connected) {
      client
          .connect(port, "127.0.0.1")
          .onSuccess(
              ack -> {
                context = Vertx.currentContext();
                // A PUBACK later than the client's ack timeout: the slot is freed and counted.
                client.publishCompletionExpirationHandler(
                    packetId -> {
                      sentAt.remove(packetId);
                      expired.incrementAndGet();
                      sendNext();
                    });
                client.publishCompletionUnknownPacketIdHandler(packetId -> late.incrementAndGet());
                client.publishCompletionHandler(this::acknowledged);
                connected.countDown();
              });
    }

    void disconnect() {
      if (context != null) {
        context.runOnContext(v -> client.disconnect());
      }
    }

    void start(Window measured) {
      context.runOnContext(
          v -> {
            window = measured;
            for (int i = 0; i < MQTT_IN_FLIGHT_PER_CONNECTION; i++) {
              send();
            }
          });
    }

    private void acknowledged(int packetId) {
      Long sent = sentAt.remove(packetId);
      long now = System.nanoTime();
      if (sent != null && window.counts(sent, now)) {
        latencies.add(now - sent);
        acknowledged.incrementAndGet();
      }
      sendNext();
    }

    /** One message's slot is free: fill it, or finish once the window has closed. */
    private void sendNext() {
      outstanding--;
      send();
    }

    private void send() {
      if (System.nanoTime() > window.end()) {
        if (outstanding == 0 && !finished) {
          finished = true;
          done.countDown();
        }
        return;
      }
      outstanding++;
      long sent = System.nanoTime();
      client
          .publish(
              "telemetry",
              Buffer.buffer("{\"depth_cm\":" + (20 + random.nextInt(5)) + "}"),
              MqttQoS.AT_LEAST_ONCE,
              false,
              false)
          .onComplete(
              published -> {
                if (published.succeeded()) {
                  sentAt.put(published.result(), sent);
                } else {
                  // Refused before it was sent (the client's in-flight queue is full): try again
                  // on the next turn of the loop rather than at once, so a full queue cannot spin.
                  context.runOnContext(v -> sendNext());
                }
              });
    }
  }

  /**
   * A measured window on {@link System#nanoTime()}: {@link #WARM_UP} from now, then {@code
   * duration}. What was sent before it opened is not counted even when answered inside it, so the
   * warm-up's backlog cannot swell the window's count.
   */
  private record Window(long measuredFrom, long end) {
    static Window afterWarmUp(Duration duration) {
      long measuredFrom = System.nanoTime() + WARM_UP.toNanos();
      return new Window(measuredFrom, measuredFrom + duration.toNanos());
    }

    boolean counts(long sent, long acknowledged) {
      return sent >= measuredFrom && acknowledged <= end;
    }
  }

  private static String refusals(int port) throws Exception {
    java.net.http.HttpResponse<String> metrics =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    String refused =
        metrics
            .body()
            .lines()
            .filter(line -> line.startsWith("citytwin_ingest_requests_rejected_total{"))
            .map(line -> line.substring(line.indexOf('"') + 1).replace("\"} ", ": "))
            .collect(java.util.stream.Collectors.joining(", "));
    return refused.isEmpty() ? "none" : refused;
  }

  /** Least, median and most of a per-second count, and the seconds under a tenth of the median. */
  private static String steadiness(List<Long> perSecond) {
    List<Long> sorted;
    synchronized (perSecond) {
      sorted = new ArrayList<>(perSecond);
    }
    if (sorted.isEmpty()) {
      return "no samples";
    }
    java.util.Collections.sort(sorted);
    long median = sorted.get(sorted.size() / 2);
    long stalled = sorted.stream().filter(count -> count * 10 < median).count();
    return String.format(
        Locale.ROOT,
        "least %,d, median %,d, most %,d; %d of %d seconds under a tenth of the median",
        sorted.get(0),
        median,
        sorted.get(sorted.size() - 1),
        stalled,
        sorted.size());
  }

  private static String percentiles(List<Long> latencies) {
    long[] sorted;
    synchronized (latencies) {
      sorted = latencies.stream().mapToLong(Long::longValue).toArray();
    }
    if (sorted.length == 0) {
      return "no acknowledgements";
    }
    Arrays.sort(sorted);
    return String.format(
        Locale.ROOT,
        "p50 %.1f ms, p99 %.1f ms (%,d acknowledged)",
        sorted[sorted.length / 2] / 1e6,
        sorted[sorted.length * 99 / 100] / 1e6,
        sorted.length);
  }
}
