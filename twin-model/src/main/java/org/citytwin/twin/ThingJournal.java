package org.citytwin.twin;

import java.util.List;
import org.eclipse.ditto.things.model.Thing;

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

  /** What recovery found: every thing as of the last committed change, and that change's number. */
  record Recovery(List<Thing> things, long lastSequence) {
    public Recovery {
      things = List.copyOf(things);
    }
  }

  /**
   * Every thing as of the last committed change: the latest snapshot with the journal after it
   * replayed through {@link ThingChanges}.
   */
  Recovery recover();

  /**
   * Stores {@code things} as the new snapshot and drops the journal entries it covers.
   *
   * @param things every thing as of the change numbered {@code coveredSequence}, and no later
   * @param coveredSequence the sequence number of the last change the snapshot includes
   */
  void snapshot(List<Thing> things, long coveredSequence);
}
