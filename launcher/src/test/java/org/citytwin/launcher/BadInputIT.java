package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input is refused with a Ditto-style error, counted, and changes nothing: the server keeps
 * serving and nothing accepted before is lost.
 */
@Timeout(60)
class BadInputIT {

  @TempDir Path directory;
  private RunningDistrict city;
  private SimDevice gauge;

  @BeforeEach
  void startCity() throws Exception {
    city = new RunningDistrict(directory, 1, 1);
    gauge = city.gauge(0);
  }

  @AfterEach
  void stopCity() {
    city.close();
  }

  @Test
  void refusesMalformedBodyUnknownDeviceAndWrongPasswordAndKeepsServing() {
    assertThat(
            city.postReading(
                    gauge.username(),
                    RunningDistrict.PASSWORD,
                    "application/json",
                    "{\"depth_cm\": 17}")
                .status())
        .isEqualTo(202);

    RunningDistrict.Answer malformed =
        city.postReading(
            gauge.username(), RunningDistrict.PASSWORD, "application/json", "{\"depth_cm\": ");
    assertDittoError(malformed, 400, "ingest:payload.malformed");

    RunningDistrict.Answer unknown =
        city.postReading(
            "wlg-9999@water", RunningDistrict.PASSWORD, "application/json", "{\"depth_cm\": 3}");
    assertDittoError(unknown, 401, "ingest:device.unauthenticated");
    assertThat(unknown.headers()).containsKey("WWW-Authenticate");

    RunningDistrict.Answer wrongPassword =
        city.postReading(
            gauge.username(), "not-the-password", "application/json", "{\"depth_cm\": 3}");
    assertDittoError(wrongPassword, 401, "ingest:device.unauthenticated");
    assertThat(wrongPassword.json().getString("message"))
        .as("an unknown device and a wrong password must be indistinguishable")
        .isEqualTo(unknown.json().getString("message"));

    assertDittoError(
        city.postReading(gauge.username(), RunningDistrict.PASSWORD, "application/json", "[1, 2]"),
        400,
        "ingest:payload.malformed");
    assertDittoError(
        city.postReading(
            gauge.username(),
            RunningDistrict.PASSWORD,
            "application/json",
            "{\"depth_cm\": \"deep\"}"),
        400,
        "ingest:payload.malformed");
    assertDittoError(
        city.postReading(
            gauge.username(), RunningDistrict.PASSWORD, "application/json", "{\"depth_cm\": -4}"),
        400,
        "ingest:reading.implausible");
    assertDittoError(
        city.postReading(gauge.username(), RunningDistrict.PASSWORD, "text/plain", "17"),
        415,
        "ingest:content-type.unsupported");
    assertDittoError(
        city.postReading(
            gauge.username(),
            RunningDistrict.PASSWORD,
            "application/json",
            "{\"pad\": \"" + "x".repeat(70_000) + "\"}"),
        413,
        "ingest:payload.too-large");
    assertDittoError(
        city.postReading(null, null, "application/json", "{\"depth_cm\": 3}"),
        401,
        "ingest:device.unauthenticated");

    // Still serving, and the one good reading is the twin's state and history's only row.
    assertThat(
            city.postReading(
                    gauge.username(),
                    RunningDistrict.PASSWORD,
                    "application/json",
                    "{\"depth_cm\": 18}")
                .status())
        .isEqualTo(202);
    RunningDistrict.Answer twin = city.get("/api/2/things/" + gauge.thingId());
    assertThat(twin.headers()).containsEntry("ETag", "\"rev:3\"");
    assertThat(RunningDistrict.waterloggingDepth(twin.json())).isEqualTo(0.18);
    assertThat(
            city.get(
                    "/api/history/things/"
                        + gauge.thingId()
                        + "/features/waterlogging/properties/depth")
                .json()
                .getJsonArray("readings"))
        .hasSize(2);

    String metrics = city.get("/metrics").body();
    assertThat(metrics)
        .contains("citytwin_ingest_readings_accepted_total 2")
        .contains(
            "citytwin_ingest_requests_rejected_total{reason=\"ingest:device.unauthenticated\"} 3")
        .contains("citytwin_ingest_requests_rejected_total{reason=\"ingest:payload.malformed\"} 3");
    org.awaitility.Awaitility.await()
        .untilAsserted(
            () ->
                assertThat(
                        new io.vertx.core.json.JsonArray(
                                city.get("/api/ingest/dead-letters?limit=100").body())
                            .stream()
                                .map(io.vertx.core.json.JsonObject.class::cast)
                                .filter(
                                    letter -> letter.getString("payload").equals("{\"depth_cm\": "))
                                .toList())
                    .as("the malformed body is kept with its reason, for the vendor's engineer")
                    .singleElement()
                    .satisfies(
                        letter -> {
                          assertThat(letter.getString("source")).isEqualTo("http");
                          assertThat(letter.getString("error"))
                              .isEqualTo("ingest:payload.malformed");
                        }));
  }

  @Test
  void answersApiErrorsInDittoForm() {
    assertDittoError(city.get("/api/2/things/water:no-such-thing"), 404, "things:thing.notfound");
    assertDittoError(city.get("/api/2/things/no-namespace"), 400, "things:id.invalid");
    assertDittoError(city.get("/api/2/things"), 400, "api:things.ids-missing");
    assertDittoError(city.get("/api/no-such-resource"), 404, "api:route.notfound");
    assertDittoError(
        city.get(
            "/api/history/things/"
                + gauge.thingId()
                + "/features/waterlogging/properties/depth?from=yesterday"),
        400,
        "api:parameter.invalid");
    assertDittoError(
        city.get("/api/history/things/" + gauge.thingId() + "/trajectory?feature="),
        400,
        "api:parameter.invalid");
    assertDittoError(city.get("/api/2/search/things?filter=%zz"), 400, "api:parameter.invalid");
    assertDittoError(city.get("/api/2/things/water:%zz"), 400, "api:request.malformed");
    assertDittoError(
        city.get("/api/2/search/things?filter=" + "x".repeat(20_000)), 414, "api:uri.too-long");
    assertThat(city.get("/health").status()).isEqualTo(200);
  }

  private static void assertDittoError(RunningDistrict.Answer answer, int status, String code) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.headers().get("Content-Type")).startsWith("application/json");
    JsonObject error = answer.json();
    assertThat(error.getInteger("status")).isEqualTo(status);
    assertThat(error.getString("error")).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
    assertThat(error.getString("description")).isNotBlank();
  }
}
