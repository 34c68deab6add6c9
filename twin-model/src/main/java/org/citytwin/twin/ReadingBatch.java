package org.citytwin.twin;

import java.util.List;

/**
 * Readings sent to history together as objects rather than as JSON: the form in-process senders
 * (ingest) use for {@link EventBusAddresses#HISTORY_APPEND}.
 *
 * <p>Why a second form: in the JSON form each reading became a map of texts, the event bus copied
 * the whole object tree, and history read every reading back (its thing id validated again, its
 * time parsed): a sixth of an MQTT reading's cost on the event loop. Readings are immutable, so a
 * batch crosses the event bus once, by reference. It is local only: it cannot cross a clustered
 * event bus, where the JSON form still serves.
 *
 * @param readings the readings, committed together and in this order
 */
public record ReadingBatch(List<Reading> readings) {

  public ReadingBatch {
    readings = List.copyOf(readings);
  }
}
