package org.citytwin.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One server-sent-events response: the headers, a comment every {@value #KEEP_ALIVE_MILLIS} ms so
 * that proxies keep an idle stream open, and events with ids. A subscriber that cannot keep up is
 * disconnected with a reason rather than buffered without bound; it reconnects with its {@code
 * Last-Event-ID} and is told what it missed.
 */
final class EventStream {

  /** Sent on idle streams so that proxies and browsers keep them open. */
  private static final long KEEP_ALIVE_MILLIS = 25_000;

  /** The event that tells a resuming subscriber its changes are gone and to read state again. */
  static final String RESYNC_EVENT = "resync";

  private final HttpServerResponse response;
  private final Runnable droppedTooSlow;

  private EventStream(HttpServerResponse response, Runnable droppedTooSlow) {
    this.response = response;
    this.droppedTooSlow = droppedTooSlow;
  }

  /**
   * Starts the stream on {@code context}'s response; {@code closed} runs once when it ends, whoever
   * ends it, and {@code droppedTooSlow} when the stream ends it for a subscriber not keeping up.
   */
  private static EventStream open(
      Vertx vertx, RoutingContext context, Runnable droppedTooSlow, Runnable closed) {
    HttpServerResponse response = context.response();
    response
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    // An initial comment sends the headers now, so the client knows it is subscribed.
    response.write(":subscribed\n\n");
    long keepAlive = vertx.setPeriodic(KEEP_ALIVE_MILLIS, tick -> response.write(":\n\n"));
    Runnable once =
        new Runnable() {
          private boolean ran;

          @Override
          public void run() {
            if (!ran) {
              ran = true;
              vertx.cancelTimer(keepAlive);
              closed.run();
            }
          }
        };
    response.closeHandler(ignored -> once.run());
    response.endHandler(ignored -> once.run());
    return new EventStream(response, droppedTooSlow);
  }

  /**
   * Opens a stream on {@code context} that follows {@code feed}: first what the subscriber missed
   * after its {@code Last-Event-ID} (or {@code resync} when that is gone), then every change as it
   * is published, until the subscriber leaves.
   *
   * @param deliver sends one change on the stream, or not, as the subscriber's filters decide
   * @param afterReplay runs on each replayed change once it was delivered
   */
  static <T> void follow(
      Vertx vertx,
      RoutingContext context,
      ChangeFeed<T> feed,
      BiConsumer<EventStream, ChangeFeed.Change<T>> deliver,
      Consumer<T> afterReplay) {
    Optional<String> resumeAfter = lastEventId(context);
    Runnable[] stopListening = {() -> {}};
    EventStream stream =
        open(vertx, context, feed::countDroppedTooSlow, () -> stopListening[0].run());
    resumeAfter.ifPresent(
        lastSeen ->
            feed.since(lastSeen)
                .ifPresentOrElse(
                    missed ->
                        missed.forEach(
                            change -> {
                              deliver.accept(stream, change);
                              afterReplay.accept(change.item());
                            }),
                    stream::sendResync));
    if (stream.isOpen()) {
      stopListening[0] = feed.listen(change -> deliver.accept(stream, change));
    }
  }

  /** The id the subscriber last saw, when it is resuming: the header, or the query parameter. */
  static Optional<String> lastEventId(RoutingContext context) {
    String header = context.request().getHeader("Last-Event-ID");
    if (header == null || header.isBlank()) {
      header = context.request().getParam("lastEventId");
    }
    return Optional.ofNullable(header).map(String::trim).filter(id -> !id.isEmpty());
  }

  boolean isOpen() {
    return !response.ended() && !response.closed();
  }

  /**
   * Sends one event; {@code id} and {@code name} are left out when empty. Data must be one line
   * (JSON as encoded here is).
   */
  void send(Optional<String> id, Optional<String> name, String data) {
    if (!isOpen()) {
      return;
    }
    if (response.writeQueueFull()) {
      dropTooSlow();
      return;
    }
    StringBuilder event = new StringBuilder(data.length() + 48);
    name.ifPresent(n -> event.append("event: ").append(n).append('\n'));
    id.ifPresent(i -> event.append("id: ").append(i).append('\n'));
    event.append("data: ").append(data).append("\n\n");
    response.write(event.toString());
  }

  /**
   * Sends several events in one write, the last with {@code lastId}: one write per published
   * message rather than one per event, which would cost a system call each and, with tens of
   * subscribers, leave the event loop writing instead of reading.
   */
  void sendAll(List<String> data, Optional<String> lastId) {
    if (!data.isEmpty()) {
      sendChunk(Buffer.buffer(chunk(data, lastId)));
    }
  }

  /**
   * Sends events already rendered by {@link #chunk} and encoded, shared by many subscribers: the
   * response writes a slice of the buffer and leaves its bytes as they are.
   */
  void sendChunk(Buffer chunk) {
    if (!isOpen()) {
      return;
    }
    if (response.writeQueueFull()) {
      dropTooSlow();
      return;
    }
    response.write(chunk);
  }

  private void dropTooSlow() {
    droppedTooSlow.run();
    response.end(":dropped: subscriber too slow; reconnect with Last-Event-ID\n\n");
  }

  /** Events as SSE text, the last with {@code lastId}. */
  static String chunk(List<String> data, Optional<String> lastId) {
    int length = 0;
    for (String event : data) {
      length += event.length() + 10;
    }
    StringBuilder events = new StringBuilder(length + 48);
    for (int i = 0; i < data.size(); i++) {
      if (i == data.size() - 1) {
        lastId.ifPresent(id -> events.append("id: ").append(id).append('\n'));
      }
      events.append("data: ").append(data.get(i)).append("\n\n");
    }
    return events.toString();
  }

  /** Tells a resuming subscriber that what it missed is gone: it must read current state. */
  void sendResync() {
    send(Optional.empty(), Optional.of(RESYNC_EVENT), "{}");
  }
}
