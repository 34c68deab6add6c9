package org.citytwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;

class DeviceRegistryTest {

  private final DeviceRegistry registry = new DeviceRegistry(new SecureRandom());

  private static JsonObject entry(String deviceId, JsonObject credentials) {
    return new JsonObject()
        .put("tenant", "water")
        .put("deviceId", deviceId)
        .put("thingId", "water:" + deviceId)
        .put("vendorFormat", "waterlogging-cm")
        .put("credentials", credentials);
  }

  @Test
  void importsPlainPasswordsHashedAndMatchesOnlyTheRightOne() {
    registry.importJson(
        new JsonArray().add(entry("wlg-0001", new JsonObject().put("pwd-plain", "s3cret"))));
    Device device = registry.find("water", "wlg-0001").orElseThrow();
    assertThat(device.thingId().toString()).isEqualTo(ThingId.of("water", "wlg-0001").toString());
    assertThat(device.password().hashBase64()).doesNotContain("s3cret");
    assertThat(device.password().matches("s3cret")).isTrue();
    assertThat(device.password().matches("s3cret ")).isFalse();
    assertThat(registry.find("traffic", "wlg-0001")).isEmpty();
  }

  @Test
  void exportedDevicesImportWithTheSameCredentials() {
    Device original =
        new Device(
            new DeviceId("water", "wlg-0002"),
            "wlg-0002",
            PasswordHash.of("pw", new SecureRandom()),
            ThingId.of("water", "wlg-0002"),
            "waterlogging-cm",
            false);
    registry.importJson(new JsonArray().add(DeviceRegistry.toJson(original)));
    Device imported = registry.find("water", "wlg-0002").orElseThrow();
    assertThat(imported).isEqualTo(original);
    assertThat(imported.password().matches("pw")).isTrue();
  }

  @Test
  void equalPasswordsGetDifferentHashes() {
    SecureRandom random = new SecureRandom();
    assertThat(PasswordHash.of("same", random).hashBase64())
        .isNotEqualTo(PasswordHash.of("same", random).hashBase64());
  }

  @Test
  void refusesAMalformedImportWholeNamingTheEntry() {
    JsonArray devices =
        new JsonArray()
            .add(entry("wlg-0001", new JsonObject().put("pwd-plain", "a")))
            .add(entry("wlg-0002", new JsonObject().put("hash-function", "md5")));
    assertThatThrownBy(() -> registry.importJson(devices))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wlg-0002");
    assertThat(registry.all()).isEmpty();
  }
}
