package org.citytwin.ingest.format;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.citytwin.ingest.Device;
import org.citytwin.ingest.IngestErrors;
import org.citytwin.ingest.Timestamps;
import org.citytwin.ingest.VendorFormat;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.Depth;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ThingModels;

/**
 * A waterlogging gauge reporting standing water in centimetres: {@code {"depth_cm": 23, "ts":
 * 1732350000}}, {@code ts} optional (epoch s or ms, or ISO-8601).
 */
public final class WaterloggingCentimetres implements VendorFormat {

  private final Timestamps timestamps = new Timestamps(ZoneId.of("Asia/Shanghai"));

  @Override
  public String name() {
    return "waterlogging-cm";
  }

  @Override
  public List<Reading> normalise(JsonObject payload, Device device, Instant receivedAt) {
    Object depthCm = payload.getValue("depth_cm");
    if (!(depthCm instanceof Number centimetres)) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException(
          "The payload needs a numeric 'depth_cm', got: " + depthCm);
    }
    Instant observedAt;
    try {
      observedAt =
          payload.containsKey("ts") ? timestamps.parse(payload.getValue("ts")) : receivedAt;
    } catch (IllegalArgumentException e) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException("Bad 'ts': " + e.getMessage());
    }
    Depth depth;
    try {
      depth = Depth.ofCentimetres(centimetres.doubleValue());
    } catch (IllegalArgumentException e) {
      throw IngestErrors.READING_IMPLAUSIBLE.toException(
          "A waterlogging depth of " + centimetres + " cm is implausible: " + e.getMessage());
    }
    return List.of(
        new Reading(
            device.thingId(),
            ThingModels.WATERLOGGING_FEATURE,
            ThingModels.DEPTH_PROPERTY,
            depth.metres(),
            CanonicalUnit.METRE,
            observedAt));
  }
}
