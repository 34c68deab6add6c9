package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.citytwin.sim.DemoDistrict;
import org.citytwin.sim.District;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real server process with SIGKILL and proves that the restarted server recovers exactly
 * what was acknowledged: every twin at the revision and value of its last acknowledged change, and
 * every acknowledged reading in history. Runs on DuckDB and on the real PostgreSQL server.
 */
@Timeout(180)
class KillNineIT {

  private static final String PASSWORD = "kill-nine";
  private static final Path JAR = Path.of("target", "citytwin.jar");

  @TempDir Path directory;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Process> processes = new ArrayList<>();
  private String postgresSchema;

  @AfterEach
  void cleanUp() throws Exception {
    processes.forEach(Process::destroyForcibly);
    if (postgresSchema != null) {
      try (Connection connection = DriverManager.getConnection(postgresUrl(), "postgres", null);
          Statement statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA IF EXISTS " + postgresSchema + " CASCADE");
      }
    }
  }

  private static String postgresUrl() {
    return System.getenv()
        .getOrDefault("CITYTWIN_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  }

  @Test
  void duckDbRecoversExactlyTheAcknowledgedStateAfterKill9() throws Exception {
    killAndRecover(List.of());
  }

  @Test
  void postgresRecoversExactlyTheAcknowledgedStateAfterKill9() throws Exception {
    postgresSchema =
        "citytwin_kill_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    killAndRecover(
        List.of(
            "--set",
            "history.backend=postgresql",
            "--set",
            "history.postgresql.url=" + postgresUrl(),
            "--set",
            "history.postgresql.user=postgres",
            "--set",
            "history.postgresql.schema=" + postgresSchema));
  }

  private void killAndRecover(List<String> backend) throws Exception {
    District district = new DemoDistrict(11, 1, 3, PASSWORD).generate();
    Path districtDir = directory.resolve("district");
    district.writeTo(districtDir);
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "serve",
                "--data-dir",
                directory.resolve("data").toString(),
                "--district",
                districtDir.toString(),
                "--set",
                "twins.snapshot-every=25"));
    arguments.addAll(backend);

    // Phase 1: sequential readings, each acknowledged before the next; kill with none in flight.
    int port = freePort();
    start(port, arguments);
    Map<String, Double> lastAcknowledgedMetres = new HashMap<>();
    Map<String, Integer> acknowledgedPerGauge = new HashMap<>();
    for (int i = 0; i < 60; i++) {
      SimDevice gauge = district.devices().get(i % district.devices().size());
      double centimetres = 10 + i;
      assertThat(send(port, gauge, centimetres)).isEqualTo(202);
      lastAcknowledgedMetres.put(gauge.thingId().toString(), centimetres / 100);
      acknowledgedPerGauge.merge(gauge.thingId().toString(), 1, Integer::sum);
    }
    kill9();

    port = freePort();
    start(port, arguments);
    for (SimDevice gauge : district.devices()) {
      String id = gauge.thingId().toString();
      HttpResponse<String> twin = get(port, "/api/2/things/" + id);
      assertThat(twin.statusCode()).isEqualTo(200);
      assertThat(twin.headers().firstValue("ETag"))
          .contains("\"rev:" + (1 + acknowledgedPerGauge.get(id)) + "\"");
      assertThat(depth(new JsonObject(twin.body()))).isEqualTo(lastAcknowledgedMetres.get(id));
      assertThat(historyRows(port, id)).hasSize(acknowledgedPerGauge.get(id));
    }

    // Phase 2: concurrent readings, killed mid-flight: nothing acknowledged may be lost.
    Map<String, Integer> acknowledgedNow = new ConcurrentHashMap<>();
    AtomicBoolean sending = new AtomicBoolean(true);
    ExecutorService senders = Executors.newFixedThreadPool(district.devices().size() + 1);
    int sendingPort = port;
    for (SimDevice gauge : district.devices()) {
      senders.submit(
          () -> {
            for (int n = 1; sending.get(); n++) {
              try {
                if (send(sendingPort, gauge, n) == 202) {
                  acknowledgedNow.put(gauge.thingId().toString(), n);
                }
              } catch (IOException connectionLost) {
                return null;
              }
            }
            return null;
          });
    }
    // And a gauge sending batches of its own readings (POST /telemetry/batch) at the same time.
    SimDevice batcher = district.devices().get(0);
    Instant batchStart = Instant.parse("2026-07-15T00:00:00Z");
    java.util.Set<Instant> acknowledgedInBatches = ConcurrentHashMap.newKeySet();
    senders.submit(
        () -> {
          for (int batch = 0; sending.get(); batch++) {
            List<Instant> times = new ArrayList<>();
            JsonArray items = new JsonArray();
            for (int i = 0; i < 100; i++) {
              Instant at = batchStart.plusSeconds(batch * 100L + i);
              times.add(at);
              items.add(
                  new JsonObject()
                      .put(
                          "payload",
                          new JsonObject().put("depth_cm", 250).put("ts", at.toString())));
            }
            try {
              if (sendBatch(sendingPort, batcher, items.encode()) == 202) {
                acknowledgedInBatches.addAll(times);
              }
            } catch (IOException connectionLost) {
              return null;
            }
          }
          return null;
        });
    Thread.sleep(1_500);
    kill9();
    sending.set(false);
    senders.shutdown();
    assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(acknowledgedNow).as("readings were acknowledged before the kill").isNotEmpty();

    port = freePort();
    start(port, arguments);
    assertThat(acknowledgedInBatches).as("batches were acknowledged before the kill").isNotEmpty();
    java.util.Set<Instant> storedBatchReadings = new java.util.HashSet<>();
    historyRows(port, batcher.thingId().toString())
        .forEach(
            row ->
                storedBatchReadings.add(Instant.parse(((JsonObject) row).getString("observedAt"))));
    assertThat(storedBatchReadings)
        .as("every reading of every acknowledged batch survives the kill")
        .containsAll(acknowledgedInBatches);
    for (SimDevice gauge : district.devices()) {
      String id = gauge.thingId().toString();
      Integer lastAcknowledged = acknowledgedNow.get(id);
      if (lastAcknowledged == null) {
        continue;
      }
      JsonObject twin = new JsonObject(get(port, "/api/2/things/" + id).body());
      // The twin holds the last acknowledged reading or a later one whose answer the kill cut off
      // (the batching gauge's twin may hold a batch's reading instead).
      double centimetres = Math.round(depth(twin) * 100);
      if (!gauge.equals(batcher)) {
        assertThat(centimetres).isGreaterThanOrEqualTo(lastAcknowledged);
      }
      List<Double> history =
          historyRows(port, id).stream().map(row -> ((JsonObject) row).getDouble("value")).toList();
      for (int n = 1; n <= lastAcknowledged; n++) {
        assertThat(history).as("acknowledged reading %d of %s", n, id).contains(n / 100.0);
      }
    }
  }

  private static double depth(JsonObject thing) {
    return thing
        .getJsonObject("features")
        .getJsonObject("waterlogging")
        .getJsonObject("properties")
        .getDouble("depth");
  }

  private JsonArray historyRows(int port, String thingId) throws Exception {
    HttpResponse<String> answer =
        get(
            port,
            "/api/history/things/"
                + thingId
                + "/features/waterlogging/properties/depth"
                + "?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&limit=100000");
    assertThat(answer.statusCode()).isEqualTo(200);
    return new JsonObject(answer.body()).getJsonArray("readings");
  }

  /** Single readings are observed a millisecond apart, so that none is a repeat of another. */
  private static final Instant SINGLES_START = Instant.parse("2026-07-14T08:00:00Z");

  private final java.util.concurrent.atomic.AtomicLong observations =
      new java.util.concurrent.atomic.AtomicLong();

  private int send(int port, SimDevice gauge, double centimetres)
      throws IOException, InterruptedException {
    return post(
        port,
        gauge,
        "/telemetry",
        new JsonObject()
            .put("depth_cm", centimetres)
            .put("ts", SINGLES_START.plusMillis(observations.incrementAndGet()).toString())
            .encode());
  }

  private int sendBatch(int port, SimDevice gauge, String items)
      throws IOException, InterruptedException {
    return post(port, gauge, "/telemetry/batch", items);
  }

  /** Posts JSON as the device; the status code. */
  private int post(int port, SimDevice gauge, String path, String json)
      throws IOException, InterruptedException {
    String credentials =
        Base64.getEncoder()
            .encodeToString((gauge.username() + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Basic " + credentials)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void start(int port, List<String> arguments) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-jar",
                JAR.toAbsolutePath().toString()));
    command.addAll(arguments);
    command.addAll(List.of("--port", String.valueOf(port), "--set", "mqtt.port=0"));
    Path log = Files.createTempFile(directory, "server", ".log");
    Process server =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(server);
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      if (!server.isAlive()) {
        throw new AssertionError("server exited: " + Files.readString(log));
      }
      try {
        if (get(port, "/health").statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new AssertionError("server did not start within 60 s: " + Files.readString(log));
  }

  private void kill9() throws InterruptedException {
    Process server = processes.get(processes.size() - 1);
    server.destroyForcibly();
    assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(server.exitValue()).as("killed by SIGKILL").isEqualTo(137);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
