package org.citytwin.sim;

import java.util.Map;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.things.model.ThingId;

/**
 * A simulated device as the simulator knows it: with its plain password, which the server never
 * sees stored, and the ground truth of where it stands.
 *
 * @param catchmentId the drainage catchment it stands in
 * @param observes the managed object it watches
 * @param observedCategory that object's category
 * @param kind the device kind, the name of its thing model ({@code waterlogging-gauge})
 * @param parameters the calibration its vendor format needs, as the device registry keeps it (a
 *     river gauge's {@code datum} and {@code warningLevel})
 */
public record SimDevice(
    String tenant,
    String deviceId,
    String password,
    ThingId thingId,
    String vendorFormat,
    WgsPoint location,
    String catchmentId,
    ThingId observes,
    String observedCategory,
    String kind,
    Map<String, Double> parameters) {

  public SimDevice {
    parameters = Map.copyOf(parameters);
  }

  /** The HTTP Basic user name Hono's device endpoints expect. */
  public String username() {
    return deviceId + "@" + tenant;
  }
}
