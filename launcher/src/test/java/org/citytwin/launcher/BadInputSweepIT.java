package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operation the server documents, sent what no client should send: malformed and wrongly
 * typed bodies, deeply nested JSON, query parameters that do not parse, ids that cannot be ids.
 * None may answer a server error, every refusal is a Ditto-style JSON error, and the server takes
 * readings as before once the sweep is over.
 */
@Timeout(300)
class BadInputSweepIT {

  private static final List<String> BODIES =
      List.of(
          "{",
          "[1, 2",
          "[1, 2]",
          "\"text\"",
          "null",
          "{\"a\": }",
          "{\"thingId\": 7, \"attributes\": []}",
          "[".repeat(20_000) + "]".repeat(20_000),
          "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000),
          "\u0000\uFFFF\uD800");

  private static final List<String> CONTENT_TYPES =
      List.of("application/json", "application/merge-patch+json", "text/plain");

  private static final List<String> QUERIES =
      List.of(
          "filter=gt(",
          "filter=like(thingId,1)",
          "filter=eq(attributes/a,\"" + "x".repeat(20_000) + "\")",
          "filter=%zz",
          "option=size(0)",
          "option=size(100000000000)",
          "option=sort(~thingId)",
          "option=cursor(not-a-cursor)",
          "fields=(",
          "fields=attributes/(a",
          "extraFields=((",
          "namespaces=,,,",
          "ids=:::,%20",
          "from=yesterday&to=tomorrow",
          "from=2026-12-07T00:00:00Z&to=2026-12-01T00:00:00Z",
          "geo=within(nowhere)",
          "geo=near(1000,1000,-5)",
          "limit=-1",
          "limit=99999999999999",
          "condition=eq(",
          "timeout=-1s",
          "format=smoke-signals",
          "state=maybe",
          "feature=&property=");

  private static final List<String> BAD_THING_IDS =
      List.of("no-namespace", "water:" + "x".repeat(300), "water:bad%20id", "%3A%3A", "water:%zz");

  @TempDir Path directory;
  private RunningDistrict city;

  @BeforeEach
  void startCity() throws Exception {
    // No rate limits: every request must reach its route, not be turned away at the door.
    city =
        new RunningDistrict(
            directory,
            1,
            1,
            devices -> {},
            Map.of("api.rate-limit.per-second", "0", "api.rate-limit.burst", "0"));
  }

  @AfterEach
  void stopCity() {
    city.close();
  }

  @Test
  void noOperationAnswersAServerErrorToBadInputAndTheServerKeepsTakingReadings() {
    SimDevice gauge = city.gauge(0);
    city.reportDepth(gauge, 5);
    // The documented operations: every routed one (OpenApiIT) and the pattern routes besides.
    List<String> operations = new ArrayList<>(OpenApiIT.documentedOperations(city));
    assertThat(operations).containsAll(city.server.routedOperations());
    Map<String, Integer> refusedBy = new TreeMap<>();
    int requests = 0;
    for (String operation : operations) {
      HttpMethod method = HttpMethod.valueOf(operation.substring(0, operation.indexOf(' ')));
      String template = operation.substring(operation.indexOf(' ') + 1);
      String path = OpenApiIT.samplePath(template);
      boolean takesBody = !method.equals(HttpMethod.GET) && !method.equals(HttpMethod.DELETE);
      for (String query : QUERIES) {
        String uri = path + "?" + query;
        assertRefusedCleanly(method + " " + uri, city.request(method, uri, null), refusedBy);
        requests++;
      }
      if (takesBody) {
        for (String body : BODIES) {
          for (String contentType : CONTENT_TYPES) {
            String request = method + " " + path + " (" + contentType + ") " + preview(body);
            assertRefusedCleanly(
                request, city.request(method, path, body, "Content-Type", contentType), refusedBy);
            requests++;
          }
        }
      }
      if (template.contains("{thingId}")) {
        for (String badId : BAD_THING_IDS) {
          String uri = OpenApiIT.samplePath(template.replace("{thingId}", badId));
          assertRefusedCleanly(
              method + " " + uri,
              city.request(
                  method, uri, takesBody ? "{}" : null, "Content-Type", "application/json"),
              refusedBy);
          requests++;
        }
      }
    }
    // The sweep reached the routes' own checks, not only a gate in front of them.
    assertThat(refusedBy.keySet())
        .as(requests + " requests, refused with " + refusedBy)
        .contains(
            "rql.expression.invalid", "things:id.invalid", "json.invalid", "api:parameter.invalid");

    // The live streams, asked with every bad parameter: refused before a stream opens, or
    // opened; never a server error.
    Map<String, Integer> streamsRefusedBy = new TreeMap<>();
    for (String stream : List.of("/api/2/things", "/api/incidents")) {
      for (String query : QUERIES) {
        String uri = stream + "?" + query;
        RunningDistrict.Answer answer = city.peek(uri, "Accept", "text/event-stream");
        if (answer.headers().getOrDefault("Content-Type", "").startsWith("text/event-stream")) {
          assertThat(answer.status()).as("GET " + uri + " (SSE)").isEqualTo(200);
        } else {
          assertRefusedCleanly("GET " + uri + " (SSE)", answer, streamsRefusedBy);
        }
        requests++;
      }
    }
    assertThat(streamsRefusedBy)
        .containsKeys("rql.expression.invalid", "json.fieldselector.invalid");

    // Requests the server cannot read as HTTP are refused in the same form.
    assertRefusedCleanly(
        "40 KiB of headers",
        city.request(HttpMethod.GET, "/api/2/search/things", null, "X-Padding", "p".repeat(40_000)),
        refusedBy);
    assertThat(refusedBy).containsKeys("api:uri.too-long", "api:headers.too-large");

    // Every error answer is counted, by status and code.
    String metrics = city.get("/metrics").body();
    assertThat(metrics)
        .contains("citytwin_api_error_answers_total{status=\"414\",error=\"api:uri.too-long\"}")
        .contains(
            "citytwin_api_error_answers_total{status=\"431\",error=\"api:headers.too-large\"}")
        .contains(
            "citytwin_api_error_answers_total{status=\"400\",error=\"rql.expression.invalid\"}");
    assertThat(metrics).doesNotContain("error=\"none\"").doesNotContain("status=\"500\"");

    // Nothing accepted before was lost, and the server takes readings as before.
    assertThat(city.get("/health").status()).isEqualTo(200);
    assertKeptAndTakesTheNext(gauge, 5, 7);
  }

  /**
   * The device endpoints with a device's own credentials, so that every body is read: malformed,
   * wrongly typed and deeply nested readings and batches, on each way a device sends. None may
   * answer a server error, and the device's twin keeps its last good reading.
   */
  @Test
  void noDeviceRequestAnswersAServerErrorAndNoGarbleChangesATwin() {
    SimDevice gauge = city.gauge(0);
    city.reportDepth(gauge, 6);
    String credentials =
        "Basic "
            + java.util.Base64.getEncoder()
                .encodeToString(
                    (gauge.username() + ":" + RunningDistrict.PASSWORD)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    List<String> readings = new ArrayList<>(BODIES);
    readings.addAll(
        List.of(
            "{\"depth_cm\": \"deep\"}",
            "{\"depth_cm\": null}",
            "{\"depth_cm\": 1e400}",
            "{\"depth_cm\": -5000}",
            "{\"note\": \"" + "x".repeat(70_000) + "\"}"));
    List<String> batches =
        List.of(
            "[{\"device\": 7, \"payload\": {\"depth_cm\": 7}}]",
            "[{\"device\": \"no-such-device\", \"payload\": {\"depth_cm\": 7}}]",
            "[{\"payload\": \"text\"}]",
            "[null, 1, \"x\"]",
            "{\"device\": \"" + gauge.deviceId() + "\"}\n{",
            "[]");
    List<String> paths =
        List.of(
            "/telemetry",
            "/event",
            "/telemetry/water/" + gauge.deviceId(),
            "/telemetry/water/no-such-device",
            "/telemetry/batch");
    Map<String, Integer> refusedBy = new TreeMap<>();
    for (String path : paths) {
      HttpMethod method =
          path.chars().filter(c -> c == '/').count() == 3 && !path.endsWith("/batch")
              ? HttpMethod.PUT
              : HttpMethod.POST;
      List<String> bodies = path.endsWith("/batch") ? batches : readings;
      for (String body : bodies) {
        for (String contentType :
            List.of("application/json", "application/x-ndjson", "text/plain")) {
          assertRefusedCleanly(
              method + " " + path + " (" + contentType + ") " + preview(body),
              city.request(
                  method, path, body, "Content-Type", contentType, "Authorization", credentials),
              refusedBy);
        }
      }
    }
    assertThat(refusedBy.keySet())
        .as("refused with " + refusedBy)
        .contains(
            "ingest:payload.malformed",
            "ingest:payload.too-large",
            "ingest:reading.implausible",
            "ingest:device.notfound");
    assertKeptAndTakesTheNext(gauge, 6, 8);
  }

  /**
   * The gauge's twin still holds its last good depth, {@code keptCentimetres}, and takes the next
   * reading, {@code nextCentimetres}: nothing accepted was lost and the server still works.
   */
  private void assertKeptAndTakesTheNext(
      SimDevice gauge, int keptCentimetres, int nextCentimetres) {
    String depth = "/api/2/things/" + gauge.thingId() + "/features/waterlogging/properties/depth";
    assertThat(city.get(depth).body()).isEqualTo(String.format("0.%02d", keptCentimetres));
    city.reportDepth(gauge, nextCentimetres);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(city.get(depth).body())
                    .isEqualTo(String.format("0.%02d", nextCentimetres)));
  }

  /**
   * A server error fails the sweep; any other refusal must be Ditto's error form: its status, an
   * error code, a message and a description.
   */
  private static void assertRefusedCleanly(
      String request, RunningDistrict.Answer answer, Map<String, Integer> refusedBy) {
    assertThat(answer.status())
        .as(request + " answered " + answer.status() + " " + preview(answer.body()))
        .isLessThan(500);
    if (answer.status() < 400) {
      return;
    }
    assertThat(answer.headers().get("Content-Type"))
        .as(request + " answered " + answer.status() + " " + preview(answer.body()))
        .startsWith("application/json");
    JsonObject error = answer.json();
    assertThat(error.getInteger("status")).as(request).isEqualTo(answer.status());
    assertThat(error.getString("error")).as(request).isNotBlank();
    assertThat(error.getString("message")).as(request).isNotBlank();
    assertThat(error.getString("description")).as(request).isNotBlank();
    refusedBy.merge(error.getString("error"), 1, Integer::sum);
  }

  private static String preview(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "... (" + text.length() + " chars)";
  }
}
