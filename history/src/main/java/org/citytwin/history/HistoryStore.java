package org.citytwin.history;

import java.util.List;
import java.util.function.Consumer;
import org.citytwin.twin.Reading;

/**
 * Durable, append-only storage of canonical readings; opened through {@link Storage}.
 * Implementations block on I/O: call them from worker threads only (the {@link HistoryVerticle}
 * does).
 */
public interface HistoryStore {

  /** How long after its end a day counts as closed, for {@link #compact}. */
  java.time.Duration DAY_CLOSES_AFTER = java.time.Duration.ofHours(6);

  /** Rows an export hands over at most at once. */
  int EXPORT_BATCH_ROWS = 65_536;

  /**
   * Appends the readings in one transaction; when this returns they survive a crash.
   *
   * @throws HistoryUnavailableException if they could not be committed (nothing was appended)
   */
  void append(List<Reading> readings);

  /** The readings matching {@code query}, oldest first. */
  List<Reading> range(RangeQuery query);

  /**
   * The readings matching {@code query} as an Arrow IPC stream in the {@link
   * org.citytwin.history.arrow.ArrowAnswers#READINGS} columns, written to {@code out}. This one
   * builds readings and converts them; a store whose database hands its results over as Arrow
   * columns does that instead.
   */
  default void rangeAsArrow(
      RangeQuery query,
      org.apache.arrow.memory.BufferAllocator allocator,
      java.nio.channels.WritableByteChannel out) {
    List<Reading> readings = range(query);
    try (org.citytwin.history.arrow.ReadingArrowWriter writer =
        org.citytwin.history.arrow.ReadingArrowWriter.stream(out, allocator)) {
      writer.write(readings);
      if (readings.isEmpty()) {
        writer.writeEmpty();
      }
    }
  }

  /**
   * The buckets of {@code query} that hold readings, oldest first; see {@link Bucket}. Where raw
   * readings have already been rolled up by {@link #retain}, their minute aggregates answer
   * instead: each minute falls in the bucket its start falls in.
   */
  List<Bucket> buckets(BucketQuery query);

  /** Each thing's newest reading as of the query's instant, in the order the query names them. */
  List<Reading> latest(LatestQuery query);

  /** The fixes of a moving thing, oldest first. */
  List<TrackPoint> trajectory(TrajectoryQuery query);

  /**
   * Hands every reading of {@code query} to {@code batches}, a day at a time in time order, in
   * batches of at most {@link #EXPORT_BATCH_ROWS}; memory stays bounded however long the range.
   *
   * @return how many readings were handed over
   */
  long export(ExportQuery query, Consumer<List<Reading>> batches);

  /**
   * Rolls the numeric raw readings older than the policy keeps into minute aggregates and removes
   * the raw rows (stated values are removed without a trace), then removes aggregates older than
   * the policy keeps. Each day is its own transaction, so an interrupted pass loses nothing.
   */
  RetentionOutcome retain(RetentionPolicy policy, java.time.Instant now);

  /**
   * Rewrites each closed UTC day (one that ended at least {@link #DAY_CLOSES_AFTER} before {@code
   * now}, so the late readings of a device catching up after midnight are in) not rewritten yet,
   * with its samples ordered by series and time: appended as they arrive, a day's samples of one
   * device lie scattered among everyone else's, and reading one device's day means touching most of
   * the day's blocks; rewritten, they lie together. Late samples for a rewritten day are kept, only
   * not in that order.
   *
   * <p>Each closed day not summarised yet is then summarised into minute rows (count, min, max,
   * sum, last of its trusted numbers per series and minute), so that buckets of whole minutes read
   * 1,440 rows for a series' day instead of its 86,400 samples. A late reading of a summarised day
   * joins its summary in the transaction that appends it.
   *
   * @return how many days were rewritten
   */
  int compact(java.time.Instant now);

  /** How many readings the store holds. */
  long count();
}
