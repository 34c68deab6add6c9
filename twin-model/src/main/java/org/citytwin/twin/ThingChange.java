package org.citytwin.twin;

import java.time.Instant;
import java.util.Objects;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;

/**
 * One accepted change of a twin: the thing as it is afterwards, and what changed, in the terms of a
 * Ditto event.
 *
 * @param kind whether the thing was created, replaced or merged
 * @param thing the whole thing after the change, carrying {@code revision} and {@code modified}
 * @param path where the change applied, relative to the thing ({@code /} for a whole thing)
 * @param value what was written at {@code path} (a merge patch for {@link Kind#MERGED})
 * @param revision the thing's revision after the change; one more than before
 * @param timestamp when the change was accepted
 */
public record ThingChange(
    Kind kind, Thing thing, JsonPointer path, JsonValue value, long revision, Instant timestamp) {

  /** The Ditto event a change is published as. */
  public enum Kind {
    CREATED,
    MODIFIED,
    MERGED
  }

  public ThingChange {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(thing, "thing");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(timestamp, "timestamp");
  }
}
