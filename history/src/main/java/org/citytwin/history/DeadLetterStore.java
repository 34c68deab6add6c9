package org.citytwin.history;

import java.util.List;

/**
 * The dead-letter table: refused payloads with their reasons, bounded to the newest {@link
 * #capacity()} so that a device flooding garbage cannot fill the disk.
 */
public interface DeadLetterStore {

  /**
   * Stores {@code letters} and drops the oldest beyond capacity, in one transaction.
   *
   * @throws HistoryUnavailableException if the database refuses
   */
  void append(List<DeadLetter> letters);

  /** The newest letters first, at most {@code limit}. */
  List<DeadLetter> latest(int limit);

  /** How many letters are kept at most. */
  int capacity();
}
