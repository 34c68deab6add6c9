package org.citytwin.history;

import java.util.List;
import org.citytwin.twin.Reading;

/**
 * Durable, append-only storage of canonical readings; opened through {@link Storage}.
 * Implementations block on I/O: call them from worker threads only (the {@link HistoryVerticle}
 * does).
 */
public interface HistoryStore {

  /**
   * Appends the readings in one transaction; when this returns they survive a crash.
   *
   * @throws HistoryUnavailableException if they could not be committed (nothing was appended)
   */
  void append(List<Reading> readings);

  /** The readings matching {@code query}, oldest first. */
  List<Reading> range(RangeQuery query);

  /** The buckets of {@code query} that hold readings, oldest first; see {@link Bucket}. */
  List<Bucket> buckets(BucketQuery query);

  /** How many readings the store holds. */
  long count();
}
