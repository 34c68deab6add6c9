package org.citytwin.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.citytwin.twin.EventBusAddresses;

/**
 * The API's live streams, each a numbered {@link ChangeFeed} filled from the event bus: twin events
 * for {@code GET /api/2/things} and incidents for {@code GET /api/incidents}, both with {@code
 * Accept: text/event-stream}.
 *
 * <p>The twin feed holds the last {@value #TWIN_MESSAGES_HELD} messages, and no more than {@value
 * #TWIN_TEXT_HELD} characters of them (a message carries up to a thousand events): at the design
 * district's average rate (34,000 devices, most reporting every one to five minutes, a few hundred
 * events a second of some 300 characters each) that is several minutes of changes, enough for a
 * screen to ride out a network break; at 20,000 readings a second it is about ten seconds, after
 * which a resuming screen reloads state instead.
 */
public final class LiveFeeds {

  static final int TWIN_MESSAGES_HELD = 32_768;
  static final long TWIN_TEXT_HELD = 64L * 1024 * 1024;
  static final int INCIDENTS_HELD = 4_096;

  final ChangeFeed<TwinMessage> twins =
      new ChangeFeed<>(
          TWIN_MESSAGES_HELD, TWIN_TEXT_HELD, TwinMessage::weight, TwinMessage::discard);
  final ChangeFeed<JsonObject> incidents = new ChangeFeed<>(INCIDENTS_HELD);

  private LiveFeeds() {}

  /**
   * Feeds that fill from now on. Call on the event loop that serves the subscribers (the API
   * verticle's start): a feed is used from that loop only.
   */
  public static LiveFeeds listen(Vertx vertx) {
    LiveFeeds feeds = new LiveFeeds();
    vertx
        .eventBus()
        .consumer(
            EventBusAddresses.TWIN_EVENTS,
            message -> {
              TwinMessage twinMessage = TwinMessage.of(message.body());
              feeds.twins.publish(twinMessage);
              // Read once for this message's subscribers; the feed keeps only the text.
              twinMessage.release();
            });
    vertx
        .eventBus()
        .<JsonObject>consumer(
            EventBusAddresses.INCIDENT_EVENTS, message -> feeds.incidents.publish(message.body()));
    return feeds;
  }

  /** Lets go of every change held; call when the API stops. */
  public void close() {
    twins.close();
    incidents.close();
  }
}
