package org.citytwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.ThingModelCatalogue;
import org.citytwin.twin.WgsPoint;
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
        .isInstanceOfSatisfying(
            CitytwinException.class,
            e -> assertThat(e.getErrorCode()).isEqualTo("devices:registration.invalid"))
        .hasMessageContaining("wlg-0002");
    assertThat(registry.all()).isEmpty();
  }

  /** Registrations kept in a map, as the database keeps them: text by device id. */
  private static final class MapRegistrations implements DeviceRegistrations {
    final Map<DeviceId, String> kept = new LinkedHashMap<>();
    boolean failing;

    @Override
    public List<String> load() {
      return List.copyOf(kept.values());
    }

    @Override
    public void store(Map<DeviceId, String> registrations) {
      if (failing) {
        throw new IllegalStateException("disk full");
      }
      kept.putAll(registrations);
    }

    @Override
    public void remove(DeviceId id) {
      kept.remove(id);
    }
  }

  private static DeviceRegistry registryOver(DeviceRegistrations stored) {
    ThingModelCatalogue models = ThingModelCatalogue.shipped();
    return new DeviceRegistry(new SecureRandom(), models, VendorFormats.builtIn(models), stored);
  }

  @Test
  void everyChangeIsStoredAndLoadsBackIntoAFreshRegistry() {
    MapRegistrations stored = new MapRegistrations();
    DeviceRegistry first = registryOver(stored);
    first.importJson(
        new JsonArray()
            .add(entry("wlg-0001", new JsonObject().put("pwd-plain", "a")))
            .add(entry("wlg-0002", new JsonObject().put("pwd-plain", "b"))));
    first.setEnabled(new DeviceId("water", "wlg-0001"), false);
    first.remove(new DeviceId("water", "wlg-0002"));
    first.put(
        new DeviceId("water", "wlg-0003"),
        entry("wlg-0003", new JsonObject().put("pwd-plain", "c"))
            .put(
                "location",
                new JsonObject()
                    .put("type", "Point")
                    .put("coordinates", new JsonArray().add(120.1).add(30.2)))
            .put("hierarchy", new JsonObject().put("street", "Mishixiang")));

    DeviceRegistry restarted = registryOver(stored);
    assertThat(restarted.loadStored()).isEqualTo(2);
    assertThat(restarted.find(new DeviceId("water", "wlg-0001")).orElseThrow().enabled()).isFalse();
    assertThat(restarted.find(new DeviceId("water", "wlg-0002"))).isEmpty();
    Device placed = restarted.find("water", "wlg-0003").orElseThrow();
    assertThat(placed.location()).contains(new WgsPoint(120.1, 30.2));
    assertThat(placed.hierarchy()).containsEntry("street", "Mishixiang");
    assertThat(placed.password().matches("c")).isTrue();
  }

  @Test
  void aChangeTheStoreRefusesDoesNotTakeEffect() {
    MapRegistrations stored = new MapRegistrations();
    DeviceRegistry devices = registryOver(stored);
    devices.importJson(
        new JsonArray().add(entry("wlg-0001", new JsonObject().put("pwd-plain", "a"))));
    stored.failing = true;
    assertThatThrownBy(() -> devices.setEnabled(new DeviceId("water", "wlg-0001"), false))
        .isInstanceOfSatisfying(
            CitytwinException.class,
            e -> assertThat(e.getErrorCode()).isEqualTo("devices:registry.unavailable"));
    assertThat(devices.find("water", "wlg-0001").orElseThrow().enabled()).isTrue();
  }

  @Test
  void anAuthIdSignsInOneDeviceOnlyAndAChangedOneFreesTheOld() {
    DeviceRegistry devices = registryOver(new MapRegistrations());
    devices.importJson(
        new JsonArray().add(entry("wlg-0001", new JsonObject().put("pwd-plain", "a"))));
    JsonObject thief =
        entry("wlg-0009", new JsonObject().put("pwd-plain", "b")).put("authId", "wlg-0001");
    assertThatThrownBy(() -> devices.put(new DeviceId("water", "wlg-0009"), thief))
        .isInstanceOfSatisfying(
            CitytwinException.class,
            e -> assertThat(e.getErrorCode()).isEqualTo("devices:auth-id.conflict"));
    assertThat(devices.find("water", "wlg-0001").orElseThrow().id().device()).isEqualTo("wlg-0001");

    devices.put(
        new DeviceId("water", "wlg-0001"),
        entry("wlg-0001", new JsonObject().put("pwd-plain", "a")).put("authId", "gauge-one"));
    assertThat(devices.find("water", "wlg-0001")).as("the old sign-in name is freed").isEmpty();
    assertThat(devices.find("water", "gauge-one")).isPresent();
  }

  @Test
  void refusesARegistrationWithAnUnknownFormatOrAPathMismatch() {
    DeviceRegistry devices = registryOver(new MapRegistrations());
    assertThatThrownBy(
            () ->
                devices.put(
                    new DeviceId("water", "wlg-0001"),
                    entry("wlg-0001", new JsonObject().put("pwd-plain", "a"))
                        .put("vendorFormat", "telepathy")))
        .hasMessageContaining("telepathy");
    assertThatThrownBy(
            () ->
                devices.put(
                    new DeviceId("water", "wlg-0002"),
                    entry("wlg-0001", new JsonObject().put("pwd-plain", "a"))))
        .hasMessageContaining("differs from the path");
    assertThatThrownBy(
            () ->
                devices.put(
                    new DeviceId("police", "wlg-0001"),
                    entry("wlg-0001", new JsonObject().put("pwd-plain", "a"))
                        .put("tenant", "police")))
        .hasMessageContaining("'police' is not a department");
    assertThat(devices.all()).isEmpty();
  }

  @Test
  void readsCsvWithQuotedCellsAndNamesTheBadRow() {
    JsonArray rows =
        RegistrationFiles.fromCsv(
            "\uFEFFtenant,deviceId,thingId,vendorFormat,password,via,parameters,community\r\n"
                + "water,wl-1,water:wl-1,water-level-datum-mm,\"p,w\"\"1\",gw-1;gw-2,datum=2.15;warningLevel=5,\"Hubin\nEast\"\r\n");
    JsonObject row = rows.getJsonObject(0);
    assertThat(row.getJsonObject("credentials").getString("pwd-plain")).isEqualTo("p,w\"1");
    assertThat(row.getJsonArray("via")).containsExactly("gw-1", "gw-2");
    assertThat(row.getJsonObject("parameters").getDouble("warningLevel")).isEqualTo(5.0);
    assertThat(row.getJsonObject("hierarchy").getString("community")).isEqualTo("Hubin\nEast");

    assertThatThrownBy(() -> RegistrationFiles.fromCsv("tenant,deviceId,colour\nwater,a,red\n"))
        .hasMessageContaining("Unknown CSV column 'colour'");
    assertThatThrownBy(
            () -> RegistrationFiles.fromCsv("tenant,deviceId,longitude\nwater,a,120\nwater,b\n"))
        .hasMessageContaining("Row 2");
  }
}
