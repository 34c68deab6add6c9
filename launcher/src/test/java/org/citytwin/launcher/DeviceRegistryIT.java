package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device registry over HTTP against a running server: registering, importing from CSV and
 * GeoJSON, disabling and removing devices, each change surviving a restart; and a device of a kind
 * that sends no numbers (a camera with AI alerts) whose readings reach its twin and history.
 */
@Timeout(90)
class DeviceRegistryIT {

  private static final String CAMERA = "/api/devices/urban/cam-0001";

  @TempDir Path directory;
  private RunningDistrict city;

  @BeforeEach
  void startCity() throws Exception {
    city = new RunningDistrict(directory, 1, 1);
  }

  @AfterEach
  void stopCity() {
    city.close();
  }

  @Test
  void aCameraRegisteredOverHttpSendsAlertsThatReachItsTwinAndHistory() {
    assertThat(put(CAMERA, camera("cam-pass")).status()).isEqualTo(201);
    assertThat(
            city.request(
                    HttpMethod.PUT,
                    "/api/2/things/urban:cam-0001",
                    new JsonObject()
                        .put("definition", "citytwin:ai-camera:1.0.0")
                        .put("attributes", new JsonObject().put("kind", "ai-camera"))
                        .encode(),
                    "Content-Type",
                    "application/json")
                .status())
        .isEqualTo(201);
    JsonObject registered = city.get(CAMERA).json();
    assertThat(registered.getJsonObject("credentials").getString("pwd-hash")).isNotBlank();
    assertThat(registered.encode()).doesNotContain("cam-pass");

    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonObject alert =
        new JsonObject()
            .put("eventType", "muck_spill")
            .put("score", 87)
            .put("rect", new JsonArray().add(412).add(230).add(96).add(64))
            .put("picUrl", "https://nvr.example/snap/1.jpg")
            .put("alarmTime", at.toString());
    RunningDistrict.Answer taken =
        city.postReading("cam-0001@urban", "cam-pass", "application/json", alert.encode());
    assertThat(taken.status()).as(taken.body()).isEqualTo(202);

    RunningDistrict.Answer twin = city.get("/api/2/things/urban:cam-0001");
    JsonObject detection =
        twin.json()
            .getJsonObject("features")
            .getJsonObject("detection")
            .getJsonObject("properties");
    assertThat(detection.getString("scene")).as(twin.body()).isEqualTo("road-spill");
    assertThat(detection.getJsonArray("box")).containsExactly(412.0, 230.0, 96.0, 64.0);
    assertThat(detection.getDouble("confidence")).isEqualTo(0.87);
    JsonArray scenes =
        city.get(
                "/api/history/things/urban:cam-0001/features/detection/properties/scene?from="
                    + at.minusSeconds(60)
                    + "&to="
                    + at.plusSeconds(60))
            .json()
            .getJsonArray("readings");
    assertThat(scenes).hasSize(1);
    assertThat(scenes.getJsonObject(0).getString("value")).isEqualTo("road-spill");
    assertThat(scenes.getJsonObject(0).getString("unit")).isEqualTo("NONE");
  }

  @Test
  void aDisabledDeviceIsRefusedUntilEnabledAndARemovedOneCannotSignIn() throws Exception {
    put(CAMERA, camera("cam-pass"));
    String alert =
        new JsonObject()
            .put("eventType", "smoke_fire")
            .put("score", 60)
            .put("rect", new JsonArray().add(1).add(2).add(3).add(4))
            .encode();
    assertThat(
            city.request(
                    HttpMethod.PUT,
                    CAMERA + "/enabled",
                    "false",
                    "Content-Type",
                    "application/json")
                .status())
        .isEqualTo(204);
    RunningDistrict.Answer refused =
        city.postReading("cam-0001@urban", "cam-pass", "application/json", alert);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().getString("error")).isEqualTo("ingest:device.disabled");

    restart();
    assertThat(city.get(CAMERA).json().getBoolean("enabled"))
        .as("disabled across a restart")
        .isFalse();
    city.request(HttpMethod.PUT, CAMERA + "/enabled", "true", "Content-Type", "application/json");
    assertThat(city.postReading("cam-0001@urban", "cam-pass", "application/json", alert).status())
        .as("the camera's twin does not exist, so history alone takes it")
        .isIn(202, 503);

    assertThat(city.request(HttpMethod.DELETE, CAMERA, null).status()).isEqualTo(204);
    assertThat(city.postReading("cam-0001@urban", "cam-pass", "application/json", alert).status())
        .isEqualTo(401);
    RunningDistrict.Answer gone = city.get(CAMERA);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().getString("error")).isEqualTo("devices:device.notfound");
    restart();
    assertThat(city.get(CAMERA).status()).as("removed across a restart").isEqualTo(404);
  }

  @Test
  void importsCsvAllOrNoneNamingTheBadRow() throws Exception {
    String csv =
        "tenant,deviceId,thingId,vendorFormat,password,observes,category,longitude,latitude,street,grid\n"
            + "water,rg-0001,water:rg-0001,rain-counter,pw1,,,120.15,30.28,Xihu,\"G-01, north\"\n"
            + "water,rg-0002,water:rg-0002,rain-counter,pw2,water:wlp-0001,waterlogging-point,,,,\n";
    RunningDistrict.Answer imported = importAs("text/csv", csv);
    assertThat(imported.status()).isEqualTo(200);
    assertThat(imported.json().getInteger("imported")).isEqualTo(2);
    JsonObject first = city.get("/api/devices/water/rg-0001").json();
    assertThat(first.getJsonObject("location").getJsonArray("coordinates"))
        .containsExactly(120.15, 30.28);
    assertThat(first.getJsonObject("hierarchy").getString("grid")).isEqualTo("G-01, north");
    assertThat(city.get("/api/devices/water/rg-0002").json().getString("category"))
        .isEqualTo("waterlogging-point");

    RunningDistrict.Answer bad =
        importAs(
            "text/csv",
            "tenant,deviceId,thingId,vendorFormat,password\n"
                + "water,rg-0003,water:rg-0003,rain-counter,pw\n"
                + "water,rg-0004,water:rg-0004,no-such-format,pw\n");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("error")).isEqualTo("devices:registration.invalid");
    assertThat(bad.json().getString("message")).contains("Entry 1").contains("no-such-format");
    assertThat(city.get("/api/devices/water/rg-0003").status())
        .as("nothing of a refused import is registered")
        .isEqualTo(404);
    // Empty bodies are bad requests, not failures.
    for (String path :
        List.of("/api/devices/water/rg-0003", "/api/devices/water/rg-0002/enabled")) {
      RunningDistrict.Answer empty = city.request(HttpMethod.PUT, path, "");
      assertThat(empty.status()).as(path).isEqualTo(400);
      assertThat(empty.json().getString("error")).as(path).startsWith("api:");
    }

    restart();
    assertThat(city.get("/api/devices/water?size=1").json().getJsonArray("items")).hasSize(1);
    assertThat(city.get("/api/devices/water/rg-0002").status()).isEqualTo(200);
  }

  @Test
  void importsGeoJsonPointsAndRefusesATakenAuthId() {
    JsonObject layer =
        new JsonObject()
            .put("type", "FeatureCollection")
            .put(
                "features",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("type", "Feature")
                            .put(
                                "geometry",
                                new JsonObject()
                                    .put("type", "Point")
                                    .put("coordinates", new JsonArray().add(120.16).add(30.27)))
                            .put(
                                "properties",
                                new JsonObject()
                                    .put("tenant", "urban")
                                    .put("deviceId", "lamp-0001")
                                    .put("thingId", "urban:lamp-0001")
                                    .put("vendorFormat", "lamp-nb-iot")
                                    .put("password", "lamp-pass"))));
    assertThat(importAs("application/geo+json", layer.encode()).status()).isEqualTo(200);
    assertThat(
            city.get("/api/devices/urban/lamp-0001")
                .json()
                .getJsonObject("location")
                .getJsonArray("coordinates"))
        .containsExactly(120.16, 30.27);

    RunningDistrict.Answer taken =
        put("/api/devices/urban/lamp-0002", camera("x").put("authId", "lamp-0001"));
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.json().getString("error")).isEqualTo("devices:auth-id.conflict");

    RunningDistrict.Answer wrongType = importAs("application/xml", "<devices/>");
    assertThat(wrongType.status()).isEqualTo(415);
  }

  private JsonObject camera(String password) {
    return new JsonObject()
        .put("thingId", "urban:cam-0001")
        .put("vendorFormat", "camera-ai-alert")
        .put("credentials", new JsonObject().put("pwd-plain", password));
  }

  private RunningDistrict.Answer put(String path, JsonObject registration) {
    return city.request(
        HttpMethod.PUT, path, registration.encode(), "Content-Type", "application/json");
  }

  private RunningDistrict.Answer importAs(String contentType, String body) {
    return city.request(HttpMethod.POST, "/api/devices", body, "Content-Type", contentType);
  }

  private void restart() throws Exception {
    city.close();
    city = new RunningDistrict(directory, 1, 1);
  }
}
