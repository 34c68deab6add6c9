package org.citytwin.twin;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.citytwin.twin.search.SearchIndex;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingIdNotExplicitlySettableException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingNotAccessibleException;

/**
 * The district's twins as readers see them, with Ditto's revision semantics: a thing is created at
 * revision 1 and every accepted change raises its revision by exactly one.
 *
 * <p>Safe for concurrent use: changes to one thing are serialised (computed inside the map's
 * per-key update), changes to different things proceed in parallel, and readers always see a whole
 * immutable {@link Thing}. The store itself is memory; the twin service makes it durable by
 * journaling each change before it {@link #apply applies} it here.
 */
public final class ThingStore {

  private final ConcurrentHashMap<ThingId, Thing> things = new ConcurrentHashMap<>();
  private final SearchIndex index = new SearchIndex();
  private final Clock clock;

  public ThingStore(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Optional<Thing> retrieve(ThingId thingId) {
    return Optional.ofNullable(things.get(thingId));
  }

  /** A copy of every twin, in no particular order. */
  public List<Thing> all() {
    return new ArrayList<>(things.values());
  }

  public int size() {
    return things.size();
  }

  /** The search indexes, kept current with every change; for {@link ThingSearch}. */
  SearchIndex index() {
    return index;
  }

  /**
   * Makes an already computed (and, in a running server, journaled) change visible.
   *
   * @throws IllegalStateException if the change does not follow the stored revision
   */
  public void apply(ThingChange change) {
    things.compute(
        change.thingId(),
        (id, current) -> {
          long expected = current == null ? 1 : ThingChanges.revisionOf(current) + 1;
          if (change.revision() != expected) {
            throw new IllegalStateException(
                id + " is at revision " + (expected - 1) + "; cannot apply " + change.revision());
          }
          Thing next = change.kind() == ThingChange.Kind.DELETED ? null : change.thing();
          index.update(id, current, next);
          return next;
        });
  }

  /** Puts a recovered thing back as it is, with its revision and timestamps. */
  public void restore(Thing thing) {
    ThingId thingId =
        thing.getEntityId().orElseThrow(() -> new IllegalArgumentException("a thing needs an id"));
    things.compute(
        thingId,
        (id, current) -> {
          index.update(id, current, thing);
          return thing;
        });
  }

  /** Creates or replaces the thing at once, without a journal: for tests and tools. */
  public ThingChange put(Thing thing) {
    ThingId thingId =
        thing.getEntityId().orElseThrow(() -> new IllegalArgumentException("a thing needs an id"));
    AtomicReference<ThingChange> change = new AtomicReference<>();
    things.compute(
        thingId,
        (id, current) -> {
          change.set(ThingChanges.put(current, thing, clock.instant()));
          index.update(id, current, change.get().thing());
          return change.get().thing();
        });
    return change.get();
  }

  /**
   * Merges at once, without a journal: for tests and tools.
   *
   * @throws ThingNotAccessibleException if there is no such thing
   * @throws ThingIdNotExplicitlySettableException if the patch would change the thing's id
   */
  public ThingChange merge(ThingId thingId, JsonPointer path, JsonValue patch) {
    AtomicReference<ThingChange> change = new AtomicReference<>();
    things.compute(
        thingId,
        (id, current) -> {
          change.set(ThingChanges.merge(thingId, current, path, patch, clock.instant()));
          index.update(id, current, change.get().thing());
          return change.get().thing();
        });
    return change.get();
  }
}
