package org.citytwin.sim;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rain cell crossing the district from west to east, again and again, flooding the streets
 * beneath it: each gauge reports, through the device HTTP endpoint with its own credentials, what
 * the cell does at its position. Waterlogging gauges report the standing water, river gauges the
 * river's stage (the river rises under the cell) and rain gauges the tips of their bucket.
 *
 * <p>The fields are the ground truth: {@link #depthCentimetres}, {@link #riverAboveWarningMetres}
 * and {@link #rainMillimetresPerHour} are what each gauge should report at any instant, so tests
 * and scenario reports can compare citytwin's twins and incidents with what really happened.
 */
public final class Rainstorm {

  /**
   * @param interval how often every waterlogging and river gauge reports
   * @param crossing how long the cell takes to cross the district
   * @param peakDepthCentimetres the depth right under the cell's centre
   * @param radiusMetres the distance at which the depth falls to 1/e of the peak
   * @param rainInterval how often rain gauges report: a bucket of 0.2 mm needs time to tip, so a
   *     report every few seconds would read as bursts of 0 and 360 mm/h
   */
  public record Settings(
      Duration interval,
      Duration crossing,
      double peakDepthCentimetres,
      double radiusMetres,
      Duration rainInterval) {

    public Settings {
      if (rainInterval.toSeconds() < 1) {
        throw new IllegalArgumentException("rain gauges report at most once a second");
      }
    }

    /** Settings with rain gauges reporting every 30 s, or every {@code interval} if longer. */
    public Settings(
        Duration interval, Duration crossing, double peakDepthCentimetres, double radiusMetres) {
      this(
          interval,
          crossing,
          peakDepthCentimetres,
          radiusMetres,
          interval.compareTo(DEFAULT_RAIN_INTERVAL) > 0 ? interval : DEFAULT_RAIN_INTERVAL);
    }

    /** A storm that shows every screen some flooding within a minute or two. */
    public static Settings demo() {
      return new Settings(Duration.ofSeconds(2), Duration.ofMinutes(6), 40, 2_500);
    }

    /** These settings with waterlogging and river gauges reporting every {@code every}. */
    public Settings reportingEvery(Duration every) {
      return new Settings(
          every,
          crossing,
          peakDepthCentimetres,
          radiusMetres,
          every.compareTo(rainInterval) > 0 ? every : rainInterval);
    }
  }

  private static final Set<String> REPORTED_FORMATS =
      Set.of(
          DemoDistrict.VENDOR_FORMAT,
          DemoDistrict.RIVER_GAUGE_FORMAT,
          DemoDistrict.RAIN_GAUGE_FORMAT);

  private static final Duration DEFAULT_RAIN_INTERVAL = Duration.ofSeconds(30);

  /** A tipping bucket empties every 0.2 mm (the {@code rain-tipping-bucket} format's tip). */
  private static final double MILLIMETRES_PER_TIP = 0.2;

  private static final Logger LOG = LoggerFactory.getLogger(Rainstorm.class);

  private final Vertx vertx;
  private final WebClient client;
  private final List<SimDevice> waterGauges;
  private final List<SimDevice> rainGauges;
  private final Settings settings;
  private final Clock clock;
  private final StormField field;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  /**
   * Rain that fell into each bucket since its last tip, carried to the next report. Only touched
   * from the rain timer, which always runs on the same event loop.
   */
  private final Map<String, Double> rainNotYetTipped = new HashMap<>();

  private long waterTimer = -1;
  private long rainTimer = -1;

  public Rainstorm(
      Vertx vertx, String host, int port, List<SimDevice> gauges, Settings settings, Clock clock) {
    this.vertx = vertx;
    this.client =
        WebClient.create(vertx, new WebClientOptions().setDefaultHost(host).setDefaultPort(port));
    for (SimDevice gauge : gauges) {
      if (!REPORTED_FORMATS.contains(gauge.vendorFormat())) {
        throw new IllegalArgumentException(
            "a rainstorm has nothing to report for "
                + gauge.thingId()
                + " in format "
                + gauge.vendorFormat());
      }
    }
    this.waterGauges =
        gauges.stream()
            .filter(g -> !g.vendorFormat().equals(DemoDistrict.RAIN_GAUGE_FORMAT))
            .toList();
    this.rainGauges =
        gauges.stream()
            .filter(g -> g.vendorFormat().equals(DemoDistrict.RAIN_GAUGE_FORMAT))
            .toList();
    this.settings = settings;
    this.clock = clock;
    this.field = new StormField(clock.instant(), settings);
  }

  public void start() {
    waterTimer = vertx.setPeriodic(0, settings.interval().toMillis(), tick -> reportWater());
    if (!rainGauges.isEmpty()) {
      rainTimer = vertx.setPeriodic(0, settings.rainInterval().toMillis(), tick -> reportRain());
    }
  }

  public void stop() {
    vertx.cancelTimer(waterTimer);
    vertx.cancelTimer(rainTimer);
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

  /**
   * How far, in metres, the river stands above its warning line at {@code gauge} at {@code at}
   * (negative: below it).
   */
  public double riverAboveWarningMetres(SimDevice gauge, Instant at) {
    return field.riverAboveWarningMetres(gauge.location(), at);
  }

  /** The rain, in mm/h, falling on {@code gauge} at {@code at}. */
  public double rainMillimetresPerHour(SimDevice gauge, Instant at) {
    return field.rainMillimetresPerHour(gauge.location(), at);
  }

  private void reportWater() {
    if (inFlight.get() > 0) {
      // The server is behind: skip a round rather than pile up requests.
      return;
    }
    Instant now = clock.instant();
    for (SimDevice gauge : waterGauges) {
      JsonObject payload =
          gauge.vendorFormat().equals(DemoDistrict.RIVER_GAUGE_FORMAT)
              ? new JsonObject().put("stage_mm", stageMillimetres(gauge, now))
              : new JsonObject().put("depth_cm", depthCentimetres(gauge, now));
      send(gauge, payload.put("ts", now.toEpochMilli()));
    }
  }

  /** The gauge's reading above its own zero: where the river stands, less the gauge's datum. */
  private long stageMillimetres(SimDevice gauge, Instant at) {
    double level =
        gauge.parameters().get(RiverLevels.WARNING_LEVEL) + riverAboveWarningMetres(gauge, at);
    return Math.round((level - gauge.parameters().get(RiverLevels.DATUM)) * 1000);
  }

  /**
   * Each rain gauge reports the whole tips that fell since its last report; what is left in the
   * bucket counts towards the next. The first report covers the interval before the storm started.
   */
  private void reportRain() {
    Instant now = clock.instant();
    long seconds = settings.rainInterval().toSeconds();
    for (SimDevice gauge : rainGauges) {
      double millimetres =
          rainMillimetresPerHour(gauge, now) * seconds / 3600.0
              + rainNotYetTipped.getOrDefault(gauge.deviceId(), 0.0);
      long tips = (long) Math.floor(millimetres / MILLIMETRES_PER_TIP);
      rainNotYetTipped.put(gauge.deviceId(), millimetres - tips * MILLIMETRES_PER_TIP);
      send(
          gauge,
          new JsonObject()
              .put("tips", tips)
              .put("interval_s", seconds)
              .put("ts", now.toEpochMilli()));
    }
  }

  private void send(SimDevice gauge, JsonObject payload) {
    inFlight.incrementAndGet();
    client
        .post("/telemetry")
        .basicAuthentication(gauge.username(), gauge.password())
        .sendJsonObject(payload)
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
