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
import org.citytwin.twin.GroupCommitMetrics;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingBatch;
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

  private record PendingAppend(List<Reading> readings, Message<Object> request) {}

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
  private Optional<String> lastCommitFailure = Optional.empty();
  private final GroupCommitMetrics commits =
      new GroupCommitMetrics(
          new GroupCommitMetrics.Names(
              "citytwin_history_commit_seconds",
              "One group commit of readings to the store, from its start on a worker to its end.",
              "citytwin_history_rows_committed_total",
              "Readings committed to the store.",
              "citytwin_history_appends_waiting",
              "Appends queued behind the running commit."));

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
    try {
      vertx.eventBus().registerCodec(new HandedOver());
    } catch (IllegalStateException alreadyRegistered) {
      // another history verticle of this Vert.x instance registered it
    }
    vertx.eventBus().consumer(EventBusAddresses.HISTORY_APPEND, this::onAppend);
    vertx.eventBus().<JsonObject>consumer(EventBusAddresses.HISTORY_READY, this::onReady);
    vertx.eventBus().<JsonObject>consumer(EventBusAddresses.HISTORY_METRICS, this::onMetrics);
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

  private void onMetrics(Message<JsonObject> request) {
    StringBuilder text = new StringBuilder();
    commits.appendTo(text, pending.size());
    request.reply(text.toString());
  }

  /**
   * Ready unless the last group commit failed or the running one takes longer than {@link
   * #SLOW_COMMIT}: a store that slow makes every acknowledgement wait, and ingest soon pushes back.
   */
  private void onReady(Message<JsonObject> request) {
    Duration running = committing ? Duration.ofNanos(commits.runningNanos()) : Duration.ZERO;
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

  private void onAppend(Message<Object> request) {
    List<Reading> readings;
    try {
      readings =
          request.body() instanceof ReadingBatch batch
              ? batch.readings()
              : readingsOf((JsonObject) request.body());
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
    commits.started();
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
              commits.ended(committed.succeeded() ? rows.size() : 0);
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
            ChunkedChannel stream = new ChunkedChannel();
            store.rangeAsArrow(query, allocator, stream);
            return Buffer.buffer(stream.written());
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
        .onSuccess(
            answer ->
                request.reply(
                    answer,
                    answer instanceof Buffer
                        ? new io.vertx.core.eventbus.DeliveryOptions().setCodecName(HandedOver.NAME)
                        : new io.vertx.core.eventbus.DeliveryOptions()))
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

  /**
   * A channel collecting what is written in chunks (the first of {@value #FIRST_CHUNK} bytes, for
   * the many small answers, then of {@value #CHUNK}), joined without a copy at the end. A single
   * growing buffer copied itself at each doubling, about as many bytes again as a gauge's day of
   * megabytes.
   */
  private static final class ChunkedChannel implements java.nio.channels.WritableByteChannel {
    private static final int FIRST_CHUNK = 1 << 16;
    private static final int CHUNK = 1 << 20;
    private final io.netty.buffer.CompositeByteBuf chunks =
        io.netty.buffer.Unpooled.compositeBuffer(Integer.MAX_VALUE);
    private io.netty.buffer.ByteBuf current =
        io.netty.buffer.Unpooled.buffer(FIRST_CHUNK, FIRST_CHUNK);

    @Override
    public int write(java.nio.ByteBuffer source) {
      int length = source.remaining();
      while (source.hasRemaining()) {
        if (!current.isWritable()) {
          chunks.addComponent(true, current);
          current = io.netty.buffer.Unpooled.buffer(CHUNK, CHUNK);
        }
        int part = Math.min(source.remaining(), current.writableBytes());
        java.nio.ByteBuffer slice = source.slice();
        slice.limit(part);
        current.writeBytes(slice);
        source.position(source.position() + part);
      }
      return length;
    }

    /** Everything written, as one buffer. */
    io.netty.buffer.ByteBuf written() {
      chunks.addComponent(true, current);
      return chunks;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {
      // Nothing to release: the chunks become the answer.
    }
  }

  /**
   * Replies with an answer's buffer as it is. The event bus copies a buffer it delivers in the
   * process, a gauge's day of megabytes once more; an answer is built for its reply and never
   * touched again, so handing it over is safe.
   */
  private static final class HandedOver
      implements io.vertx.core.eventbus.MessageCodec<Buffer, Buffer> {
    static final String NAME = "citytwin.history.handed-over-buffer";

    @Override
    public void encodeToWire(Buffer target, Buffer answer) {
      target.appendInt(answer.length()).appendBuffer(answer);
    }

    @Override
    public Buffer decodeFromWire(int position, Buffer source) {
      int length = source.getInt(position);
      return source.getBuffer(position + 4, position + 4 + length);
    }

    @Override
    public Buffer transform(Buffer answer) {
      return answer;
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
