package org.citytwin.ingest;

import java.time.Clock;
import java.util.Objects;

/**
 * What every way into ingest (device HTTP, device MQTT, the MQTT bridge, Hono) works with, built
 * once by the launcher and shared.
 *
 * @param registry the devices allowed to send
 * @param formats how their payloads are read
 * @param pipeline where readings go: history, then twins
 * @param counters what was taken and refused
 * @param deadLetters where refused payloads are kept
 * @param clock the time readings without one are stamped with; made an {@link ArrivalClock}, so
 *     that no two arrivals share an instant
 */
public record IngestServices(
    DeviceRegistry registry,
    VendorFormats formats,
    ReadingPipeline pipeline,
    IngestCounters counters,
    DeadLetters deadLetters,
    Clock clock) {

  public IngestServices {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(formats, "formats");
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(counters, "counters");
    Objects.requireNonNull(deadLetters, "deadLetters");
    Objects.requireNonNull(clock, "clock");
    if (!(clock instanceof ArrivalClock)) {
      clock = new ArrivalClock(clock);
    }
  }

  DeviceAccess access() {
    return new DeviceAccess(registry, formats);
  }
}
