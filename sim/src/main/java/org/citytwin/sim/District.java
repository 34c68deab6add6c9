package org.citytwin.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.citytwin.ingest.Device;
import org.citytwin.ingest.DeviceId;
import org.citytwin.ingest.DeviceRegistry;
import org.citytwin.ingest.PasswordHash;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.things.model.Thing;

/**
 * A generated district: its zones, its twins and its devices.
 *
 * @param zones a GeoJSON FeatureCollection of zones with {@code id}, {@code type}, {@code name}
 * @param things every managed object and device twin
 * @param devices the devices, with their plain passwords (only the simulator knows them)
 */
public record District(JsonObject zones, List<Thing> things, List<SimDevice> devices) {

  /** The file names a district directory holds; the server's district loader reads the same. */
  public static final String ZONES_FILE = "zones.geojson";

  public static final String THINGS_FILE = "things.json";
  public static final String DEVICES_FILE = "devices.json";

  public District {
    things = List.copyOf(things);
    devices = List.copyOf(devices);
  }

  /** The devices of {@code kind}, in id order. */
  public List<SimDevice> devicesOfKind(String kind) {
    return devices.stream()
        .filter(device -> device.kind().equals(kind))
        .sorted(java.util.Comparator.comparing(SimDevice::deviceId))
        .toList();
  }

  /** How the device registry holds {@code device}, with {@code password} as its stored hash. */
  public static Device registration(SimDevice device, PasswordHash password) {
    return new Device(
        new DeviceId(device.tenant(), device.deviceId()),
        device.deviceId(),
        password,
        device.thingId(),
        device.vendorFormat(),
        true,
        device.parameters(),
        Set.of(),
        Optional.ofNullable(device.observes()),
        device.observes() == null ? Reading.UNCLASSIFIED : device.observedCategory());
  }

  /**
   * Writes the district in the formats the server imports. Device passwords are written hashed, as
   * the registry stores them.
   */
  public void writeTo(Path directory) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(
        directory.resolve(ZONES_FILE), zones.encodePrettily(), StandardCharsets.UTF_8);
    JsonArray thingsJson = new JsonArray();
    things.forEach(thing -> thingsJson.add(new JsonObject(thing.toJson().toString())));
    Files.writeString(
        directory.resolve(THINGS_FILE), thingsJson.encodePrettily(), StandardCharsets.UTF_8);
    SecureRandom random = new SecureRandom();
    JsonArray devicesJson = new JsonArray();
    for (SimDevice device : devices) {
      devicesJson.add(
          DeviceRegistry.toJson(registration(device, PasswordHash.of(device.password(), random))));
    }
    Files.writeString(
        directory.resolve(DEVICES_FILE), devicesJson.encodePrettily(), StandardCharsets.UTF_8);
  }
}
