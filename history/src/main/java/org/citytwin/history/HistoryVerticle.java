package org.citytwin.history;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

  private final HistoryStore store;
  private final ArrayDeque<PendingAppend> pending = new ArrayDeque<>();
  private BufferAllocator allocator;
  private ArrowAnswers arrow;
  private boolean committing;

  public HistoryVerticle(HistoryStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override
  public void start(Promise<Void> started) {
    allocator = new RootAllocator();
    arrow = new ArrowAnswers(allocator);
    vertx.eventBus().<JsonObject>consumer(EventBusAddresses.HISTORY_APPEND, this::onAppend);
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
    return "arrow".equals(request.body().getString("format"));
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
          List<Reading> readings = store.range(query);
          if (arrowWanted) {
            return Buffer.buffer(arrow.readings(readings));
          }
          JsonArray rows = new JsonArray();
          readings.forEach(reading -> rows.add(new JsonObject(reading.toJsonMap())));
          return new JsonObject().put("readings", rows);
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
              java.time.Duration.parse(body.getString("bucket")));
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
}
