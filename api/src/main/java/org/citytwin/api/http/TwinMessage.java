package org.citytwin.api.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 *
 * <p>Released, a message keeps its text outside the Java heap until {@link #discard()}. Why: the
 * feed holds the last several seconds of events for subscribers that resume (64 MiB of text at
 * 20,000 readings a second), each text lives longer than the young collections between, and G1
 * copied every one of them from survivor space to survivor space until it was old enough to
 * promote: at 20,000 readings a second the young pauses were 45 ms at the median and up to 90 ms,
 * against 19 ms and 34 ms with a feed holding a megabyte. Held as bytes in a pooled direct buffer,
 * the texts cost the collector one small object per message.
 *
 * <p>Only the API's event loop touches a message: the feed, its subscribers and their replays.
 */
final class TwinMessage {

  /** An event as read, and the Ditto Protocol text it was read from. */
  record Event(TwinEvent event, String text) {}

  // The texts while the message is fresh; null once released, when held holds them.
  private List<String> texts;
  private HeldTexts held;
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

  /**
   * The texts as UTF-8 in one pooled direct buffer, each ending where {@code ends} says. Freed by
   * {@link #free()}, after which reading them fails rather than reading reused memory.
   */
  private record HeldTexts(ByteBuf bytes, int[] ends) {

    static HeldTexts of(List<String> texts) {
      int[] ends = new int[texts.size()];
      ByteBuf bytes = PooledByteBufAllocator.DEFAULT.directBuffer(estimate(texts));
      for (int i = 0; i < texts.size(); i++) {
        bytes.writeCharSequence(texts.get(i), StandardCharsets.UTF_8);
        ends[i] = bytes.writerIndex();
      }
      return new HeldTexts(bytes, ends);
    }

    private static int estimate(List<String> texts) {
      long length = 0;
      for (String text : texts) {
        length += text.length();
      }
      // Mostly ASCII: one byte a character, and room to grow when it is not.
      return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(16, length));
    }

    List<String> texts() {
      List<String> texts = new ArrayList<>(ends.length);
      int start = 0;
      for (int end : ends) {
        texts.add(bytes.toString(start, end - start, StandardCharsets.UTF_8));
        start = end;
      }
      return texts;
    }

    void free() {
      bytes.release();
    }
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

  /** Lets go of the events read, keeping only the text, outside the heap. */
  void release() {
    read = null;
    events = null;
    changedThings = null;
    everyEventChunk = null;
    if (texts != null && held == null) {
      held = HeldTexts.of(texts);
      texts = null;
    }
  }

  /**
   * Frees the text held outside the heap: called once the feed no longer holds the message. The
   * message must not be used afterwards.
   */
  void discard() {
    release();
    if (held != null) {
      held.free();
      held = null;
    }
  }

  private List<String> texts() {
    if (texts != null) {
      return texts;
    }
    if (held == null) {
      throw new IllegalStateException("a twin message was used after the feed let it go");
    }
    return held.texts();
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
          texts().stream()
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
