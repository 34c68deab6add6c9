package org.citytwin.twin;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.json.JsonMergePatch;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingRevision;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingIdNotExplicitlySettableException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingNotAccessibleException;

/**
 * The district's twins, each with Ditto's revision semantics: a thing is created at revision 1 and
 * every accepted change raises its revision by exactly one.
 *
 * <p>Safe for concurrent use: changes to one thing are serialised (a change is computed inside the
 * map's per-key update), changes to different things proceed in parallel, and readers always see a
 * whole immutable {@link Thing}. This store keeps state in memory; making it survive restarts is
 * the job of a journal in front of it.
 */
public final class ThingStore {

  private final ConcurrentHashMap<ThingId, Thing> things = new ConcurrentHashMap<>();
  private final Clock clock;

  public ThingStore(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Optional<Thing> retrieve(ThingId thingId) {
    return Optional.ofNullable(things.get(thingId));
  }

  /** A consistent-per-thing copy of every twin, in no particular order. */
  public List<Thing> all() {
    return new ArrayList<>(things.values());
  }

  public int size() {
    return things.size();
  }

  /**
   * Creates the thing, or replaces it whole, as Ditto's {@code PUT /things/{id}} does.
   *
   * @throws IllegalArgumentException if the thing has no id
   */
  public ThingChange put(Thing thing) {
    ThingId thingId =
        thing.getEntityId().orElseThrow(() -> new IllegalArgumentException("a thing needs an id"));
    AtomicReference<ThingChange> change = new AtomicReference<>();
    things.compute(
        thingId,
        (id, current) -> {
          Instant now = clock.instant();
          long revision = current == null ? 1 : revisionOf(current) + 1;
          Instant created = current == null ? now : current.getCreated().orElse(now);
          Thing stored =
              ThingsModelFactory.newThingBuilder(thing.toJson())
                  .setRevision(revision)
                  .setCreated(created)
                  .setModified(now)
                  .build();
          ThingChange.Kind kind =
              current == null ? ThingChange.Kind.CREATED : ThingChange.Kind.MODIFIED;
          change.set(
              new ThingChange(kind, stored, JsonPointer.empty(), stored.toJson(), revision, now));
          return stored;
        });
    return change.get();
  }

  /**
   * Applies a JSON merge patch (RFC 7396, as Ditto's {@code PATCH} does) at {@code path}.
   *
   * @throws ThingNotAccessibleException if there is no such thing
   * @throws ThingIdNotExplicitlySettableException if the patch would change the thing's id
   */
  public ThingChange merge(ThingId thingId, JsonPointer path, JsonValue patch) {
    AtomicReference<ThingChange> change = new AtomicReference<>();
    things.compute(
        thingId,
        (id, current) -> {
          if (current == null) {
            throw ThingNotAccessibleException.newBuilder(thingId).build();
          }
          Instant now = clock.instant();
          JsonValue merged = JsonMergePatch.of(path, patch).applyOn(current.toJson());
          if (!merged.isObject()
              || !merged
                  .asObject()
                  .getValue("thingId")
                  .map(JsonValue::asString)
                  .orElse("")
                  .equals(thingId.toString())) {
            throw ThingIdNotExplicitlySettableException.forDittoProtocol()
                .dittoHeaders(DittoHeaders.empty())
                .build();
          }
          long revision = revisionOf(current) + 1;
          Thing stored =
              ThingsModelFactory.newThingBuilder(merged.asObject())
                  .setRevision(revision)
                  .setCreated(current.getCreated().orElse(now))
                  .setModified(now)
                  .build();
          change.set(new ThingChange(ThingChange.Kind.MERGED, stored, path, patch, revision, now));
          return stored;
        });
    return change.get();
  }

  private static long revisionOf(Thing thing) {
    return thing.getRevision().map(ThingRevision::toLong).orElse(0L);
  }
}
