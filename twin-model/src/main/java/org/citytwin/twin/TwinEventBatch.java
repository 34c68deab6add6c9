package org.citytwin.twin;

import java.util.List;

/**
 * The events of one journal commit as the twin service publishes them on {@link
 * EventBusAddresses#TWIN_EVENTS} in its own process: each event's Ditto Protocol text and the same
 * event already read.
 *
 * <p>Why both: subscribers on the wire (WebSocket) forward the text as it is, while fusion and the
 * live feeds evaluate events. Reading each event back from its text (Ditto's JSON parser over the
 * thing's attributes, which every event carries in {@code extra}) cost fusion a third of the event
 * loops' time in the HTTP ingest benchmark; the twin service has the parts at hand (the attributes
 * are the twin's own immutable object). It is local only: it cannot cross a clustered event bus,
 * where the text alone serves (the events one per line, split with {@link TwinProtocol#eventsIn}).
 *
 * @param texts each event as Ditto Protocol text, on one line, in the order of the changes
 * @param events the same events, read, in the same order
 */
public record TwinEventBatch(List<String> texts, List<TwinEvent> events) {

  public TwinEventBatch {
    texts = List.copyOf(texts);
    events = List.copyOf(events);
    if (texts.size() != events.size()) {
      throw new IllegalArgumentException(
          texts.size() + " event texts for " + events.size() + " events read");
    }
  }
}
