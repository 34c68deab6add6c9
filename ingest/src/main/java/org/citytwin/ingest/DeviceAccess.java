package org.citytwin.ingest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.Reading;

/**
 * What every device protocol does alike: sign a device in, decide whether a gateway may send for
 * another device, and read a payload in the device's vendor format. Failures are {@link
 * IngestErrors}; each protocol renders them its own way.
 */
final class DeviceAccess {

  private final DeviceRegistry registry;
  private final VendorFormats formats;

  DeviceAccess(DeviceRegistry registry, VendorFormats formats) {
    this.registry = registry;
    this.formats = formats;
  }

  /**
   * The enabled device that signs in as {@code username} ({@code auth-id@tenant}) with {@code
   * password}. An unknown device and a wrong password fail alike, so devices cannot be probed.
   */
  Device authenticate(String username, String password) {
    int at = username == null ? -1 : username.lastIndexOf('@');
    if (at <= 0 || password == null) {
      throw IngestErrors.UNAUTHENTICATED.toException("The user name must be 'auth-id@tenant'.");
    }
    Device device =
        registry
            .find(username.substring(at + 1), username.substring(0, at))
            .filter(found -> found.password().matches(password))
            .orElseThrow(
                () ->
                    IngestErrors.UNAUTHENTICATED.toException("Unknown device or wrong password."));
    if (!device.enabled()) {
      throw IngestErrors.DEVICE_DISABLED.toException("Device " + device.id() + " is disabled.");
    }
    return device;
  }

  /**
   * The enabled device registered as {@code id}, for upstreams that authenticated it themselves (a
   * city's MQTT broker, Hono).
   */
  Device registered(DeviceId id) {
    Device device =
        registry
            .find(id)
            .orElseThrow(() -> IngestErrors.DEVICE_NOT_FOUND.toException("No device " + id + "."));
    if (!device.enabled()) {
      throw IngestErrors.DEVICE_DISABLED.toException("Device " + id + " is disabled.");
    }
    return device;
  }

  /** The device {@code sender} sends for: itself, or a device that lists it as a gateway. */
  Device sendingFor(Device sender, DeviceId target) {
    if (!target.tenant().equals(sender.id().tenant())) {
      throw IngestErrors.GATEWAY_UNAUTHORIZED.toException(
          "Gateway " + sender.id() + " cannot send for tenant " + target.tenant() + ".");
    }
    if (target.equals(sender.id())) {
      return sender;
    }
    Device device =
        registry
            .find(target)
            .orElseThrow(
                () -> IngestErrors.DEVICE_NOT_FOUND.toException("No device " + target + "."));
    if (!device.acceptsGateway(sender)) {
      throw IngestErrors.GATEWAY_UNAUTHORIZED.toException(
          "Device " + target + " does not list gateway " + sender.id().device() + " in 'via'.");
    }
    if (!device.enabled()) {
      throw IngestErrors.DEVICE_DISABLED.toException("Device " + device.id() + " is disabled.");
    }
    return device;
  }

  /**
   * The one JSON object a device's payload must be, whatever protocol brought it.
   *
   * @throws CitytwinException {@link IngestErrors#PAYLOAD_MALFORMED} otherwise
   */
  static JsonObject jsonObject(Buffer payload) {
    Object parsed;
    try {
      parsed = payload.toJsonValue();
    } catch (DecodeException e) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException("The payload is not valid JSON.");
    }
    if (parsed instanceof JsonObject object) {
      return object;
    }
    throw IngestErrors.PAYLOAD_MALFORMED.toException("The payload must be one JSON object.");
  }

  /** The canonical readings in {@code payload}, read in the device's vendor format. */
  List<Reading> normalise(Device device, JsonObject payload, Instant receivedAt) {
    VendorFormat format =
        formats
            .find(device.vendorFormat())
            .orElseThrow(
                () ->
                    IngestErrors.FORMAT_UNKNOWN.toException(
                        "Device "
                            + device.id()
                            + " is registered with unknown format '"
                            + device.vendorFormat()
                            + "'."));
    List<Reading> readings = format.normalise(payload, device, receivedAt);
    if (device.category().equals(Reading.UNCLASSIFIED)) {
      return readings;
    }
    List<Reading> classified = new ArrayList<>(readings.size());
    readings.forEach(reading -> classified.add(reading.classifiedAs(device.category())));
    return classified;
  }
}
