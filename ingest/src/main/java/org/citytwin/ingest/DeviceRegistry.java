package org.citytwin.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ThingModelCatalogue;
import org.eclipse.ditto.things.model.ThingId;

/**
 * The devices allowed to send readings, looked up by the credentials they present.
 *
 * <p>Import format (one JSON object per device, close to Hono's device and credentials APIs):
 *
 * <pre>{@code
 * {"tenant": "water", "deviceId": "wlg-0001", "authId": "wlg-0001",
 *  "thingId": "water:wlg-0001", "vendorFormat": "waterlogging-cm", "enabled": true,
 *  "parameters": {"datum": 2.15}, "via": ["gw-0001"],
 *  "observes": "water:wlp-0001", "category": "waterlogging-point",
 *  "credentials": {"hash-function": "sha-256", "salt": "...", "pwd-hash": "..."}}
 * }</pre>
 *
 * <p>{@code "credentials": {"pwd-plain": "..."}} is accepted too and hashed on import, as Hono's
 * registry does. Safe for concurrent use.
 */
public final class DeviceRegistry {

  private record AuthKey(String tenant, String authId) {}

  private final ConcurrentHashMap<AuthKey, Device> byCredentials = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<DeviceId, Device> byId = new ConcurrentHashMap<>();
  private final SecureRandom random;
  private final Set<String> categories;

  /** A registry whose devices may observe objects of the shipped thing models' categories. */
  public DeviceRegistry(SecureRandom random) {
    this(random, ThingModelCatalogue.shipped());
  }

  /**
   * @param models whose managed-object categories (such as {@code bridge}) a device's {@code
   *     category} may name
   */
  public DeviceRegistry(SecureRandom random, ThingModelCatalogue models) {
    this.random = random;
    Set<String> names = new HashSet<>();
    models.inCategory("managed-object").forEach(definition -> names.add(definition.getName()));
    this.categories = Set.copyOf(names);
  }

  /** Adds the device, or replaces the one registered with the same tenant and auth-id. */
  public void register(Device device) {
    byCredentials.put(new AuthKey(device.id().tenant(), device.authId()), device);
    byId.put(device.id(), device);
  }

  /** The device with this tenant and device id, if any. */
  public Optional<Device> find(DeviceId id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The device that signs in as {@code authId@tenant}, if any, whatever its password. */
  public Optional<Device> find(String tenant, String authId) {
    return Optional.ofNullable(byCredentials.get(new AuthKey(tenant, authId)));
  }

  public Collection<Device> all() {
    return List.copyOf(byCredentials.values());
  }

  /**
   * Registers every device in {@code devices}, all or none.
   *
   * @return how many were registered
   * @throws IllegalArgumentException naming the first malformed entry
   */
  public int importJson(JsonArray devices) {
    List<Device> parsed =
        devices.stream()
            .map(
                entry -> {
                  if (!(entry instanceof JsonObject json)) {
                    throw new IllegalArgumentException(
                        "a device entry must be an object: " + entry);
                  }
                  return parse(json);
                })
            .toList();
    parsed.forEach(this::register);
    return parsed.size();
  }

  private Device parse(JsonObject json) {
    try {
      DeviceId id = new DeviceId(json.getString("tenant"), json.getString("deviceId"));
      JsonObject credentials = json.getJsonObject("credentials");
      if (credentials == null) {
        throw new IllegalArgumentException("no credentials");
      }
      PasswordHash password;
      if (credentials.containsKey("pwd-plain")) {
        password = PasswordHash.of(credentials.getString("pwd-plain"), random);
      } else if (PasswordHash.HASH_FUNCTION.equals(credentials.getString("hash-function"))) {
        password =
            new PasswordHash(credentials.getString("salt"), credentials.getString("pwd-hash"));
      } else {
        throw new IllegalArgumentException("credentials need pwd-plain or a sha-256 pwd-hash");
      }
      return new Device(
          id,
          json.getString("authId", id.device()),
          password,
          ThingId.of(json.getString("thingId")),
          json.getString("vendorFormat"),
          json.getBoolean("enabled", true),
          parameters(json.getJsonObject("parameters", new JsonObject())),
          via(json.getJsonArray("via", new JsonArray())),
          Optional.ofNullable(json.getString("observes")).map(ThingId::of),
          category(json));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "malformed device entry " + json.getString("deviceId") + ": " + e.getMessage(), e);
    }
  }

  private String category(JsonObject json) {
    String category = json.getString("category");
    if (category == null) {
      if (json.getString("observes") != null) {
        throw new IllegalArgumentException("a device that observes an object needs its category");
      }
      return Reading.UNCLASSIFIED;
    }
    if (!categories.contains(category)) {
      throw new IllegalArgumentException(
          "category must be one of " + new TreeSet<>(categories) + ", got '" + category + "'");
    }
    return category;
  }

  private static Set<String> via(JsonArray gateways) {
    Set<String> via = new HashSet<>();
    gateways.forEach(
        gateway -> {
          if (!(gateway instanceof String id) || id.isBlank()) {
            throw new IllegalArgumentException("via must list gateway device ids");
          }
          via.add(id);
        });
    return via;
  }

  private static Map<String, Double> parameters(JsonObject json) {
    Map<String, Double> parameters = new java.util.HashMap<>();
    json.forEach(
        entry -> {
          if (!(entry.getValue() instanceof Number number)) {
            throw new IllegalArgumentException("parameter " + entry.getKey() + " must be a number");
          }
          parameters.put(entry.getKey(), number.doubleValue());
        });
    return parameters;
  }

  /** The import format of {@code device}, with its hashed password. */
  public static JsonObject toJson(Device device) {
    JsonObject json =
        new JsonObject()
            .put("tenant", device.id().tenant())
            .put("deviceId", device.id().device())
            .put("authId", device.authId())
            .put("thingId", device.thingId().toString())
            .put("vendorFormat", device.vendorFormat())
            .put("enabled", device.enabled())
            .put("parameters", new JsonObject(new java.util.HashMap<>(device.parameters())))
            .put("via", new JsonArray(new java.util.ArrayList<>(device.via())))
            .put(
                "credentials",
                new JsonObject()
                    .put("hash-function", PasswordHash.HASH_FUNCTION)
                    .put("salt", device.password().saltBase64())
                    .put("pwd-hash", device.password().hashBase64()));
    device
        .observes()
        .ifPresent(
            observed ->
                json.put("observes", observed.toString()).put("category", device.category()));
    return json;
  }
}
