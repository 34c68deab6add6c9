package org.citytwin.ingest;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.citytwin.twin.Reading;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.things.model.ThingId;

/**
 * A registered device: who it is, how it signs in, how its payloads are read and which twin its
 * readings change.
 *
 * @param id the Hono tenant and device id
 * @param authId the name it signs in with, as {@code authId@tenant}
 * @param password the hashed password it signs in with
 * @param thingId the device's own twin
 * @param vendorFormat the name of the {@link VendorFormat} its payloads are in
 * @param enabled a disabled device is refused even with the right password
 * @param parameters calibration its vendor format may use, by name: a gauge's datum, a river's
 *     warning level (in the canonical unit of what they calibrate)
 * @param via the device ids of the gateways (in its tenant) allowed to send for it, as in Hono's
 *     device registry
 * @param observes the managed object the device watches (a bridge, a waterlogging point), if any
 * @param category that object's category, which classifies every reading of the device; {@link
 *     Reading#UNCLASSIFIED} when it observes none
 * @param location where the device is installed, in WGS84, if known
 * @param hierarchy its place in the district, by level ({@code district}, {@code street}, {@code
 *     community}, {@code grid}); levels may be missing
 */
public record Device(
    DeviceId id,
    String authId,
    PasswordHash password,
    ThingId thingId,
    String vendorFormat,
    boolean enabled,
    Map<String, Double> parameters,
    Set<String> via,
    Optional<ThingId> observes,
    String category,
    Optional<WgsPoint> location,
    Map<String, String> hierarchy) {

  /** The levels of a district's hierarchy, from the top. */
  public static final List<String> HIERARCHY_LEVELS =
      List.of("district", "street", "community", "grid");

  /** A device whose place in the district is not recorded. */
  public Device(
      DeviceId id,
      String authId,
      PasswordHash password,
      ThingId thingId,
      String vendorFormat,
      boolean enabled,
      Map<String, Double> parameters,
      Set<String> via,
      Optional<ThingId> observes,
      String category) {
    this(
        id,
        authId,
        password,
        thingId,
        vendorFormat,
        enabled,
        parameters,
        via,
        observes,
        category,
        Optional.empty(),
        Map.of());
  }

  /** A device whose format needs no parameters and that no gateway sends for. */
  public Device(
      DeviceId id,
      String authId,
      PasswordHash password,
      ThingId thingId,
      String vendorFormat,
      boolean enabled) {
    this(
        id,
        authId,
        password,
        thingId,
        vendorFormat,
        enabled,
        Map.of(),
        Set.of(),
        Optional.empty(),
        Reading.UNCLASSIFIED,
        Optional.empty(),
        Map.of());
  }

  /** This device, enabled or disabled. */
  public Device withEnabled(boolean enabled) {
    return new Device(
        id,
        authId,
        password,
        thingId,
        vendorFormat,
        enabled,
        parameters,
        via,
        observes,
        category,
        location,
        hierarchy);
  }

  /** Whether {@code gateway} may send readings on this device's behalf. */
  public boolean acceptsGateway(Device gateway) {
    return gateway.id().tenant().equals(id.tenant()) && via.contains(gateway.id().device());
  }

  public Device {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(authId, "authId");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(thingId, "thingId");
    Objects.requireNonNull(vendorFormat, "vendorFormat");
    parameters = Map.copyOf(parameters);
    via = Set.copyOf(via);
    Objects.requireNonNull(observes, "observes");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(location, "location");
    hierarchy = Map.copyOf(hierarchy);
    if (!HIERARCHY_LEVELS.containsAll(hierarchy.keySet())) {
      throw new IllegalArgumentException(
          "hierarchy levels are " + HIERARCHY_LEVELS + ", got " + hierarchy.keySet());
    }
    if (authId.isEmpty() || authId.contains("@") || authId.contains(":")) {
      throw new IllegalArgumentException("an auth-id must be non-empty without '@' or ':'");
    }
  }
}
