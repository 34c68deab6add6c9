package org.citytwin.api.http;

import java.util.List;
import org.citytwin.twin.TwinEvent;
import org.citytwin.twin.TwinEventBatch;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.json.JsonFactory;

/**
 * One message of Ditto Protocol twin events as the twin service published it (up to {@link
 * org.citytwin.twin.EventBusAddresses#EVENTS_PER_MESSAGE} events): read once for all the
 * subscribers it is handed to together, and not at all while nobody subscribes. What was read is
 * let go with {@link #release()}: a feed holds many messages, and read events weigh several times
 * their text.
 */
final class TwinMessage {

  /** An event as read, and the Ditto Protocol text it was read from. */
  record Event(TwinEvent event, String text) {}

  private final String body;
  // Read on first use and kept until released. Only the API's event loop touches it.
  private List<Event> read;
  private List<TwinEvent> events;
  private List<String> changedThings;
  private String everyEventChunk;

  TwinMessage(String body) {
    this.body = body;
  }

  /** A message the twin service read already: its events are not parsed again until released. */
  TwinMessage(TwinEventBatch batch) {
    this(batch.text());
    List<String> texts = batch.texts();
    List<Event> given = new java.util.ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      given.add(new Event(batch.events().get(i), texts.get(i)));
    }
    read = given;
  }

  /** The message a twin-events message body gives: a read batch, or the text alone. */
  static TwinMessage of(Object body) {
    return body instanceof TwinEventBatch batch
        ? new TwinMessage(batch)
        : new TwinMessage((String) body);
  }

  /** Roughly what the message takes in memory while held, in bytes (its text, mostly ASCII). */
  long weight() {
    return body.length();
  }

  /** Lets go of the events read, keeping only the text. */
  void release() {
    read = null;
    events = null;
    changedThings = null;
    everyEventChunk = null;
  }

  /**
   * Each event's body on the SSE stream (the changed part with the thing's id), in the order of
   * {@link #events()}: rendered once for all the message's subscribers, not once per subscriber.
   */
  List<String> changedThings() {
    if (changedThings == null) {
      changedThings = events().stream().map(event -> event.changedThing().toString()).toList();
    }
    return changedThings;
  }

  /**
   * Every event of the message as one SSE chunk, the last carrying {@code id}: what each subscriber
   * of the whole stream is sent, built once for all of them.
   */
  String everyEventChunk(String id) {
    if (everyEventChunk == null) {
      everyEventChunk = EventStream.chunk(changedThings(), java.util.Optional.of(id));
    }
    return everyEventChunk;
  }

  List<TwinEvent> events() {
    if (events == null) {
      events = withTexts().stream().map(Event::event).toList();
    }
    return events;
  }

  /** The events with their texts, for subscribers that forward the protocol text as it is. */
  List<Event> withTexts() {
    if (read == null) {
      read =
          TwinProtocol.eventsIn(body).stream()
              .flatMap(
                  text ->
                      TwinEvent.parse(JsonFactory.newObject(text))
                          .map(event -> new Event(event, text))
                          .stream())
              .toList();
    }
    return read;
  }
}
