package org.citytwin.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.Departments;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ThingModelCatalogue;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;
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
 *  "location": {"type": "Point", "coordinates": [120.15, 30.28]},
 *  "hierarchy": {"district": "...", "street": "...", "community": "...", "grid": "..."},
 *  "credentials": {"hash-function": "sha-256", "salt": "...", "pwd-hash": "..."}}
 * }</pre>
 *
 * <p>{@code "credentials": {"pwd-plain": "..."}} is accepted too and hashed on import, as Hono's
 * registry does. CSV and GeoJSON imports are translated to this format first ({@link
 * RegistrationFiles}).
 *
 * <p>Every change is stored in {@link DeviceRegistrations} before it takes effect, so a
 * registration that was answered is never lost; those calls block and belong on worker threads.
 * Look-ups read memory only and are safe from any thread.
 */
public final class DeviceRegistry {

  private record AuthKey(String tenant, String authId) {}

  private final ConcurrentHashMap<AuthKey, Device> byCredentials = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<DeviceId, Device> byId = new ConcurrentHashMap<>();
  private final SecureRandom random;
  private final Set<String> categories;
  private final VendorFormats formats;
  private final DeviceRegistrations stored;

  /** Changes are stored and applied one at a time, so memory and the store agree. */
  private final Object writeLock = new Object();

  /**
   * A registry kept only in memory, whose devices may observe objects of the shipped thing models'
   * categories and use the shipped vendor formats.
   */
  public DeviceRegistry(SecureRandom random) {
    this(random, ThingModelCatalogue.shipped(), DeviceRegistrations.NOT_KEPT);
  }

  private DeviceRegistry(
      SecureRandom random, ThingModelCatalogue models, DeviceRegistrations stored) {
    this(random, models, VendorFormats.builtIn(models), stored);
  }

  /**
   * @param models whose managed-object categories (such as {@code bridge}) a device's {@code
   *     category} may name
   * @param formats the vendor formats a new registration may name
   * @param stored where registrations are kept durably
   */
  public DeviceRegistry(
      SecureRandom random,
      ThingModelCatalogue models,
      VendorFormats formats,
      DeviceRegistrations stored) {
    this.random = random;
    Set<String> names = new HashSet<>();
    models.inCategory("managed-object").forEach(definition -> names.add(definition.getName()));
    this.categories = Set.copyOf(names);
    this.formats = formats;
    this.stored = stored;
  }

  /**
   * Loads every stored registration into memory. Stored devices are taken as they are, even when
   * their vendor format is no longer configured: their readings are refused with {@code
   * ingest:format.unknown} until the format is back.
   *
   * @return how many were loaded
   * @throws IllegalStateException if a stored registration cannot be read
   */
  public int loadStored() {
    List<String> registrations = stored.load();
    synchronized (writeLock) {
      for (String text : registrations) {
        try {
          place(parse(new JsonObject(text)));
        } catch (RuntimeException e) {
          throw new IllegalStateException("a stored device registration is unreadable: " + text, e);
        }
      }
    }
    return registrations.size();
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
    return List.copyOf(byId.values());
  }

  /** The devices of one tenant, by device id. */
  public List<Device> inTenant(String tenant) {
    return byId.values().stream()
        .filter(device -> device.id().tenant().equals(tenant))
        .sorted(Comparator.comparing(device -> device.id().device()))
        .toList();
  }

  /**
   * Registers every device in {@code devices}, replacing those with the same ids, all or none.
   *
   * @return how many were registered
   * @throws CitytwinException {@link IngestErrors#REGISTRATION_INVALID} naming the first malformed
   *     entry, {@link IngestErrors#AUTH_ID_TAKEN} or {@link IngestErrors#REGISTRY_UNAVAILABLE}
   */
  public int importJson(JsonArray devices) {
    List<Device> parsed = new ArrayList<>(devices.size());
    for (int i = 0; i < devices.size(); i++) {
      if (!(devices.getValue(i) instanceof JsonObject json)) {
        throw IngestErrors.REGISTRATION_INVALID.toException(
            "Entry " + i + " must be a JSON object: " + devices.getValue(i));
      }
      parsed.add(parseNew(json, "Entry " + i));
    }
    registerAll(parsed);
    return parsed.size();
  }

  /**
   * Registers devices from CSV with a header row; see {@link RegistrationFiles#fromCsv(String)}.
   *
   * @return how many were registered
   */
  public int importCsv(String csv) {
    return importJson(RegistrationFiles.fromCsv(csv));
  }

  /**
   * Registers devices from a GeoJSON FeatureCollection of points; see {@link
   * RegistrationFiles#fromGeoJson(JsonObject)}.
   *
   * @return how many were registered
   */
  public int importGeoJson(JsonObject featureCollection) {
    return importJson(RegistrationFiles.fromGeoJson(featureCollection));
  }

  /**
   * Registers or replaces the device {@code id}. The registration may leave out its tenant and
   * device id; if it names them, they must be {@code id}'s.
   *
   * @return whether the device is new
   * @throws CitytwinException as {@link #importJson(JsonArray)}
   */
  public boolean put(DeviceId id, JsonObject registration) {
    JsonObject json = registration.copy();
    for (String[] key : new String[][] {{"tenant", id.tenant()}, {"deviceId", id.device()}}) {
      Object given = json.getValue(key[0]);
      if (given != null && !key[1].equals(given)) {
        throw IngestErrors.REGISTRATION_INVALID.toException(
            "The body's " + key[0] + " '" + given + "' differs from the path's '" + key[1] + "'.");
      }
      json.put(key[0], key[1]);
    }
    return registerAll(List.of(parseNew(json, "The registration"))) == 1;
  }

  /**
   * Enables or disables a device: a disabled device is refused even with the right password.
   *
   * @return the device as it is now
   * @throws CitytwinException {@link IngestErrors#REGISTRATION_NOT_FOUND} or {@link
   *     IngestErrors#REGISTRY_UNAVAILABLE}
   */
  public Device setEnabled(DeviceId id, boolean enabled) {
    synchronized (writeLock) {
      Device device = byId.get(id);
      if (device == null) {
        throw notFound(id);
      }
      Device changed = device.withEnabled(enabled);
      storeAll(List.of(changed));
      place(changed);
      return changed;
    }
  }

  /**
   * Removes a device: it can no longer sign in or be sent for.
   *
   * @throws CitytwinException {@link IngestErrors#REGISTRATION_NOT_FOUND} or {@link
   *     IngestErrors#REGISTRY_UNAVAILABLE}
   */
  public void remove(DeviceId id) {
    synchronized (writeLock) {
      Device device = byId.get(id);
      if (device == null) {
        throw notFound(id);
      }
      try {
        stored.remove(id);
      } catch (RuntimeException e) {
        throw unavailable(e);
      }
      byId.remove(id);
      byCredentials.remove(new AuthKey(id.tenant(), device.authId()), device);
    }
  }

  /** Stores and places {@code devices}; returns how many of them were not registered before. */
  private int registerAll(List<Device> devices) {
    synchronized (writeLock) {
      Map<AuthKey, DeviceId> claimed = new HashMap<>();
      for (Device device : devices) {
        AuthKey key = new AuthKey(device.id().tenant(), device.authId());
        DeviceId earlier = claimed.put(key, device.id());
        Device holder = byCredentials.get(key);
        if ((earlier != null && !earlier.equals(device.id()))
            || (holder != null
                && !holder.id().equals(device.id())
                && !isReplaced(holder, devices))) {
          throw IngestErrors.AUTH_ID_TAKEN.toException(
              "Device "
                  + device.id()
                  + " would sign in as '"
                  + device.authId()
                  + "@"
                  + device.id().tenant()
                  + "', which device "
                  + (earlier != null ? earlier : holder.id())
                  + " already does.");
        }
      }
      int created = (int) devices.stream().filter(d -> !byId.containsKey(d.id())).count();
      storeAll(devices);
      devices.forEach(this::place);
      return created;
    }
  }

  /** Whether the batch re-registers {@code holder} under another auth-id, freeing its old one. */
  private static boolean isReplaced(Device holder, List<Device> devices) {
    return devices.stream()
        .anyMatch(
            device -> device.id().equals(holder.id()) && !device.authId().equals(holder.authId()));
  }

  private void storeAll(List<Device> devices) {
    Map<DeviceId, String> texts = new LinkedHashMap<>();
    devices.forEach(device -> texts.put(device.id(), toJson(device).encode()));
    try {
      stored.store(texts);
    } catch (RuntimeException e) {
      throw unavailable(e);
    }
  }

  /** Puts {@code device} in memory, dropping the sign-in name it replaces. */
  private void place(Device device) {
    Device previous = byId.put(device.id(), device);
    if (previous != null && !previous.authId().equals(device.authId())) {
      byCredentials.remove(new AuthKey(previous.id().tenant(), previous.authId()), previous);
    }
    byCredentials.put(new AuthKey(device.id().tenant(), device.authId()), device);
  }

  private static CitytwinException notFound(DeviceId id) {
    return IngestErrors.REGISTRATION_NOT_FOUND.toException("No device " + id + " is registered.");
  }

  private static CitytwinException unavailable(RuntimeException e) {
    return IngestErrors.REGISTRY_UNAVAILABLE.toException(
        "The registry could not store the change: " + e.getMessage());
  }

  /**
   * A registration from outside: its tenant must be a department (tenants are departments) and its
   * vendor format one citytwin knows.
   */
  private Device parseNew(JsonObject json, String where) {
    Device device;
    try {
      device = parse(json);
    } catch (IllegalArgumentException e) {
      throw IngestErrors.REGISTRATION_INVALID.toException(where + ": " + e.getMessage());
    }
    if (Departments.ALL.stream().noneMatch(d -> d.id().equals(device.id().tenant()))) {
      throw IngestErrors.REGISTRATION_INVALID.toException(
          where
              + ": the tenant '"
              + device.id().tenant()
              + "' is not a department; tenants are "
              + Departments.ALL.stream().map(Departments.Department::id).toList()
              + ".");
    }
    if (formats.find(device.vendorFormat()).isEmpty()) {
      throw IngestErrors.REGISTRATION_INVALID.toException(
          where
              + ": device "
              + device.id()
              + " names the vendor format '"
              + device.vendorFormat()
              + "', which is not configured.");
    }
    return device;
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
        String plain = credentials.getString("pwd-plain");
        if (plain == null || plain.isEmpty()) {
          throw new IllegalArgumentException("pwd-plain must not be empty");
        }
        password = PasswordHash.of(plain, random);
      } else if (PasswordHash.HASH_FUNCTION.equals(credentials.getString("hash-function"))) {
        password =
            new PasswordHash(credentials.getString("salt"), credentials.getString("pwd-hash"));
      } else {
        throw new IllegalArgumentException("credentials need pwd-plain or a sha-256 pwd-hash");
      }
      String thingId = json.getString("thingId");
      if (thingId == null) {
        throw new IllegalArgumentException("no thingId");
      }
      String vendorFormat = json.getString("vendorFormat");
      if (vendorFormat == null || vendorFormat.isBlank()) {
        throw new IllegalArgumentException("no vendorFormat");
      }
      return new Device(
          id,
          json.getString("authId", id.device()),
          password,
          ThingId.of(thingId),
          vendorFormat,
          json.getBoolean("enabled", true),
          parameters(json.getJsonObject("parameters", new JsonObject())),
          via(json.getJsonArray("via", new JsonArray())),
          Optional.ofNullable(json.getString("observes")).map(ThingId::of),
          category(json),
          location(json.getJsonObject("location")),
          hierarchy(json.getJsonObject("hierarchy", new JsonObject())));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "malformed device entry " + json.getValue("deviceId") + ": " + e.getMessage(), e);
    }
  }

  private static Optional<WgsPoint> location(JsonObject geometry) {
    if (geometry == null) {
      return Optional.empty();
    }
    return Optional.of(WgsPoint.fromGeoJson(JsonFactory.readFrom(geometry.encode())));
  }

  private static Map<String, String> hierarchy(JsonObject json) {
    Map<String, String> levels = new HashMap<>();
    json.forEach(
        entry -> {
          if (!(entry.getValue() instanceof String name) || name.isBlank()) {
            throw new IllegalArgumentException(
                "hierarchy level " + entry.getKey() + " needs a name");
          }
          levels.put(entry.getKey(), name);
        });
    return levels;
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
    Map<String, Double> parameters = new HashMap<>();
    json.forEach(
        entry -> {
          if (!(entry.getValue() instanceof Number number)
              || !Double.isFinite(number.doubleValue())) {
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
            .put("parameters", new JsonObject(new HashMap<>(device.parameters())))
            .put("via", new JsonArray(new ArrayList<>(new TreeSet<>(device.via()))))
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
    device
        .location()
        .ifPresent(point -> json.put("location", new JsonObject(point.toGeoJson().toString())));
    if (!device.hierarchy().isEmpty()) {
      json.put("hierarchy", new JsonObject(new HashMap<>(device.hierarchy())));
    }
    return json;
  }
}
