package org.citytwin.twin;

import java.time.Instant;
import java.util.Objects;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;

/**
 * One accepted change of a twin, in the terms of a Ditto event: what was written where, and the
 * thing as it is afterwards. Changes are what the journal stores and what recovery replays.
 *
 * @param kind whether the thing was created, replaced, merged or deleted
 * @param thingId the changed thing
 * @param twin the twin after the change, carrying {@code revision}, {@code created} and {@code
 *     modified}; for {@link Kind#DELETED} the twin as it was when deleted
 * @param path where the change applied, relative to the thing ({@code /} for a whole thing)
 * @param value what was written at {@code path}: the whole thing, or a merge patch
 * @param revision the thing's revision after the change; one more than before
 * @param timestamp when the change was accepted
 */
public record ThingChange(
    Kind kind,
    ThingId thingId,
    Twin twin,
    JsonPointer path,
    JsonValue value,
    long revision,
    Instant timestamp) {

  /** The Ditto event a change is published as. */
  public enum Kind {
    CREATED,
    MODIFIED,
    MERGED,
    DELETED
  }

  public ThingChange {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(thingId, "thingId");
    Objects.requireNonNull(twin, "twin");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(timestamp, "timestamp");
    if (revision < 1) {
      throw new IllegalArgumentException("a revision starts at 1, got " + revision);
    }
  }

  /** The thing after the change (see {@link #twin}), built on first use. */
  public Thing thing() {
    return twin.thing();
  }
}
