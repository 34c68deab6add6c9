package org.citytwin.ingest;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.Reading;

/**
 * How one vendor's payloads become canonical readings: field names, units and timestamps are
 * translated here and nowhere else.
 */
public interface VendorFormat {

  /** The name devices are registered with, for example {@code waterlogging-cm}. */
  String name();

  /**
   * The canonical readings in {@code payload}.
   *
   * @param receivedAt when the payload arrived, used when it carries no timestamp
   * @throws CitytwinException {@link IngestErrors#PAYLOAD_MALFORMED} or {@link
   *     IngestErrors#READING_IMPLAUSIBLE}
   */
  List<Reading> normalise(JsonObject payload, Device device, Instant receivedAt);
}
