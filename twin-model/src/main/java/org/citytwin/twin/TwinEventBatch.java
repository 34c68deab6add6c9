package org.citytwin.twin;

import java.util.List;
import java.util.Objects;

/**
 * The events of one journal commit as the twin service publishes them on {@link
 * EventBusAddresses#TWIN_EVENTS} in its own process: their Ditto Protocol text and the same events
 * already read.
 *
 * <p>Why both: subscribers on the wire (WebSocket) forward the text as it is, while fusion and the
 * live feeds evaluate events. Reading each event back from its text (Ditto's JSON parser over the
 * thing's attributes, which every event carries in {@code extra}) cost fusion a third of the event
 * loops' time in the HTTP ingest benchmark; the twin service has the parts at hand (the attributes
 * are the twin's own immutable object). It is local only: it cannot cross a clustered event bus,
 * where the text alone serves.
 *
 * @param text the events as Ditto Protocol text, one per line, in the order of the changes
 * @param events the same events, read, in the same order: one per line of {@code text}
 */
public record TwinEventBatch(String text, List<TwinEvent> events) {

  public TwinEventBatch {
    Objects.requireNonNull(text, "text");
    events = List.copyOf(events);
  }

  /** Each event's text, in the order of {@link #events}. */
  public List<String> texts() {
    return TwinProtocol.eventsIn(text);
  }
}
