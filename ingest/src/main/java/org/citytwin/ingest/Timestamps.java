package org.citytwin.ingest;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;

/**
 * Reads the timestamps vendors send: epoch seconds or milliseconds as numbers, or ISO-8601 text
 * with or without an offset (a space may stand for the {@code T}). Text without an offset is local
 * time in the district's zone (Asia/Shanghai by default), because that is what devices set up in
 * the district mean by it.
 */
public final class Timestamps {

  /** Epoch values below this are seconds (it is 5138 in seconds, 1973 in milliseconds). */
  private static final long FIRST_EPOCH_MILLIS = 100_000_000_000L;

  private final ZoneId localZone;

  public Timestamps(ZoneId localZone) {
    this.localZone = localZone;
  }

  /**
   * The instant {@code value} names.
   *
   * @throws IllegalArgumentException if it is neither a number nor ISO-8601 text
   */
  public Instant parse(Object value) {
    if (value instanceof Number number) {
      long epoch = number.longValue();
      if (epoch < 0) {
        throw new IllegalArgumentException("a timestamp cannot lie before 1970: " + value);
      }
      return epoch < FIRST_EPOCH_MILLIS
          ? Instant.ofEpochSecond(epoch)
          : Instant.ofEpochMilli(epoch);
    }
    if (value instanceof String text) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeException withoutOffset) {
        try {
          // "2026-07-14 08:00:00", as many Chinese vendors write it, is ISO-8601 with a space.
          String iso =
              text.length() > 10 && text.charAt(10) == ' ' ? text.replaceFirst(" ", "T") : text;
          return LocalDateTime.parse(iso).atZone(localZone).toInstant();
        } catch (DateTimeException e) {
          throw new IllegalArgumentException("not an ISO-8601 timestamp: " + text, e);
        }
      }
    }
    throw new IllegalArgumentException(
        "a timestamp must be epoch seconds, milliseconds or ISO-8601");
  }
}
