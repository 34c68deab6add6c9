package org.citytwin.sim;

import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.things.model.ThingId;

/**
 * A simulated device as the simulator knows it: with its plain password, which the server never
 * sees stored, and the ground truth of where it stands.
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
    String observedCategory) {

  /** The HTTP Basic user name Hono's device endpoints expect. */
  public String username() {
    return deviceId + "@" + tenant;
  }
}
