package org.citytwin.api.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * The changes one kind of stream carries (twin events, incidents), numbered in the order they were
 * published and kept for a while, so that a subscriber that lost its connection resumes where it
 * stopped: server-sent events' {@code Last-Event-ID}.
 *
 * <p>An event id is {@code <epoch>.<sequence>}: the epoch is drawn when the feed is made, so an id
 * from before a restart is recognised as foreign instead of being taken for a recent one. When the
 * id is foreign, or older than the oldest change still held, the changes in between are gone and
 * {@link #since} says so; the subscriber must then read current state again.
 *
 * <p>Not thread-safe: a feed belongs to the event loop of the verticle that publishes into it and
 * serves its subscribers.
 *
 * @param <T> what a change is
 */
final class ChangeFeed<T> {

  /** One published change and its place in the feed. */
  record Change<T>(long sequence, T item) {}

  private final String epoch = UUID.randomUUID().toString().substring(0, 8);
  private final int capacity;
  private final long maxWeight;
  private final ToLongFunction<T> weight;
  private final Consumer<T> letGo;
  private final ArrayDeque<Change<T>> recent;
  private final Set<Consumer<Change<T>>> listeners = new LinkedHashSet<>();
  private long lastSequence;
  private long heldWeight;
  private long droppedTooSlow;

  /**
   * @param capacity how many of the latest changes are held for subscribers that resume
   */
  ChangeFeed(int capacity) {
    this(capacity, Long.MAX_VALUE, item -> 1, item -> {});
  }

  /**
   * @param capacity how many of the latest changes are held for subscribers that resume
   * @param maxWeight how much they may weigh together (the newest is held whatever it weighs)
   * @param weight what one weighs: its size in memory, roughly
   * @param letGo told of each change the feed stops holding, once its listeners were told of it
   */
  ChangeFeed(int capacity, long maxWeight, ToLongFunction<T> weight, Consumer<T> letGo) {
    if (capacity < 1 || maxWeight < 1) {
      throw new IllegalArgumentException("a feed holds at least one change");
    }
    this.capacity = capacity;
    this.maxWeight = maxWeight;
    this.weight = weight;
    this.letGo = letGo;
    this.recent = new ArrayDeque<>(Math.min(capacity, 4_096));
  }

  /** Numbers {@code item}, holds it, and hands it to every listener. */
  void publish(T item) {
    Change<T> change = new Change<>(++lastSequence, item);
    recent.addLast(change);
    heldWeight += weight.applyAsLong(item);
    List<Change<T>> dropped = List.of();
    while (recent.size() > capacity || (heldWeight > maxWeight && recent.size() > 1)) {
      Change<T> oldest = recent.removeFirst();
      heldWeight -= weight.applyAsLong(oldest.item());
      if (dropped.isEmpty()) {
        dropped = new ArrayList<>(2);
      }
      dropped.add(oldest);
    }
    // A listener may stop listening while it is told (a slow subscriber is dropped).
    for (Consumer<Change<T>> listener : List.copyOf(listeners)) {
      listener.accept(change);
    }
    for (Change<T> oldest : dropped) {
      letGo.accept(oldest.item());
    }
  }

  /** Lets go of every change held: the feed is closing. Listeners are not told. */
  void close() {
    for (Change<T> held : recent) {
      letGo.accept(held.item());
    }
    recent.clear();
    heldWeight = 0;
  }

  /** Tells {@code listener} every change from now on; the returned action stops that. */
  Runnable listen(Consumer<Change<T>> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  int listenerCount() {
    return listeners.size();
  }

  /** Counts a subscriber dropped for not keeping up. */
  void countDroppedTooSlow() {
    droppedTooSlow++;
  }

  /** Subscribers dropped so far for not keeping up. */
  long droppedTooSlow() {
    return droppedTooSlow;
  }

  /** The id a subscriber sees for {@code change}. */
  String eventId(Change<T> change) {
    return epoch + "." + change.sequence();
  }

  /**
   * The changes after the one {@code lastEventId} names, oldest first; empty when they can no
   * longer all be told: the id is not this feed's, or changes after it were already let go.
   */
  Optional<List<Change<T>>> since(String lastEventId) {
    int dot = lastEventId.lastIndexOf('.');
    if (dot < 0 || !lastEventId.substring(0, dot).equals(epoch)) {
      return Optional.empty();
    }
    long seen;
    try {
      seen = Long.parseLong(lastEventId.substring(dot + 1));
    } catch (NumberFormatException notOurs) {
      return Optional.empty();
    }
    if (seen > lastSequence || seen < 0) {
      return Optional.empty();
    }
    long oldestHeld = recent.isEmpty() ? lastSequence + 1 : recent.peekFirst().sequence();
    if (seen + 1 < oldestHeld) {
      return Optional.empty();
    }
    List<Change<T>> missed = new ArrayList<>();
    // Walk from the newest end: a subscriber resuming is usually only a little behind.
    Iterator<Change<T>> newestFirst = recent.descendingIterator();
    while (newestFirst.hasNext()) {
      Change<T> change = newestFirst.next();
      if (change.sequence() <= seen) {
        break;
      }
      missed.add(change);
    }
    java.util.Collections.reverse(missed);
    return Optional.of(missed);
  }
}
