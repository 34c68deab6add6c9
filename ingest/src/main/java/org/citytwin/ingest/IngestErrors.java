package org.citytwin.ingest;

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
          "Split the payload; one request may carry at most 64 KiB.");

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

  public static final ErrorCode HISTORY_UNAVAILABLE =
      new ErrorCode(
          "ingest:history.unavailable",
          HttpStatus.SERVICE_UNAVAILABLE,
          "The reading was not stored and not acknowledged; send it again later.");

  private IngestErrors() {}
}
