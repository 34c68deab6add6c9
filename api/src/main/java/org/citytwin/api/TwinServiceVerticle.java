package org.citytwin.api;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.Preconditions;
import org.citytwin.twin.ThingChange;
import org.citytwin.twin.ThingChanges;
import org.citytwin.twin.ThingJournal;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.TwinErrors;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.base.model.exceptions.DittoJsonException;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonRuntimeException;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingConflictException;
import org.eclipse.ditto.things.model.signals.commands.modify.CreateThing;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteThing;
import org.eclipse.ditto.things.model.signals.commands.modify.MergeThing;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThing;
import org.eclipse.ditto.things.model.signals.commands.modify.ThingModifyCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The twin service, the one writer of twins: takes Ditto Protocol commands (create, modify, merge,
 * delete, with {@code if-match} / {@code if-none-match}) from {@link
 * EventBusAddresses#TWIN_COMMANDS}, makes each change durable in the {@link ThingJournal}, then
 * applies it to the {@link ThingStore} readers use, publishes it on {@link
 * EventBusAddresses#TWIN_EVENTS} and answers.
 *
 * <p>Nothing is visible before it is durable: readers and subscribers never see a change a crash
 * could lose, and a snapshot (taken from the readers' store) never holds more than was
 * acknowledged. Commands arriving while a commit runs are computed against the committed state plus
 * the changes still waiting, so revisions and preconditions stay exact, and are journaled together
 * in the next commit.
 *
 * <p>If the journal cannot commit, every waiting command fails with 503 and the waiting changes are
 * dropped: memory never runs ahead of the journal.
 *
 * <p>Replies: {@code {"status": 201|204, "revision": n}}, plus {@code "thing"} when one was
 * created. Failures carry the Ditto error's status and its JSON as message.
 */
public final class TwinServiceVerticle extends AbstractVerticle {

  /** Bounds one journal transaction. */
  public static final int MAX_CHANGES_PER_COMMIT = 20_000;

  private static final Logger LOG = LoggerFactory.getLogger(TwinServiceVerticle.class);

  private record Waiting(ThingChange change, Promise<Void> done) {}

  private final ThingStore store;
  private final ThingJournal journal;
  private final TwinProtocol protocol;
  private final Clock clock;
  private final long snapshotEvery;

  private final Map<ThingId, Optional<Thing>> uncommitted = new HashMap<>();
  private final Map<ThingId, Integer> waitingPerThing = new HashMap<>();
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private boolean committing;
  private boolean snapshotting;
  private volatile long appliedSequence;
  private long snapshotSequence;

  /**
   * @param recoveredSequence the journal's last sequence number at start
   * @param snapshotEvery how many journaled changes to let pass between snapshots
   */
  public TwinServiceVerticle(
      ThingStore store,
      ThingJournal journal,
      TwinProtocol protocol,
      Clock clock,
      long recoveredSequence,
      long snapshotEvery) {
    this.store = store;
    this.journal = journal;
    this.protocol = protocol;
    this.clock = clock;
    this.snapshotEvery = snapshotEvery;
    this.appliedSequence = recoveredSequence;
    this.snapshotSequence = recoveredSequence;
  }

  /** The sequence number of the last change applied: what a snapshot of the store covers. */
  public long appliedSequence() {
    return appliedSequence;
  }

  @Override
  public void start(Promise<Void> started) {
    vertx
        .eventBus()
        .<String>consumer(EventBusAddresses.TWIN_COMMANDS, this::onCommand)
        .completionHandler(started);
  }

  private void onCommand(Message<String> request) {
    ThingChange change;
    try {
      change = changeFor(protocol.parseCommand(JsonFactory.newObject(request.body())));
    } catch (DittoRuntimeException e) {
      request.fail(e.getHttpStatus().getCode(), e.toJson().toString());
      return;
    } catch (JsonRuntimeException e) {
      DittoJsonException error = new DittoJsonException(e);
      request.fail(error.getHttpStatus().getCode(), error.toJson().toString());
      return;
    } catch (RuntimeException e) {
      LOG.error("twin command failed: {}", request.body(), e);
      request.fail(500, "the twin service failed");
      return;
    }
    uncommitted.put(
        change.thingId(),
        change.kind() == ThingChange.Kind.DELETED ? Optional.empty() : Optional.of(change.thing()));
    waitingPerThing.merge(change.thingId(), 1, Integer::sum);
    Promise<Void> done = Promise.promise();
    waiting.add(new Waiting(change, done));
    commitIfIdle();
    done.future()
        .onSuccess(committed -> request.reply(reply(change)))
        .onFailure(
            failure -> {
              DittoRuntimeException error =
                  TwinErrors.UNAVAILABLE.toException(
                      "The change was not stored: " + failure.getMessage());
              request.fail(503, error.toJson().toString());
            });
  }

  private ThingChange changeFor(ThingModifyCommand<?> command) {
    ThingId thingId = command.getEntityId();
    Thing current = current(thingId);
    Preconditions.checkWrite(command.getDittoHeaders(), current);
    Preconditions.checkCondition(command.getDittoHeaders(), current);
    var now = clock.instant();
    if (command instanceof CreateThing create) {
      if (current != null) {
        throw ThingConflictException.newBuilder(thingId)
            .dittoHeaders(command.getDittoHeaders())
            .build();
      }
      return ThingChanges.put(null, create.getThing(), now);
    } else if (command instanceof ModifyThing modify) {
      return ThingChanges.put(current, modify.getThing(), now);
    } else if (command instanceof MergeThing merge) {
      return ThingChanges.merge(thingId, current, merge.getPath(), merge.getValue(), now);
    } else if (command instanceof DeleteThing) {
      return ThingChanges.delete(thingId, current, now);
    }
    throw TwinErrors.UNSUPPORTED_COMMAND.toException("Unsupported command " + command.getType());
  }

  /** The thing as the next change must see it: committed, or changed by a waiting command. */
  private Thing current(ThingId thingId) {
    Optional<Thing> waitingState = uncommitted.get(thingId);
    if (waitingState != null) {
      return waitingState.orElse(null);
    }
    return store.retrieve(thingId).orElse(null);
  }

  private void commitIfIdle() {
    if (committing || waiting.isEmpty()) {
      return;
    }
    committing = true;
    List<Waiting> batch = new ArrayList<>(Math.min(waiting.size(), MAX_CHANGES_PER_COMMIT));
    List<ThingChange> changes = new ArrayList<>(batch.size());
    while (!waiting.isEmpty() && batch.size() < MAX_CHANGES_PER_COMMIT) {
      Waiting next = waiting.poll();
      batch.add(next);
      changes.add(next.change());
    }
    vertx
        .executeBlocking(() -> journal.append(changes), false)
        .onComplete(
            committed -> {
              committing = false;
              if (committed.succeeded()) {
                applyCommitted(batch, committed.result());
              } else {
                dropWaiting(batch, committed.cause());
              }
              commitIfIdle();
            });
  }

  private void applyCommitted(List<Waiting> batch, long lastSequence) {
    for (Waiting committed : batch) {
      ThingChange change = committed.change();
      store.apply(change);
      if (waitingPerThing.merge(change.thingId(), -1, Integer::sum) == 0) {
        waitingPerThing.remove(change.thingId());
        uncommitted.remove(change.thingId());
      }
      vertx.eventBus().publish(EventBusAddresses.TWIN_EVENTS, protocol.event(change).toString());
      committed.done().complete();
    }
    appliedSequence = lastSequence;
    snapshotIfDue();
  }

  private void dropWaiting(List<Waiting> batch, Throwable cause) {
    LOG.error(
        "twin journal could not commit {} changes; {} more waiting are dropped",
        batch.size(),
        waiting.size(),
        cause);
    batch.forEach(failed -> failed.done().fail(cause));
    waiting.forEach(failed -> failed.done().fail(cause));
    waiting.clear();
    uncommitted.clear();
    waitingPerThing.clear();
  }

  private void snapshotIfDue() {
    if (snapshotting || appliedSequence - snapshotSequence < snapshotEvery) {
      return;
    }
    snapshotting = true;
    List<Thing> things = store.all();
    long covered = appliedSequence;
    Future<Void> written =
        vertx.executeBlocking(
            () -> {
              journal.snapshot(things, covered);
              return null;
            },
            false);
    written.onComplete(
        result -> {
          snapshotting = false;
          if (result.succeeded()) {
            snapshotSequence = covered;
            LOG.info("twin snapshot: {} things up to change {}", things.size(), covered);
          } else {
            LOG.warn("twin snapshot failed; the journal keeps everything", result.cause());
          }
        });
  }

  private static JsonObject reply(ThingChange change) {
    JsonObject reply = new JsonObject().put("revision", change.revision());
    if (change.kind() == ThingChange.Kind.CREATED) {
      return reply
          .put("status", 201)
          .put("thing", new JsonObject(change.thing().toJson().toString()));
    }
    return reply.put("status", 204);
  }
}
