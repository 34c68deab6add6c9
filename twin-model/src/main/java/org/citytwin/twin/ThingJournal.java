package org.citytwin.twin;

import java.util.List;

/**
 * Where twin changes are made durable: an append-only journal of {@link ThingChange}s plus
 * snapshots that let recovery skip the journal's older part. Implementations block on I/O; call
 * them from worker threads only.
 */
public interface ThingJournal {

  /**
   * Appends the changes in one transaction, in order; when this returns they survive a crash.
   *
   * @return the sequence number of the last change: numbers grow by one per change
   * @throws RuntimeException if they could not be committed (none was)
   */
  long append(List<ThingChange> changes);

  /**
   * What recovery found: every twin as of the last committed change (those the journal did not
   * change since the snapshot held as their JSON, see {@link Twin#ofJson}), and that change's
   * number.
   */
  record Recovery(List<Twin> twins, long lastSequence) {
    public Recovery {
      twins = List.copyOf(twins);
    }
  }

  /**
   * Every thing as of the last committed change: the latest snapshot with the journal after it
   * replayed through {@link ThingChanges}.
   */
  Recovery recover();

  /**
   * Stores {@code twins} as the new snapshot and drops the journal entries it covers.
   *
   * @param twins every twin as of the change numbered {@code coveredSequence}, and no later
   * @param coveredSequence the sequence number of the last change the snapshot includes
   */
  void snapshot(List<Twin> twins, long coveredSequence);
}
