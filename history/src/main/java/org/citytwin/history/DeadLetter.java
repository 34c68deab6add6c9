package org.citytwin.history;

import java.time.Instant;
import java.util.Objects;

/**
 * Something a device sent that ingest refused, kept for an operator to inspect: the raw payload and
 * why it was refused.
 *
 * @param receivedAt when it arrived
 * @param source the way it came: {@code http}, {@code mqtt}, {@code mqtt-bridge}
 * @param place the device, topic or path it came for
 * @param error the error code it was refused with, for example {@code ingest:payload.malformed}
 * @param message the refusal's message
 * @param payload the payload as received (text), cut to {@link #MAX_PAYLOAD_CHARS}
 */
public record DeadLetter(
    Instant receivedAt, String source, String place, String error, String message, String payload) {

  public static final int MAX_PAYLOAD_CHARS = 64 * 1024;

  public DeadLetter {
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(place, "place");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(payload, "payload");
    if (payload.length() > MAX_PAYLOAD_CHARS) {
      payload = payload.substring(0, MAX_PAYLOAD_CHARS);
    }
  }
}
