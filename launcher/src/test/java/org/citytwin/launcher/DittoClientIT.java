package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.citytwin.api.ApiTokens;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Eclipse Ditto Java client against citytwin's {@code /ws/2}: it connects, starts
 * consuming twin events, creates, changes, reads and deletes things with Ditto Protocol commands,
 * and hears of every change, including the readings devices send; a department's token keeps it to
 * its own namespace, and without a token it cannot connect.
 *
 * <p>The client (2.4.0, the newest on Maven Central) runs in a JVM of its own, driven line by line
 * through {@code src/test/ditto-client/DittoClientProbe.java}: its Ditto 2.4 model classes cannot
 * share a class path with the 3.8 ones citytwin is built on. Maven copies it and its dependencies
 * to {@code target/ditto-client} before the integration tests.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DittoClientIT {

  private static final String SECRET = "a-test-secret-that-is-at-least-32-bytes-long";
  private static final Path CLIENT_JARS = Path.of("target", "ditto-client").toAbsolutePath();
  private static final Path PROBE =
      Path.of("src", "test", "ditto-client", "DittoClientProbe.java").toAbsolutePath();

  @TempDir Path directory;
  private RunningDistrict city;
  private final List<Probe> probes = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void clientIsThere() throws IOException {
    try (var jars = Files.list(CLIENT_JARS)) {
      assertThat(jars.map(jar -> jar.getFileName().toString()))
          .as("mvn copies the Ditto client to target/ditto-client before integration tests")
          .anyMatch(name -> name.startsWith("ditto-client-2.4.0"));
    }
  }

  @AfterEach
  void stop() {
    probes.forEach(Probe::close);
    if (city != null) {
      city.close();
    }
  }

  /** One Ditto client in its own JVM: commands in, answers and events out. */
  private final class Probe implements AutoCloseable {
    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final List<JsonObject> events = new CopyOnWriteArrayList<>();
    private final Path log;

    Probe(String token) throws IOException {
      log = Files.createTempFile(directory, "probe", ".log");
      process =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  CLIENT_JARS + "/*",
                  PROBE.toString(),
                  "ws://127.0.0.1:" + city.server.port(),
                  token)
              .redirectError(log.toFile())
              .start();
      commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader lines =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("EVENT ")) {
                      events.add(new JsonObject(line.substring("EVENT ".length())));
                    } else if (line.startsWith("OK") || line.startsWith("ERROR")) {
                      answers.add(line);
                    }
                  }
                } catch (IOException ended) {
                  // the probe quit
                }
              },
              "ditto-client-probe");
      reader.setDaemon(true);
      reader.start();
      probes.add(this);
    }

    /** The next answer: to connecting first, then to each command in turn. */
    String answer() throws InterruptedException {
      String answer = answers.poll(60, TimeUnit.SECONDS);
      if (answer == null) {
        String errors;
        try {
          errors = Files.readString(log);
        } catch (IOException unreadable) {
          errors = unreadable.toString();
        }
        throw new AssertionError(
            "the Ditto client did not answer within 60 s; it said:\n" + errors);
      }
      return answer;
    }

    String ask(String command) throws IOException, InterruptedException {
      commands.write(command + "\n");
      commands.flush();
      return answer();
    }

    /** The JSON of an {@code OK <json>} answer. */
    JsonObject okJson(String command) throws IOException, InterruptedException {
      String answer = ask(command);
      assertThat(answer).as(command).startsWith("OK {");
      return new JsonObject(answer.substring("OK ".length()));
    }

    List<JsonObject> eventsOf(String thingId) {
      return events.stream().filter(event -> event.getString("thingId").equals(thingId)).toList();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private Probe connected(String token) throws Exception {
    Probe probe = new Probe(token);
    assertThat(probe.answer()).isEqualTo("OK connected");
    return probe;
  }

  @Test
  void createsChangesReadsAndDeletesThingsAndHearsEveryChange() throws Exception {
    city = new RunningDistrict(directory, 1, 2);
    Probe client = connected("-");
    assertThat(client.ask("consume")).isEqualTo("OK consuming");

    JsonObject created =
        client.okJson(
            "create {\"thingId\":\"traffic:bridge-7\",\"definition\":\"citytwin:bridge:1.0.0\","
                + "\"attributes\":{\"name\":\"Gongchen Bridge\"}}");
    assertThat(created.getString("thingId")).isEqualTo("traffic:bridge-7");
    assertThat(client.ask("merge-attribute traffic:bridge-7 spanMetres 98.5"))
        .isEqualTo("OK merged");
    JsonObject read = client.okJson("retrieve traffic:bridge-7");
    assertThat(read.getJsonObject("attributes").getMap())
        .containsEntry("name", "Gongchen Bridge")
        .containsEntry("spanMetres", 98.5);
    // Writes to parts, as the client's putAttribute, putProperty and deleteAttribute send them.
    assertThat(client.ask("put-attribute traffic:bridge-7 lanes 4")).isEqualTo("OK put");
    assertThat(client.ask("put-attribute traffic:bridge-7 lanes 6")).isEqualTo("OK put");
    assertThat(client.ask("put-property traffic:bridge-7 load strain 118.5"))
        .startsWith("ERROR FeatureNotAccessibleException");
    assertThat(client.ask("delete-attribute traffic:bridge-7 lanes")).isEqualTo("OK deleted");
    assertThat(client.ask("delete-attribute traffic:bridge-7 lanes"))
        .startsWith("ERROR AttributeNotAccessibleException");
    assertThat(client.ask("put-attribute traffic:bridge-7 lanes 2")).isEqualTo("OK put");
    read = client.okJson("retrieve traffic:bridge-7");
    assertThat(read.getJsonObject("attributes").getMap()).containsEntry("lanes", 2);
    // The REST API sees what the WebSocket wrote.
    assertThat(city.get("/api/2/things/traffic:bridge-7").json().getJsonObject("attributes"))
        .isEqualTo(read.getJsonObject("attributes"));

    // Search, paged through Ditto's search protocol: 2 of the 3 hits on a page.
    client.okJson("create {\"thingId\":\"traffic:bridge-8\",\"attributes\":{\"spanMetres\":120}}");
    client.okJson("create {\"thingId\":\"traffic:bridge-9\",\"attributes\":{\"spanMetres\":40}}");
    assertThat(client.ask("search 2 gt(attributes/spanMetres,50)"))
        .isEqualTo("OK [\"traffic:bridge-7\",\"traffic:bridge-8\"]");
    assertThat(client.ask("search 1 exists(attributes/spanMetres)"))
        .isEqualTo("OK [\"traffic:bridge-7\",\"traffic:bridge-8\",\"traffic:bridge-9\"]");
    assertThat(client.ask("search 2 eq(attributes/spanMetres,1)")).isEqualTo("OK []");
    assertThat(client.ask("search 2 gt(attributes/spanMetres")).startsWith("ERROR");

    // A reading a gauge sends over HTTP reaches the client as a Ditto event too.
    SimDevice gauge = city.gauge(0);
    city.reportDepth(gauge, 12);

    assertThat(client.ask("delete traffic:bridge-7")).isEqualTo("OK deleted");
    assertThat(client.ask("retrieve traffic:bridge-7"))
        .startsWith("ERROR ThingNotAccessibleException");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(client.eventsOf("traffic:bridge-7"))
                  .extracting(
                      event -> event.getString("action"), event -> event.getLong("revision"))
                  .containsExactly(
                      org.assertj.core.groups.Tuple.tuple("CREATED", 1L),
                      org.assertj.core.groups.Tuple.tuple("MERGED", 2L),
                      org.assertj.core.groups.Tuple.tuple("MERGED", 3L),
                      org.assertj.core.groups.Tuple.tuple("MERGED", 4L),
                      org.assertj.core.groups.Tuple.tuple("MERGED", 5L),
                      org.assertj.core.groups.Tuple.tuple("MERGED", 6L),
                      org.assertj.core.groups.Tuple.tuple("DELETED", 7L));
              assertThat(client.eventsOf(gauge.thingId().toString()))
                  .singleElement()
                  .satisfies(
                      event -> {
                        assertThat(event.getString("action")).isEqualTo("MERGED");
                        assertThat(event.getValue("value").toString()).contains("\"depth\":0.12");
                      });
            });
    assertThat(client.eventsOf("traffic:bridge-7").get(1).getString("path"))
        .isEqualTo("/attributes/spanMetres");
    assertThat(client.eventsOf("traffic:bridge-7").get(4).getString("path"))
        .isEqualTo("/attributes/lanes");
  }

  @Test
  void aDepartmentsTokenKeepsTheClientToItsOwnNamespace() throws Exception {
    city = new RunningDistrict(directory, 1, 2, devices -> {}, Map.of("api.auth.secret", SECRET));
    ApiTokens tokens = new ApiTokens(city.server.vertx(), SECRET);
    Probe water = connected(tokens.issue("wang", Optional.of("water"), Duration.ofHours(1)));
    Probe traffic = connected(tokens.issue("li", Optional.of("traffic"), Duration.ofHours(1)));
    assertThat(traffic.ask("consume")).isEqualTo("OK consuming");
    SimDevice gauge = city.gauge(0);
    String gaugeId = gauge.thingId().toString();

    // water reads its own gauge; traffic has it answered as missing, as Ditto does, and may not
    // write to it either.
    assertThat(water.okJson("retrieve " + gaugeId).getString("thingId")).isEqualTo(gaugeId);
    assertThat(traffic.ask("retrieve " + gaugeId)).startsWith("ERROR ThingNotAccessibleException");
    assertThat(traffic.ask("merge-attribute " + gaugeId + " tampered true"))
        .startsWith("ERROR ThingNotAccessibleException");
    // Searches see only what the caller may read.
    assertThat(water.ask("search 200 exists(thingId)")).contains(gaugeId);
    assertThat(traffic.ask("search 200 exists(thingId)")).isEqualTo("OK []");

    // traffic hears of its own things, not of water's gauge reporting.
    assertThat(traffic.okJson("create {\"thingId\":\"traffic:light-1\"}").getString("thingId"))
        .isEqualTo("traffic:light-1");
    city.reportDepth(gauge, 20);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !traffic.eventsOf("traffic:light-1").isEmpty());
    assertThat(water.ask("consume")).isEqualTo("OK consuming");
    city.reportDepth(gauge, 21);
    await().atMost(Duration.ofSeconds(10)).until(() -> !water.eventsOf(gaugeId).isEmpty());
    assertThat(traffic.events)
        .extracting(event -> event.getString("thingId"))
        .containsOnly("traffic:light-1");
    assertThat(
            water.okJson("retrieve " + gaugeId).getJsonObject("attributes").containsKey("tampered"))
        .isFalse();
  }

  @Test
  void aClientWithoutATokenCannotConnectWhereTokensAreRequired() throws Exception {
    city = new RunningDistrict(directory, 1, 1, devices -> {}, Map.of("api.auth.secret", SECRET));
    Probe anonymous = new Probe("-");
    assertThat(anonymous.answer()).startsWith("ERROR");
    assertThat(anonymous.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(anonymous.process.exitValue()).isEqualTo(2);
  }
}
