package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateways sending for their devices (Hono's {@code PUT /telemetry/{tenant}/{device}}), batches as
 * JSON arrays and NDJSON, and Hono's {@code QoS-Level}, against a running server.
 */
@Timeout(60)
class GatewayAndBatchIT {

  private static final String GATEWAY = "gw-01";
  private static final String GATEWAY_PASSWORD = "gateway-password";

  @TempDir Path directory;
  private RunningDistrict city;
  private SimDevice behind;
  private SimDevice alsoBehind;
  private SimDevice notBehind;

  @BeforeEach
  void startCity() throws Exception {
    city =
        new RunningDistrict(
            directory,
            1,
            3,
            // The first two gauges list the gateway in "via", the third does not.
            devices -> RunningDistrict.addGateway(devices, GATEWAY, GATEWAY_PASSWORD, 0, 1));
    behind = city.gauge(0);
    alsoBehind = city.gauge(1);
    notBehind = city.gauge(2);
  }

  @AfterEach
  void stopCity() {
    city.close();
  }

  @Test
  void aGatewaySendsOnlyForTheDevicesThatListIt() {
    RunningDistrict.Answer sent =
        gateway(HttpMethod.PUT, "/telemetry/water/" + behind.deviceId(), "{\"depth_cm\": 31}");
    assertThat(sent.status()).isEqualTo(202);
    assertThat(depthOf(behind)).isEqualTo(0.31);

    assertError(
        gateway(HttpMethod.PUT, "/telemetry/water/" + notBehind.deviceId(), "{\"depth_cm\": 5}"),
        403,
        "ingest:gateway.unauthorized");
    assertError(
        gateway(HttpMethod.PUT, "/telemetry/water/wlg-nope", "{\"depth_cm\": 5}"),
        404,
        "ingest:device.notfound");
    assertError(
        gateway(HttpMethod.PUT, "/telemetry/urban/" + behind.deviceId(), "{\"depth_cm\": 5}"),
        403,
        "ingest:gateway.unauthorized");
    assertThat(depthOf(notBehind)).as("refusals change nothing").isNotEqualTo(0.05);
  }

  @Test
  void aBatchTakesItsGoodItemsAndNamesTheBadOnesByIndex() {
    String batch =
        new JsonArray()
            .add(item(behind, "{\"depth_cm\": 12}"))
            .add(item(alsoBehind, "{\"depth_cm\": 44}"))
            .add(item(notBehind, "{\"depth_cm\": 9}"))
            .add(item(behind, "{\"depth\": 9}"))
            .encode();
    RunningDistrict.Answer answer =
        gateway(HttpMethod.POST, "/telemetry/batch", batch, "Content-Type", "application/json");

    assertThat(answer.status()).isEqualTo(200);
    JsonObject result = answer.json();
    assertThat(result.getInteger("accepted")).isEqualTo(2);
    assertThat(result.getJsonArray("rejected").stream().map(JsonObject.class::cast).toList())
        .extracting(r -> r.getInteger("index"), r -> r.getString("error"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2, "ingest:gateway.unauthorized"),
            org.assertj.core.groups.Tuple.tuple(3, "ingest:payload.malformed"));
    assertThat(depthOf(behind)).isEqualTo(0.12);
    assertThat(depthOf(alsoBehind)).isEqualTo(0.44);
  }

  @Test
  void ndjsonBatchesRefuseABadLineAloneAndAllBadIsAnError() {
    String ndjson =
        item(behind, "{\"depth_cm\": 21}").encode()
            + "\n{not json\n"
            + item(alsoBehind, "{\"depth_cm\": 22}").encode()
            + "\n";
    RunningDistrict.Answer answer =
        gateway(
            HttpMethod.POST, "/telemetry/batch", ndjson, "Content-Type", "application/x-ndjson");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().getInteger("accepted")).isEqualTo(2);
    assertThat(answer.json().getJsonArray("rejected").getJsonObject(0).getInteger("index"))
        .isEqualTo(1);
    assertThat(depthOf(alsoBehind)).isEqualTo(0.22);

    RunningDistrict.Answer allBad =
        gateway(
            HttpMethod.POST,
            "/telemetry/batch",
            new JsonArray().add(item(notBehind, "{\"depth_cm\": 1}")).encode(),
            "Content-Type",
            "application/json");
    assertError(allBad, 403, "ingest:gateway.unauthorized");
    assertThat(allBad.json().getJsonArray("rejected")).hasSize(1);

    assertError(
        gateway(
            HttpMethod.POST,
            "/telemetry/batch",
            "{\"device\": \"not in an array\"}",
            "Content-Type",
            "application/json"),
        400,
        "ingest:payload.malformed");

    StringBuilder tooMany = new StringBuilder();
    for (int i = 0; i <= 10_000; i++) {
      tooMany.append("{\"payload\":{}}\n");
    }
    assertError(
        gateway(
            HttpMethod.POST,
            "/telemetry/batch",
            tooMany.toString(),
            "Content-Type",
            "application/x-ndjson"),
        413,
        "ingest:payload.too-large");
  }

  @Test
  void qosLevelZeroAnswersWithoutWaitingAndOtherLevelsAreRefused() {
    RunningDistrict.Answer atMostOnce = postWithQos("{\"depth_cm\": 8}", "0");
    assertThat(atMostOnce.status()).isEqualTo(202);
    org.awaitility.Awaitility.await().until(() -> depthOf(behind) == 0.08);

    assertError(postWithQos("{\"depth_cm\": 8}", "2"), 400, "ingest:header.invalid");
  }

  private RunningDistrict.Answer postWithQos(String body, String level) {
    return city.request(
        HttpMethod.POST,
        "/telemetry",
        body,
        "Authorization",
        basic(behind.username(), RunningDistrict.PASSWORD),
        "Content-Type",
        "application/json",
        "QoS-Level",
        level);
  }

  private RunningDistrict.Answer gateway(
      HttpMethod method, String path, String body, String... headers) {
    List<String> all = new java.util.ArrayList<>(List.of(headers));
    all.add("Authorization");
    all.add(basic(GATEWAY + "@water", GATEWAY_PASSWORD));
    if (!all.contains("Content-Type")) {
      all.add("Content-Type");
      all.add("application/json");
    }
    return city.request(method, path, body, all.toArray(String[]::new));
  }

  private static JsonObject item(SimDevice device, String payload) {
    return new JsonObject()
        .put("device", device.deviceId())
        .put("payload", new JsonObject(payload));
  }

  private double depthOf(SimDevice device) {
    RunningDistrict.Answer thing = city.get("/api/2/things/" + device.thingId());
    return RunningDistrict.waterloggingDepth(thing.json());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static void assertError(RunningDistrict.Answer answer, int status, String code) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.json().getString("error")).isEqualTo(code);
    assertThat(answer.json().getInteger("status")).isEqualTo(status);
  }
}
