package org.citytwin.ingest;

import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.ErrorCode;
import org.eclipse.ditto.base.model.common.HttpStatus;

/** Every error a device can cause at ingest, with its stable code. */
public final class IngestErrors {

  /** Unknown device and wrong password answer alike, so a caller cannot probe for devices. */
  public static final ErrorCode UNAUTHENTICATED =
      new ErrorCode(
          "ingest:device.unauthenticated",
          HttpStatus.UNAUTHORIZED,
          "Authenticate with HTTP Basic as 'auth-id@tenant' and the device's password.");

  public static final ErrorCode DEVICE_DISABLED =
      new ErrorCode(
          "ingest:device.disabled",
          HttpStatus.FORBIDDEN,
          "The device is disabled in the registry; ask its department to enable it.");

  public static final ErrorCode PAYLOAD_MALFORMED =
      new ErrorCode(
          "ingest:payload.malformed",
          HttpStatus.BAD_REQUEST,
          "Send one JSON object in the device's vendor format.");

  public static final ErrorCode READING_IMPLAUSIBLE =
      new ErrorCode(
          "ingest:reading.implausible",
          HttpStatus.BAD_REQUEST,
          "The value lies outside what the sensor can measure; check its unit and calibration.");

  public static final ErrorCode CONTENT_TYPE_UNSUPPORTED =
      new ErrorCode(
          "ingest:content-type.unsupported",
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "Send the payload with Content-Type: application/json.");

  public static final ErrorCode PAYLOAD_TOO_LARGE =
      new ErrorCode(
          "ingest:payload.too-large",
          HttpStatus.REQUEST_ENTITY_TOO_LARGE,
          "Split the payload: a reading may carry at most 64 KiB, a batch 4 MiB and 10,000 items.");

  public static final ErrorCode FORMAT_UNKNOWN =
      new ErrorCode(
          "ingest:format.unknown",
          HttpStatus.UNPROCESSABLE_ENTITY,
          "The device is registered with a vendor format citytwin does not know; fix its registration.");

  public static final ErrorCode DEVICE_MISCONFIGURED =
      new ErrorCode(
          "ingest:device.misconfigured",
          HttpStatus.UNPROCESSABLE_ENTITY,
          "The device's registration lacks a parameter its vendor format needs (a gauge's datum,"
              + " a river's warning level); fix its registration.");

  public static final ErrorCode GATEWAY_UNAUTHORIZED =
      new ErrorCode(
          "ingest:gateway.unauthorized",
          HttpStatus.FORBIDDEN,
          "A gateway may send only for devices of its tenant that list it in their 'via'.");

  public static final ErrorCode DEVICE_NOT_FOUND =
      new ErrorCode(
          "ingest:device.notfound",
          HttpStatus.NOT_FOUND,
          "No such device in the gateway's tenant; register it first.");

  public static final ErrorCode TOPIC_INVALID =
      new ErrorCode(
          "ingest:topic.invalid",
          HttpStatus.BAD_REQUEST,
          "Publish to telemetry, event (or t, e), or telemetry/{tenant}/{device} as a gateway.");

  public static final ErrorCode HEADER_INVALID =
      new ErrorCode("ingest:header.invalid", HttpStatus.BAD_REQUEST, "QoS-Level must be 0 or 1.");

  public static final ErrorCode OVERLOADED =
      new ErrorCode(
          "ingest:overloaded",
          HttpStatus.SERVICE_UNAVAILABLE,
          "Storage is behind; nothing of this request was accepted. Retry after the time given in"
              + " Retry-After.");

  public static final ErrorCode RECEIVE_MAXIMUM_EXCEEDED =
      new ErrorCode(
          "ingest:receive-maximum.exceeded",
          HttpStatus.TOO_MANY_REQUESTS,
          "More QoS 1 messages were awaiting their PUBACK than the Receive Maximum this server"
              + " announced in its CONNACK; keep within it.");

  public static final ErrorCode HISTORY_UNAVAILABLE =
      new ErrorCode(
          "ingest:history.unavailable",
          HttpStatus.SERVICE_UNAVAILABLE,
          "The reading was not stored and not acknowledged; send it again later.");

  public static final ErrorCode REGISTRATION_INVALID =
      new ErrorCode(
          "devices:registration.invalid",
          HttpStatus.BAD_REQUEST,
          "Send registrations in the registry's format (docs/ingest.md): tenant, deviceId,"
              + " thingId, a known vendorFormat and credentials; nothing of this request was"
              + " registered.");

  public static final ErrorCode REGISTRATION_NOT_FOUND =
      new ErrorCode(
          "devices:device.notfound",
          HttpStatus.NOT_FOUND,
          "No device with this tenant and id is registered.");

  public static final ErrorCode AUTH_ID_TAKEN =
      new ErrorCode(
          "devices:auth-id.conflict",
          HttpStatus.CONFLICT,
          "Another device of the tenant signs in with this auth-id; choose another.");

  public static final ErrorCode REGISTRY_UNAVAILABLE =
      new ErrorCode(
          "devices:registry.unavailable",
          HttpStatus.SERVICE_UNAVAILABLE,
          "The registry could not store the change; nothing was changed. Try again later.");

  private IngestErrors() {}

  /**
   * Whether {@code failure} says only that storage is behind or failing for now: the reading may be
   * taken if sent again, so an upstream that can redeliver should not be told it is bad.
   */
  static boolean isTransient(Throwable failure) {
    return failure instanceof CitytwinException c
        && (c.errorCode().equals(OVERLOADED) || c.errorCode().equals(HISTORY_UNAVAILABLE));
  }
}
