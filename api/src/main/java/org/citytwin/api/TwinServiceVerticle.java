package org.citytwin.api;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.citytwin.fusion.SameProcessCodec;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.GroupCommitMetrics;
import org.citytwin.twin.LatencyHistogram;
import org.citytwin.twin.Preconditions;
import org.citytwin.twin.ThingChange;
import org.citytwin.twin.ThingChanges;
import org.citytwin.twin.ThingJournal;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.Twin;
import org.citytwin.twin.TwinCommandBatch;
import org.citytwin.twin.TwinErrors;
import org.citytwin.twin.TwinEvent;
import org.citytwin.twin.TwinEventBatch;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.base.model.exceptions.DittoJsonException;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.base.model.json.JsonSchemaVersion;
import org.eclipse.ditto.base.model.signals.commands.Command;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonRuntimeException;
import org.eclipse.ditto.json.JsonValue;
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
 * <p>A command comes as Ditto Protocol text, or with others in a {@link TwinCommandBatch} from
 * senders in the same process. Replies to text: {@code {"status": 201|204, "revision": n}}, plus
 * {@code "thing"} when one was created; failures carry the Ditto error's status and its JSON as
 * message. A batch is answered once every command in it is settled, with one {@link
 * TwinCommandBatch.Outcome} per command.
 */
public final class TwinServiceVerticle extends AbstractVerticle {

  /**
   * How often twins not used since the previous sweep give up their built things and are held as
   * JSON ({@link ThingStore#releaseIdle}): a twin left alone for 30 to 60 s costs its text, not a
   * Ditto thing several times that size.
   */
  public static final java.time.Duration IDLE_SWEEP_EVERY = java.time.Duration.ofSeconds(30);

  /** Bounds one journal transaction. */
  public static final int MAX_CHANGES_PER_COMMIT = 20_000;

  private static final Logger LOG = LoggerFactory.getLogger(TwinServiceVerticle.class);

  /** Told when a change has been journaled and applied, or could not be journaled. */
  private interface Completion {
    void committed(ThingChange change);

    void failed(Throwable cause);
  }

  /** A change waiting for its commit, and when ({@link System#nanoTime()}) it was accepted. */
  private record Waiting(ThingChange change, Completion completion, long acceptedNanos) {}

  /** A thing's state after its changes still waiting for the journal. */
  private static final class Pending {
    Twin twin;
    int changes;
  }

  private final ThingStore store;
  private final ThingJournal journal;
  private final TwinProtocol protocol;
  private final Clock clock;
  private final long snapshotEvery;

  // By the id's text: Ditto's ThingId hashes with Objects.hash, and this map is read several
  // times a change.
  private final Map<String, Pending> pending = new HashMap<>();
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private boolean committing;
  private boolean snapshotting;
  private boolean sweeping;
  private Optional<String> lastCommitFailure = Optional.empty();
  private volatile long appliedSequence;
  private long snapshotSequence;
  private final GroupCommitMetrics commits =
      new GroupCommitMetrics(
          new GroupCommitMetrics.Names(
              "citytwin_twin_commit_seconds",
              "One group commit of twin changes to the journal, their events rendered beside it.",
              "citytwin_twin_changes_committed_total",
              "Twin changes journaled.",
              "citytwin_twin_changes_waiting",
              "Changes queued behind the running commit."));
  // Each change's wait from being accepted to its event being published: the queue before its
  // commit, the commit, and applying it. What a subscriber waits for inside this service.
  private final LatencyHistogram publishedAfter = new LatencyHistogram();

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
    SameProcessCodec.register(vertx, TwinCommandBatch.class);
    SameProcessCodec.register(vertx, TwinCommandBatch.Outcomes.class);
    SameProcessCodec.register(vertx, TwinEventBatch.class);
    vertx
        .eventBus()
        .consumer(EventBusAddresses.TWIN_COMMANDS, this::onMessage)
        .completionHandler(started);
    vertx.eventBus().<JsonObject>consumer(EventBusAddresses.TWIN_READY, this::onReady);
    vertx.eventBus().<JsonObject>consumer(EventBusAddresses.TWIN_METRICS, this::onMetrics);
    vertx.setPeriodic(IDLE_SWEEP_EVERY.toMillis(), timer -> sweepIdle());
  }

  private void sweepIdle() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    // The first release of a twin renders its JSON: CPU work, off the event loop.
    vertx
        .executeBlocking(store::releaseIdle, false)
        .onComplete(
            idle -> {
              sweeping = false;
              if (idle.failed()) {
                LOG.warn("idle twins not released", idle.cause());
              }
            });
  }

  private void onReady(Message<JsonObject> request) {
    request.reply(
        new JsonObject()
            .put("ready", lastCommitFailure.isEmpty())
            .put(
                "detail",
                lastCommitFailure
                    .map(failure -> "the journal's last commit failed: " + failure)
                    .orElse(store.size() + " twins, " + waiting.size() + " changes waiting")));
  }

  private void onMessage(Message<Object> request) {
    if (request.body() instanceof TwinCommandBatch batch) {
      onBatch(batch, request);
    } else if (request.body() instanceof String text) {
      onCommand(text, request);
    } else {
      request.fail(
          400,
          TwinErrors.UNSUPPORTED_COMMAND
              .toException("The twin service takes Ditto Protocol text or a command batch.")
              .toJson()
              .toString());
    }
  }

  private void onCommand(String text, Message<Object> request) {
    ThingChange change;
    boolean createsPart;
    try {
      ThingModifyCommand<?> command = protocol.parseCommand(JsonFactory.newObject(text));
      // A PUT on a part answers 201 when there was nothing there, as Ditto's does.
      createsPart =
          !TwinProtocol.writesWholeThing(command)
              && command.getCategory() == Command.Category.MODIFY
              && !ThingChanges.holds(current(command.getEntityId()), command.getResourcePath());
      change = changeFor(command, clock.instant());
    } catch (RuntimeException e) {
      DittoRuntimeException error = asDittoError(e, text);
      request.fail(error.getHttpStatus().getCode(), error.toJson().toString());
      return;
    }
    enqueue(
        change,
        new Completion() {
          @Override
          public void committed(ThingChange committed) {
            request.reply(
                createsPart
                    ? new JsonObject().put("revision", committed.revision()).put("status", 201)
                    : reply(committed));
          }

          @Override
          public void failed(Throwable cause) {
            request.fail(503, unavailable(cause).toJson().toString());
          }
        });
    commitIfIdle();
  }

  private void onBatch(TwinCommandBatch batch, Message<Object> request) {
    BatchReply reply = new BatchReply(request, batch.commands().size());
    // Commands of one batch are accepted at one instant.
    Instant now = clock.instant();
    int position = 0;
    for (ThingModifyCommand<?> command : batch.commands()) {
      int at = position++;
      ThingChange change;
      try {
        change = changeFor(command, now);
      } catch (RuntimeException e) {
        DittoRuntimeException error = asDittoError(e, command.toString());
        reply.settle(
            at,
            new TwinCommandBatch.Outcome(
                error.getHttpStatus().getCode(), 0, Optional.of(error.toJson().toString())));
        continue;
      }
      enqueue(
          change,
          new Completion() {
            @Override
            public void committed(ThingChange committed) {
              reply.settle(
                  at,
                  new TwinCommandBatch.Outcome(
                      committed.kind() == ThingChange.Kind.CREATED ? 201 : 204,
                      committed.revision(),
                      Optional.empty()));
            }

            @Override
            public void failed(Throwable cause) {
              reply.settle(
                  at,
                  new TwinCommandBatch.Outcome(
                      503, 0, Optional.of(unavailable(cause).toJson().toString())));
            }
          });
    }
    // Once for the batch: started on its first change, a commit would carry that change alone and
    // keep the rest waiting for the next one.
    commitIfIdle();
  }

  /** Collects a batch's outcomes and replies when the last one is in. */
  private static final class BatchReply {
    private final Message<Object> request;
    private final TwinCommandBatch.Outcome[] outcomes;
    private int unsettled;

    BatchReply(Message<Object> request, int size) {
      this.request = request;
      this.outcomes = new TwinCommandBatch.Outcome[size];
      this.unsettled = size;
      if (size == 0) {
        request.reply(new TwinCommandBatch.Outcomes(List.of()));
      }
    }

    void settle(int position, TwinCommandBatch.Outcome outcome) {
      outcomes[position] = outcome;
      if (--unsettled == 0) {
        request.reply(new TwinCommandBatch.Outcomes(Arrays.asList(outcomes)));
      }
    }
  }

  private static DittoRuntimeException asDittoError(RuntimeException e, String command) {
    if (e instanceof DittoRuntimeException ditto) {
      return ditto;
    }
    if (e instanceof JsonRuntimeException json) {
      return new DittoJsonException(json);
    }
    LOG.error("twin command failed: {}", command, e);
    return TwinErrors.INTERNAL.toException("The twin service failed.");
  }

  private static DittoRuntimeException unavailable(Throwable cause) {
    return TwinErrors.UNAVAILABLE.toException("The change was not stored: " + cause.getMessage());
  }

  private void enqueue(ThingChange change, Completion completion) {
    Pending state = pending.computeIfAbsent(change.thingId().toString(), id -> new Pending());
    state.twin = change.kind() == ThingChange.Kind.DELETED ? null : change.twin();
    state.changes++;
    waiting.add(new Waiting(change, completion, System.nanoTime()));
  }

  private ThingChange changeFor(ThingModifyCommand<?> command, Instant now) {
    ThingId thingId = command.getEntityId();
    Twin current = current(thingId);
    DittoHeaders headers = command.getDittoHeaders();
    if (Preconditions.isConditional(headers)) {
      // Conditions need the whole thing; readings come without any and skip building it.
      Thing currentThing = current == null ? null : current.thing();
      // If-Match and If-None-Match are about what the command writes: the thing, or one part.
      Preconditions.checkWrite(headers, currentThing, command.getResourcePath());
      Preconditions.checkCondition(headers, currentThing);
    }
    if (command instanceof CreateThing create) {
      if (current != null) {
        throw ThingConflictException.newBuilder(thingId).dittoHeaders(headers).build();
      }
      return ThingChanges.put(null, create.getThing(), now);
    } else if (command instanceof ModifyThing modify) {
      return ThingChanges.put(current, modify.getThing(), now);
    } else if (command instanceof MergeThing merge) {
      return ThingChanges.merge(thingId, current, merge.getPath(), merge.getValue(), now);
    } else if (command instanceof DeleteThing) {
      return ThingChanges.delete(thingId, current, now);
    } else if (command.getCategory() == Command.Category.DELETE) {
      return ThingChanges.removeAt(thingId, current, command.getResourcePath(), now);
    } else if (command.getCategory() == Command.Category.MODIFY) {
      JsonValue value =
          command
              .getEntity(JsonSchemaVersion.V_2)
              .orElseThrow(
                  () ->
                      TwinErrors.UNSUPPORTED_COMMAND.toException(
                          command.getType() + " carries no value."));
      return ThingChanges.putAt(thingId, current, command.getResourcePath(), value, now);
    }
    throw TwinErrors.UNSUPPORTED_COMMAND.toException("Unsupported command " + command.getType());
  }

  /** The twin as the next change must see it: committed, or changed by a waiting command. */
  private Twin current(ThingId thingId) {
    Pending state = pending.get(thingId.toString());
    if (state != null) {
      return state.twin;
    }
    return store.twin(thingId).orElse(null);
  }

  private void commitIfIdle() {
    if (committing || waiting.isEmpty()) {
      return;
    }
    committing = true;
    commits.started();
    List<Waiting> batch = new ArrayList<>(Math.min(waiting.size(), MAX_CHANGES_PER_COMMIT));
    List<ThingChange> changes = new ArrayList<>(batch.size());
    while (!waiting.isEmpty() && batch.size() < MAX_CHANGES_PER_COMMIT) {
      Waiting next = waiting.poll();
      batch.add(next);
      changes.add(next.change());
    }
    // The events are built on a second worker while the journal commits: the commits run one
    // after another and set the service's pace, and the event texts were half of each one's work.
    // Neither is visible before both are done.
    Future<Long> journaled = vertx.executeBlocking(() -> journal.append(changes), false);
    Future<List<TwinEventBatch>> events =
        vertx.executeBlocking(() -> eventMessages(changes), false);
    Future.all(journaled, events)
        .map(both -> new Committed(journaled.result(), events.result()))
        // Always handled as a task of its own: a commit that finished before this listener was
        // added would otherwise run it at once, inside the previous commit's handler, and apply
        // its changes before the previous commit's.
        .onComplete(committed -> context.runOnContext(next -> onCommitted(batch, committed)));
  }

  private void onCommitted(List<Waiting> batch, AsyncResult<Committed> committed) {
    committing = false;
    commits.ended(committed.succeeded() ? batch.size() : 0);
    lastCommitFailure =
        committed.succeeded()
            ? Optional.empty()
            : Optional.of(String.valueOf(committed.cause().getMessage()));
    if (committed.succeeded()) {
      // The journal starts on what waits while this batch is applied: the two overlap.
      commitIfIdle();
      applyCommitted(batch, committed.result());
    } else {
      dropWaiting(batch, committed.cause());
      commitIfIdle();
    }
  }

  private void onMetrics(Message<JsonObject> request) {
    StringBuilder text = new StringBuilder();
    commits.appendTo(text, waiting.size());
    publishedAfter.appendWithHeader(
        text,
        "citytwin_twin_change_published_seconds",
        "From a change accepted by the twin service to its event published: queue, commit, apply.");
    request.reply(text.toString());
  }

  /** A journal commit: its last sequence number and its events, ready to publish. */
  private record Committed(long lastSequence, List<TwinEventBatch> eventMessages) {}

  /**
   * The changes' events, as text and read, {@link EventBusAddresses#EVENTS_PER_MESSAGE} a message.
   */
  private List<TwinEventBatch> eventMessages(List<ThingChange> changes) {
    List<TwinEventBatch> messages = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    List<TwinEvent> events = new ArrayList<>();
    for (ThingChange change : changes) {
      texts.add(protocol.eventText(change));
      events.add(protocol.eventOf(change));
      if (events.size() == EventBusAddresses.EVENTS_PER_MESSAGE) {
        messages.add(new TwinEventBatch(texts, events));
        texts.clear();
        events.clear();
      }
    }
    if (!events.isEmpty()) {
      messages.add(new TwinEventBatch(texts, events));
    }
    return messages;
  }

  private void applyCommitted(List<Waiting> batch, Committed committed) {
    for (Waiting waitingChange : batch) {
      ThingChange change = waitingChange.change();
      store.apply(change);
      Pending state = pending.get(change.thingId().toString());
      if (--state.changes == 0) {
        pending.remove(change.thingId().toString());
      }
    }
    committed
        .eventMessages()
        .forEach(events -> vertx.eventBus().publish(EventBusAddresses.TWIN_EVENTS, events));
    long published = System.nanoTime();
    for (Waiting waitingChange : batch) {
      publishedAfter.record(published - waitingChange.acceptedNanos());
    }
    // Replies after the events: whoever is told a change is done can already have seen its event.
    batch.forEach(done -> done.completion().committed(done.change()));
    appliedSequence = committed.lastSequence();
    snapshotIfDue();
  }

  private void dropWaiting(List<Waiting> batch, Throwable cause) {
    LOG.error(
        "twin journal could not commit {} changes; {} more waiting are dropped",
        batch.size(),
        waiting.size(),
        cause);
    List<Waiting> dropped = new ArrayList<>(batch);
    dropped.addAll(waiting);
    waiting.clear();
    pending.clear();
    dropped.forEach(failed -> failed.completion().failed(cause));
  }

  private void snapshotIfDue() {
    if (snapshotting || appliedSequence - snapshotSequence < snapshotEvery) {
      return;
    }
    snapshotting = true;
    List<Twin> twins = store.twins();
    long covered = appliedSequence;
    Future<Void> written =
        vertx.executeBlocking(
            () -> {
              // Rendering twins with pending writes is CPU work: off the event loop.
              journal.snapshot(twins, covered);
              return null;
            },
            false);
    written.onComplete(
        result -> {
          snapshotting = false;
          if (result.succeeded()) {
            snapshotSequence = covered;
            LOG.info("twin snapshot: {} things up to change {}", twins.size(), covered);
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
