package org.citytwin.twin;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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

  // Keyed by the id's text: Ditto's ThingId hashes with Objects.hash (an array and two hashes a
  // lookup), and every reading, search candidate and read looks a twin up here.
  private final ConcurrentHashMap<String, Twin> things = new ConcurrentHashMap<>();
  private final SearchIndex index = new SearchIndex();
  private final Clock clock;

  public ThingStore(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Optional<Thing> retrieve(ThingId thingId) {
    Twin twin = things.get(thingId.toString());
    return twin == null ? Optional.empty() : Optional.of(twin.thing());
  }

  /** The twin, whose thing is built only when asked for. */
  public Optional<Twin> twin(ThingId thingId) {
    return Optional.ofNullable(things.get(thingId.toString()));
  }

  /** A copy of every twin, in no particular order: cheap, as no thing is built. */
  public List<Twin> twins() {
    return new ArrayList<>(things.values());
  }

  public int size() {
    return things.size();
  }

  /** The twins of one namespace, from its index: no scan. */
  public List<Twin> inNamespace(String namespace) {
    return twinsOf(index.inNamespace(namespace));
  }

  /** The twins of one definition, from its index: no scan. */
  public List<Twin> withDefinition(String definition) {
    return twinsOf(index.equalTo(SearchIndex.INDEXED.get(0), List.of(definition)));
  }

  private List<Twin> twinsOf(Set<ThingId> thingIds) {
    List<Twin> twins = new ArrayList<>();
    for (ThingId thingId : thingIds) {
      Twin twin = things.get(thingId.toString());
      if (twin != null) {
        twins.add(twin);
      }
    }
    return twins;
  }

  /** A twin's values as RQL reads them, without building its JSON where that can be avoided. */
  public static org.citytwin.twin.search.Fields fields(Twin twin) {
    return new TwinFields(twin);
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
    ThingId id = change.thingId();
    things.compute(
        id.toString(),
        (key, current) -> {
          long expected = current == null ? 1 : current.revision() + 1;
          if (change.revision() != expected) {
            throw new IllegalStateException(
                id + " is at revision " + (expected - 1) + "; cannot apply " + change.revision());
          }
          Twin next = change.kind() == ThingChange.Kind.DELETED ? null : change.twin();
          updateIndex(id, current, next);
          return next;
        });
  }

  /** Puts a recovered thing back as it is, with its revision and timestamps. */
  public void restore(Thing thing) {
    restore(Twin.of(thing));
  }

  /** Puts a recovered twin back as it is; one held as JSON stays so, and is indexed from it. */
  public void restore(Twin twin) {
    things.compute(
        twin.thingId().toString(),
        (key, current) -> {
          updateIndex(twin.thingId(), current, twin);
          return twin;
        });
  }

  /**
   * Releases the built things of twins not used since the last call, keeping their JSON text (see
   * {@link Twin}): the next use builds them again. Call it periodically, one call at a time, off
   * any event loop: the first release of a twin renders its text.
   *
   * @return how many twins are held as text only
   */
  public int releaseIdle() {
    int idle = 0;
    for (Twin twin : things.values()) {
      if (twin.releaseIfIdle()) {
        idle++;
      }
    }
    return idle;
  }

  /** Creates or replaces the thing at once, without a journal: for tests and tools. */
  public ThingChange put(Thing thing) {
    ThingId thingId =
        thing.getEntityId().orElseThrow(() -> new IllegalArgumentException("a thing needs an id"));
    AtomicReference<ThingChange> change = new AtomicReference<>();
    things.compute(
        thingId.toString(),
        (key, current) -> {
          change.set(ThingChanges.put(current, thing, clock.instant()));
          updateIndex(thingId, current, change.get().twin());
          return change.get().twin();
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
        thingId.toString(),
        (key, current) -> {
          change.set(ThingChanges.merge(thingId, current, path, patch, clock.instant()));
          updateIndex(thingId, current, change.get().twin());
          return change.get().twin();
        });
    return change.get();
  }

  /**
   * Indexes hold ids by definition, attributes and location, which live in a twin's base thing: a
   * twin that only gained pending property writes shares its predecessor's base, and nothing
   * indexed can have changed.
   */
  private void updateIndex(ThingId thingId, Twin before, Twin after) {
    if (before != null && after != null && before.sharesBase(after)) {
      return;
    }
    index.update(
        thingId, before == null ? null : before.indexed(), after == null ? null : after.indexed());
  }
}
