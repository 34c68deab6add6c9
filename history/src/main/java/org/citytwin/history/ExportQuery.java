package org.citytwin.history;

import java.time.Instant;
import java.util.Optional;
import org.eclipse.ditto.things.model.ThingId;

/**
 * Every reading observed in {@code [from, to)}, of one thing or of all, for a bulk export. There is
 * no row limit: the store hands the rows over in batches, a day at a time.
 */
public record ExportQuery(Instant from, Instant to, Optional<ThingId> thingId) {

  public ExportQuery {
    TimeRange.check(from, to);
    thingId = thingId == null ? Optional.empty() : thingId;
  }
}
