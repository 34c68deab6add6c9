package org.citytwin.sim;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rain cell crossing the district from west to east, again and again, flooding the streets
 * beneath it: each gauge reports, through the device HTTP endpoint with its own credentials, the
 * standing water the cell leaves at its position.
 *
 * <p>The depth field is the ground truth: {@link #depthCentimetres} is what each gauge should
 * report at any instant, so tests and scenario reports can compare citytwin's twins and incidents
 * with what really happened.
 */
public final class Rainstorm {

  /**
   * @param interval how often every gauge reports
   * @param crossing how long the cell takes to cross the district
   * @param peakDepthCentimetres the depth right under the cell's centre
   * @param radiusMetres the distance at which the depth falls to 1/e of the peak
   */
  public record Settings(
      Duration interval, Duration crossing, double peakDepthCentimetres, double radiusMetres) {

    /** A storm that shows every screen some flooding within a minute or two. */
    public static Settings demo() {
      return new Settings(Duration.ofSeconds(2), Duration.ofMinutes(6), 40, 2_500);
    }

    /** These settings with gauges reporting every {@code every}. */
    public Settings reportingEvery(Duration every) {
      return new Settings(every, crossing, peakDepthCentimetres, radiusMetres);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Rainstorm.class);

  private final Vertx vertx;
  private final WebClient client;
  private final List<SimDevice> gauges;
  private final Settings settings;
  private final Clock clock;
  private final StormField field;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private long timer = -1;

  public Rainstorm(
      Vertx vertx, String host, int port, List<SimDevice> gauges, Settings settings, Clock clock) {
    this.vertx = vertx;
    this.client =
        WebClient.create(vertx, new WebClientOptions().setDefaultHost(host).setDefaultPort(port));
    this.gauges = List.copyOf(gauges);
    this.settings = settings;
    this.clock = clock;
    this.field = new StormField(clock.instant(), settings);
  }

  public void start() {
    timer = vertx.setPeriodic(0, settings.interval().toMillis(), tick -> reportAll());
  }

  public void stop() {
    vertx.cancelTimer(timer);
    client.close();
  }

  public long acknowledged() {
    return acknowledged.get();
  }

  public long refused() {
    return refused.get();
  }

  /** The depth, in centimetres, the storm leaves at {@code gauge} at {@code at}. */
  public double depthCentimetres(SimDevice gauge, Instant at) {
    return field.depthCentimetres(gauge.location(), at);
  }

  private void reportAll() {
    if (inFlight.get() > 0) {
      // The server is behind: skip a round rather than pile up requests.
      return;
    }
    Instant now = clock.instant();
    for (SimDevice gauge : gauges) {
      inFlight.incrementAndGet();
      client
          .post("/telemetry")
          .basicAuthentication(gauge.username(), gauge.password())
          .sendJsonObject(
              new JsonObject()
                  .put("depth_cm", depthCentimetres(gauge, now))
                  .put("ts", now.toEpochMilli()))
          .onComplete(
              sent -> {
                inFlight.decrementAndGet();
                if (sent.succeeded() && sent.result().statusCode() == 202) {
                  acknowledged.incrementAndGet();
                } else {
                  refused.incrementAndGet();
                  LOG.warn(
                      "gauge {} not acknowledged: {}",
                      gauge.thingId(),
                      sent.succeeded()
                          ? sent.result().statusCode() + " " + sent.result().bodyAsString()
                          : sent.cause());
                }
              });
    }
  }
}
