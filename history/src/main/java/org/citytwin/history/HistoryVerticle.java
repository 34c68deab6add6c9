package org.citytwin.history;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.citytwin.history.arrow.ArrowAnswers;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.things.model.ThingId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a {@link HistoryStore} on the event bus.
 *
 * <p>Appends are group-committed: while one commit runs on a worker thread, every append that
 * arrives waits in a queue, and the next commit takes all of them at once (up to {@link
 * #MAX_ROWS_PER_COMMIT}). Under light load a reading is committed alone and at once; under heavy
 * load many devices share one commit, so throughput grows with load instead of collapsing. A
 * requester is answered only after its commit succeeded, which is what lets ingest acknowledge a
 * device safely.
 */
public final class HistoryVerticle extends AbstractVerticle {

  /** Bounds one transaction so one slow commit cannot hold an unbounded amount of memory. */
  public static final int MAX_ROWS_PER_COMMIT = 50_000;

  private static final Logger LOG = LoggerFactory.getLogger(HistoryVerticle.class);

  private record PendingAppend(List<Reading> readings, Message<JsonObject> request) {}

  /**
   * How often maintenance (retention, then compaction of closed days) runs; both work a day at a
   * time, so hourly is plenty.
   */
  static final Duration MAINTENANCE_EVERY = Duration.ofHours(1);

  /** A group commit normally takes milliseconds; one this long means the store is in trouble. */
  static final Duration SLOW_COMMIT = Duration.ofSeconds(5);

  private final HistoryStore store;
  private final Optional<RetentionPolicy> retention;
  private final Clock clock;
  private final ArrayDeque<PendingAppend> pending = new ArrayDeque<>();
  private BufferAllocator allocator;
  private ArrowAnswers arrow;
  private boolean committing;
  private long commitStartedNanos;
  private Optional<String> lastCommitFailure = Optional.empty();

  /** A history that keeps everything (closed days are still compacted). */
  public HistoryVerticle(HistoryStore store) {
    this(store, Optional.empty(), Clock.systemUTC());
  }

  /**
   * @param retention applied, with compaction, a minute after start and then every {@link
   *     #MAINTENANCE_EVERY}
   */
  public HistoryVerticle(HistoryStore store, Optional<RetentionPolicy> retention, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.retention = Objects.requireNonNull(retention, "retention");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void start(Promise<Void> started) {
    allocator = new RootAllocator();
    arrow = new ArrowAnswers(allocator);
    vertx.eventBus().<JsonObject>consumer(EventBusAddresses.HISTORY_APPEND, this::onAppend);
    vertx.eventBus().<JsonObject>consumer(EventBusAddresses.HISTORY_READY, this::onReady);
    vertx.eventBus().<JsonObject>consumer(EventBusAddresses.HISTORY_LATEST, this::onLatest);
    vertx.eventBus().<JsonObject>consumer(EventBusAddresses.HISTORY_TRAJECTORY, this::onTrajectory);
    vertx.setTimer(
        Duration.ofMinutes(1).toMillis(),
        first -> {
          maintain();
          vertx.setPeriodic(MAINTENANCE_EVERY.toMillis(), next -> maintain());
        });
    vertx
        .eventBus()
        .<JsonObject>consumer(EventBusAddresses.HISTORY_RANGE, this::onRange)
        .completionHandler(started);
  }

  @Override
  public void stop() {
    if (allocator != null) {
      allocator.close();
    }
  }

  /** Whether the requester asked for an Arrow IPC stream ({@code "format": "arrow"}). */
  private static boolean wantsArrow(Message<JsonObject> request) {
    return "arrow".equals(request.body().getString(EventBusAddresses.HISTORY_FORMAT));
  }

  private void maintain() {
    vertx
        .executeBlocking(
            () -> {
              retention.ifPresent(
                  policy -> {
                    RetentionOutcome outcome = store.retain(policy, clock.instant());
                    if (outcome.rawRowsRemoved() > 0 || outcome.minutesRemoved() > 0) {
                      LOG.info(
                          "history retention: {} raw readings rolled into {} minute aggregates,"
                              + " {} expired minute aggregates removed",
                          outcome.rawRowsRemoved(),
                          outcome.minutesWritten(),
                          outcome.minutesRemoved());
                    }
                  });
              int compacted = store.compact(clock.instant());
              if (compacted > 0) {
                LOG.info("history: {} closed days rewritten in series order", compacted);
              }
              return compacted;
            },
            false)
        .onFailure(
            failure -> LOG.error("history maintenance failed; next try in an hour", failure));
  }

  private void onLatest(Message<JsonObject> request) {
    LatestQuery query;
    try {
      JsonObject body = request.body();
      List<ThingId> things = new ArrayList<>();
      body.getJsonArray("things").forEach(id -> things.add(ThingId.of((String) id)));
      query =
          new LatestQuery(
              things,
              body.getString("feature"),
              body.getString("property"),
              Instant.parse(body.getString("at")),
              Duration.parse(body.getString("lookback")));
    } catch (RuntimeException e) {
      request.fail(400, "malformed latest query: " + e.getMessage());
      return;
    }
    boolean arrowWanted = wantsArrow(request);
    answer(request, () -> readingsAnswer(store.latest(query), arrowWanted));
  }

  private void onTrajectory(Message<JsonObject> request) {
    TrajectoryQuery query;
    try {
      JsonObject body = request.body();
      query =
          new TrajectoryQuery(
              ThingId.of(body.getString("thingId")),
              body.getString("feature"),
              Instant.parse(body.getString("from")),
              Instant.parse(body.getString("to")),
              body.getInteger("limit", RangeQuery.MAX_LIMIT));
    } catch (RuntimeException e) {
      request.fail(400, "malformed trajectory query: " + e.getMessage());
      return;
    }
    boolean arrowWanted = wantsArrow(request);
    answer(
        request,
        () -> {
          List<TrackPoint> fixes = store.trajectory(query);
          if (arrowWanted) {
            return Buffer.buffer(arrow.track(fixes));
          }
          JsonArray rows = new JsonArray();
          fixes.forEach(
              fix ->
                  rows.add(
                      new JsonObject()
                          .put("at", fix.at().toString())
                          .put("longitude", fix.longitude())
                          .put("latitude", fix.latitude())));
          return new JsonObject().put("fixes", rows);
        });
  }

  private Object readingsAnswer(List<Reading> readings, boolean arrowWanted) {
    if (arrowWanted) {
      return Buffer.buffer(arrow.readings(readings));
    }
    JsonArray rows = new JsonArray();
    readings.forEach(reading -> rows.add(new JsonObject(reading.toJsonMap())));
    return new JsonObject().put("readings", rows);
  }

  /**
   * Ready unless the last group commit failed or the running one takes longer than {@link
   * #SLOW_COMMIT}: a store that slow makes every acknowledgement wait, and ingest soon pushes back.
   */
  private void onReady(Message<JsonObject> request) {
    Duration running =
        committing ? Duration.ofNanos(System.nanoTime() - commitStartedNanos) : Duration.ZERO;
    String waiting = pending.size() + " appends waiting";
    if (lastCommitFailure.isPresent()) {
      request.reply(
          new JsonObject()
              .put("ready", false)
              .put("detail", "the last commit failed: " + lastCommitFailure.get()));
    } else if (running.compareTo(SLOW_COMMIT) > 0) {
      request.reply(
          new JsonObject()
              .put("ready", false)
              .put(
                  "detail",
                  "a commit has been running for " + running.toMillis() + " ms, " + waiting));
    } else {
      request.reply(new JsonObject().put("ready", true).put("detail", waiting));
    }
  }

  private void onAppend(Message<JsonObject> request) {
    List<Reading> readings;
    try {
      readings = readingsOf(request.body());
    } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
      request.fail(400, "malformed append request: " + e.getMessage());
      return;
    }
    pending.add(new PendingAppend(readings, request));
    commitIfIdle();
  }

  private void commitIfIdle() {
    if (committing || pending.isEmpty()) {
      return;
    }
    committing = true;
    commitStartedNanos = System.nanoTime();
    List<PendingAppend> batch = new ArrayList<>();
    List<Reading> rows = new ArrayList<>();
    while (!pending.isEmpty()
        && (rows.isEmpty()
            || rows.size() + pending.peek().readings().size() <= MAX_ROWS_PER_COMMIT)) {
      PendingAppend next = pending.poll();
      batch.add(next);
      rows.addAll(next.readings());
    }
    vertx
        .executeBlocking(
            () -> {
              store.append(rows);
              return rows.size();
            },
            false)
        .onComplete(
            committed -> {
              committing = false;
              lastCommitFailure =
                  committed.succeeded()
                      ? Optional.empty()
                      : Optional.of(String.valueOf(committed.cause().getMessage()));
              for (PendingAppend append : batch) {
                if (committed.succeeded()) {
                  append
                      .request()
                      .reply(new JsonObject().put("appended", append.readings().size()));
                } else {
                  append
                      .request()
                      .fail(503, "history could not commit: " + committed.cause().getMessage());
                }
              }
              if (committed.failed()) {
                LOG.error("history commit of {} readings failed", rows.size(), committed.cause());
              }
              commitIfIdle();
            });
  }

  private void onRange(Message<JsonObject> request) {
    if (request.body().getString("bucket") != null) {
      onBuckets(request);
      return;
    }
    RangeQuery query;
    try {
      JsonObject body = request.body();
      query =
          new RangeQuery(
              ThingId.of(body.getString("thingId")),
              body.getString("feature"),
              body.getString("property"),
              Instant.parse(body.getString("from")),
              Instant.parse(body.getString("to")),
              body.getInteger("limit", 1000));
    } catch (RuntimeException e) {
      request.fail(400, "malformed range query: " + e.getMessage());
      return;
    }
    boolean arrowWanted = wantsArrow(request);
    answer(
        request,
        () -> {
          if (arrowWanted) {
            // Written straight into the buffer that becomes the answer: a day of one gauge is
            // megabytes, and each copy of it costs as much as a tenth of the answer.
            io.netty.buffer.ByteBuf stream = io.netty.buffer.Unpooled.buffer(1 << 16);
            store.rangeAsArrow(query, allocator, new ByteBufChannel(stream));
            return Buffer.buffer(stream);
          }
          return readingsAnswer(store.range(query), false);
        });
  }

  /** A range request with {@code "bucket": "PT1M"}: answered with buckets instead of rows. */
  private void onBuckets(Message<JsonObject> request) {
    BucketQuery query;
    try {
      JsonObject body = request.body();
      query =
          new BucketQuery(
              ThingId.of(body.getString("thingId")),
              body.getString("feature"),
              body.getString("property"),
              Instant.parse(body.getString("from")),
              Instant.parse(body.getString("to")),
              Duration.parse(body.getString("bucket")));
    } catch (RuntimeException e) {
      request.fail(400, "malformed bucket query: " + e.getMessage());
      return;
    }
    boolean arrowWanted = wantsArrow(request);
    answer(
        request,
        () -> {
          List<Bucket> buckets = store.buckets(query);
          if (arrowWanted) {
            return Buffer.buffer(arrow.buckets(buckets));
          }
          JsonArray rows = new JsonArray();
          buckets.forEach(
              bucket ->
                  rows.add(
                      new JsonObject()
                          .put("start", bucket.start().toString())
                          .put("count", bucket.count())
                          .put("min", bucket.min())
                          .put("max", bucket.max())
                          .put("avg", bucket.avg())
                          .put("last", bucket.last())));
          return new JsonObject().put("bucket", query.width().toString()).put("buckets", rows);
        });
  }

  /**
   * Runs a read and its answer's encoding (JSON or Arrow) on a worker thread and replies with it,
   * or with 503 when the store cannot be read.
   */
  private void answer(Message<JsonObject> request, java.util.concurrent.Callable<Object> read) {
    vertx
        .executeBlocking(read, false)
        .onSuccess(request::reply)
        .onFailure(
            failure -> {
              LOG.error("history query {} failed", request.body(), failure);
              request.fail(503, "history could not be read");
            });
  }

  private static List<Reading> readingsOf(JsonObject body) {
    JsonArray array = body.getJsonArray("readings");
    List<Reading> readings = new ArrayList<>(array.size());
    for (Object element : array) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map =
          element instanceof JsonObject json ? json.getMap() : (Map<String, Object>) element;
      if (map.get("value") instanceof JsonObject || map.get("value") instanceof JsonArray) {
        // The event bus copies a message into Vert.x JSON types; Reading reads plain Java ones.
        map = new java.util.HashMap<>(map);
        map.put("value", plain(map.get("value")));
      }
      readings.add(Reading.fromJsonMap(map));
    }
    return readings;
  }

  private static Object plain(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> map = new java.util.LinkedHashMap<>();
      object.forEach(entry -> map.put(entry.getKey(), plain(entry.getValue())));
      return map;
    }
    if (value instanceof JsonArray array) {
      List<Object> list = new ArrayList<>(array.size());
      array.forEach(element -> list.add(plain(element)));
      return list;
    }
    return value;
  }

  /** A channel appending to a Netty buffer. */
  private static final class ByteBufChannel implements java.nio.channels.WritableByteChannel {
    private final io.netty.buffer.ByteBuf target;

    ByteBufChannel(io.netty.buffer.ByteBuf target) {
      this.target = target;
    }

    @Override
    public int write(java.nio.ByteBuffer source) {
      int length = source.remaining();
      target.writeBytes(source);
      return length;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {
      // Nothing to release: the buffer becomes the answer.
    }
  }
}
