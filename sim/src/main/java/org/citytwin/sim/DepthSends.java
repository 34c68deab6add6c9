package org.citytwin.sim;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.ditto.things.model.ThingId;

/**
 * Waterlogging depths sent and not yet seen on their twin: a driver notes each send, and the twin
 * stream's change carrying the same gauge and depth tells how long the reading took to arrive. A
 * later send of the same depth replaces the earlier, so a repeated value is timed from its last
 * send.
 */
final class DepthSends {

  private final Map<String, Long> sentNanos = new ConcurrentHashMap<>();

  /** Notes that {@code gauge} was sent {@code depthCentimetres} at {@code nanos}. */
  void sent(ThingId gauge, double depthCentimetres, long nanos) {
    sentNanos.put(gauge + "|" + depthCentimetres / 100, nanos);
  }

  /** How long after its send the depth in {@code change} arrived, if it is one that was sent. */
  OptionalLong seen(JsonObject change, long nowNanos) {
    Object depth =
        change
            .getJsonObject("features", new JsonObject())
            .getJsonObject("waterlogging", new JsonObject())
            .getJsonObject("properties", new JsonObject())
            .getValue("depth");
    if (!(depth instanceof Number number)) {
      return OptionalLong.empty();
    }
    Long sent = sentNanos.remove(change.getString("thingId") + "|" + number.doubleValue());
    return sent == null ? OptionalLong.empty() : OptionalLong.of(nowNanos - sent);
  }
}
