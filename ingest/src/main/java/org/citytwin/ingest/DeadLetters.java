package org.citytwin.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import org.citytwin.twin.EventBusAddresses;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;

/**
 * Reports refused payloads to the dead-letter table ({@link EventBusAddresses#DEAD_LETTERS}), with
 * the reason, so an operator can see what a vendor actually sent. Refusals that carry no payload
 * worth keeping (failed sign-ins, storage behind) are not reported.
 */
public final class DeadLetters {

  /** Payload text kept per letter; longer payloads are cut. */
  static final int MAX_PAYLOAD_CHARS = 64 * 1024;

  private final Vertx vertx;
  private final Clock clock;

  public DeadLetters(Vertx vertx, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  /**
   * @param source how it came: {@code http}, {@code mqtt}, {@code mqtt-bridge}
   * @param place the device, topic or path it came for
   */
  public void report(String source, String place, Throwable reason, String payload) {
    String error =
        reason instanceof DittoRuntimeException ditto ? ditto.getErrorCode() : "internal";
    if (error.equals(IngestErrors.UNAUTHENTICATED.code())
        || error.equals(IngestErrors.OVERLOADED.code())
        || error.equals(IngestErrors.HISTORY_UNAVAILABLE.code())) {
      return;
    }
    String text = payload == null ? "" : payload;
    vertx
        .eventBus()
        .publish(
            EventBusAddresses.DEAD_LETTERS,
            new JsonObject()
                .put("receivedAt", clock.instant().toString())
                .put("source", source)
                .put("place", place)
                .put("error", error)
                .put("message", String.valueOf(reason.getMessage()))
                .put(
                    "payload",
                    text.length() > MAX_PAYLOAD_CHARS
                        ? text.substring(0, MAX_PAYLOAD_CHARS)
                        : text));
  }
}
