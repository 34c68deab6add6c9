package org.citytwin.launcher.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
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
import org.citytwin.sim.SimDevice;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.Reading;

/**
 * Ingest's benchmark: readings sent end to end (authenticated, normalised, committed to history,
 * applied to twins, acknowledged) over HTTP batches and over MQTT QoS 1, each sustained for the
 * given duration, against a server in this process with the embedded DuckDB store; and, in the same
 * run, the same readings written straight into DuckDB through its Appender, the fastest bulk path,
 * as the ratio's base. Results are printed as a Markdown table.
 */
public final class IngestBenchmark {

  private static final String PASSWORD = "bench-password";
  private static final String GATEWAY = "gw-bench";
  private static final int ITEMS_PER_BATCH = 500;
  private static final int HTTP_BATCHES_IN_FLIGHT = 16;
  private static final int MQTT_CONNECTIONS = 50;
  private static final int MQTT_IN_FLIGHT_PER_CONNECTION = 20;
  private static final int MQTT_ACK_TIMEOUT_SECONDS = 10;

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
    registerGateway(districtDir.resolve(District.DEVICES_FILE));
    List<SimDevice> gauges = district.devices();
    row("devices", String.format(Locale.ROOT, "%,d waterlogging gauges", gauges.size()), "");

    double direct = directAppend(gauges);
    CitytwinConfig config =
        CitytwinConfig.resolve(
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

  /** Lists the bench gateway in every device's "via" and registers it. */
  private static void registerGateway(Path devicesFile) throws Exception {
    JsonArray devices = new JsonArray(Files.readString(devicesFile));
    JsonObject first = devices.getJsonObject(0).copy();
    devices.forEach(device -> ((JsonObject) device).put("via", new JsonArray().add(GATEWAY)));
    devices.add(
        first
            .put("deviceId", GATEWAY)
            .put("authId", GATEWAY)
            .put("credentials", new JsonObject().put("pwd-plain", PASSWORD)));
    Files.writeString(devicesFile, devices.encode());
  }

  /** The base: the same readings appended straight into DuckDB, 20,000 a transaction. */
  private double directAppend(List<SimDevice> gauges) {
    try (Storage storage = Storage.openDuckDb(workDirectory.resolve("direct.duckdb"))) {
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
      double perSecond = rowsWritten / ((System.nanoTime() - start) / 1e9);
      row(
          "direct DuckDB append (Appender, 20,000 a transaction): the base",
          String.format(Locale.ROOT, "%,.0f readings/s", perSecond),
          "same readings, same database, no ingest");
      return perSecond;
    }
  }

  private double httpBatches(int port, List<SimDevice> gauges) throws Exception {
    List<Buffer> batches = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(2);
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
    String authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((GATEWAY + "@water:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    Vertx clients = Vertx.vertx();
    try {
      HttpClient http =
          clients.createHttpClient(
              new HttpClientOptions()
                  .setDefaultHost("127.0.0.1")
                  .setDefaultPort(port)
                  .setMaxPoolSize(HTTP_BATCHES_IN_FLIGHT));
      AtomicLong readings = new AtomicLong();
      List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
      long end = System.nanoTime() + duration.toNanos();
      CountDownLatch done = new CountDownLatch(HTTP_BATCHES_IN_FLIGHT);
      for (int lane = 0; lane < HTTP_BATCHES_IN_FLIGHT; lane++) {
        int first = lane;
        clients.runOnContext(
            v -> sendBatch(http, batches, first, end, authorization, readings, latencies, done));
      }
      done.await(duration.toSeconds() + 15, TimeUnit.SECONDS);
      double seconds = duration.toNanos() / 1e9;
      row(
          "HTTP batches of "
              + ITEMS_PER_BATCH
              + " readings: acknowledgement latency (within the window)",
          percentiles(latencies),
          HTTP_BATCHES_IN_FLIGHT + " batches in flight, " + duration.toSeconds() + " s");
      return readings.get() / seconds;
    } finally {
      clients.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void sendBatch(
      HttpClient http,
      List<Buffer> batches,
      int index,
      long end,
      String authorization,
      AtomicLong readings,
      List<Long> latencies,
      CountDownLatch done) {
    if (System.nanoTime() > end) {
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
                                      if (response.statusCode() / 100 == 2 && now <= end) {
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
                    end,
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
      List<MqttClient> connections = new ArrayList<>();
      List<Future<?>> connecting = new ArrayList<>();
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
        MqttClient client = MqttClient.create(clients, options);
        connecting.add(client.connect(port, "127.0.0.1"));
        connections.add(client);
      }
      Future.all(connecting).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      long end = System.nanoTime() + duration.toNanos();
      CountDownLatch done = new CountDownLatch(MQTT_CONNECTIONS);
      for (int c = 0; c < MQTT_CONNECTIONS; c++) {
        MqttClient client = connections.get(c);
        Map<Integer, Long> sentAt = new HashMap<>();
        SplittableRandom random = new SplittableRandom(c);
        int[] outstanding = {0};
        boolean[] finished = {false};
        Runnable[] sendOne = new Runnable[1];
        sendOne[0] =
            () -> {
              if (System.nanoTime() > end) {
                if (outstanding[0] == 0 && !finished[0]) {
                  finished[0] = true;
                  done.countDown();
                }
                return;
              }
              outstanding[0]++;
              long sent = System.nanoTime();
              Future<Integer> published =
                  client.publish(
                      "telemetry",
                      Buffer.buffer("{\"depth_cm\":" + (20 + random.nextInt(5)) + "}"),
                      MqttQoS.AT_LEAST_ONCE,
                      false,
                      false);
              published.onSuccess(packetId -> sentAt.put(packetId, sent));
              published.onFailure(
                  failure -> {
                    outstanding[0]--;
                    sendOne[0].run();
                  });
            };
        // A PUBACK later than the client's ack timeout: the slot is freed and the message counted.
        client.publishCompletionExpirationHandler(
            packetId -> {
              sentAt.remove(packetId);
              expired.incrementAndGet();
              outstanding[0]--;
              sendOne[0].run();
            });
        client.publishCompletionUnknownPacketIdHandler(packetId -> late.incrementAndGet());
        client.publishCompletionHandler(
            packetId -> {
              Long sent = sentAt.remove(packetId);
              long now = System.nanoTime();
              if (sent != null && now <= end) {
                latencies.add(now - sent);
                acknowledged.incrementAndGet();
              }
              outstanding[0]--;
              sendOne[0].run();
            });
        clients.runOnContext(
            v -> {
              for (int i = 0; i < MQTT_IN_FLIGHT_PER_CONNECTION; i++) {
                sendOne[0].run();
              }
            });
      }
      done.await(15, TimeUnit.SECONDS);
      double seconds = duration.toNanos() / 1e9;
      row(
          "MQTT QoS 1: PUBACK latency (acknowledged within the window)",
          percentiles(latencies),
          MQTT_CONNECTIONS
              + " connections x "
              + MQTT_IN_FLIGHT_PER_CONNECTION
              + " in flight, "
              + duration.toSeconds()
              + " s; "
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
