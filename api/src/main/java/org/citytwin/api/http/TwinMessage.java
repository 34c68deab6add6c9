package org.citytwin.api.http;

import io.vertx.core.buffer.Buffer;
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

  private final List<String> texts;
  private final long weight;
  // Read on first use and kept until released. Only the API's event loop touches it.
  private List<Event> read;
  private List<TwinEvent> events;
  private List<String> changedThings;
  private Buffer everyEventChunk;

  private TwinMessage(List<String> texts) {
    this.texts = texts;
    this.weight = texts.stream().mapToLong(String::length).sum();
  }

  /** The message a twin-events message body gives: a read batch, or the text alone. */
  static TwinMessage of(Object body) {
    if (body instanceof TwinEventBatch batch) {
      // Read already by the twin service: not parsed again until released.
      TwinMessage message = new TwinMessage(batch.texts());
      List<Event> given = new java.util.ArrayList<>(batch.texts().size());
      for (int i = 0; i < batch.texts().size(); i++) {
        given.add(new Event(batch.events().get(i), batch.texts().get(i)));
      }
      message.read = given;
      return message;
    }
    return new TwinMessage(TwinProtocol.eventsIn((String) body));
  }

  /** Roughly what the message takes in memory while held, in bytes (its text, mostly ASCII). */
  long weight() {
    return weight;
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
   * of the whole stream is sent, built and encoded once for all of them. Written as text, the chunk
   * would be encoded to UTF-8 again for every subscriber; each write of this buffer reads a slice
   * of it, so the subscribers share its bytes.
   */
  Buffer everyEventChunk(String id) {
    if (everyEventChunk == null) {
      everyEventChunk =
          Buffer.buffer(EventStream.chunk(changedThings(), java.util.Optional.of(id)));
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
          texts.stream()
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
