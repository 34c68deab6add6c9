package org.citytwin.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.citytwin.ingest.format.ChinaCoordinates;

/**
 * Everything one simulator run sends, tick by tick, deterministic from the seed and the start: a
 * rainstorm over the catchments (waterlogging gauges over HTTP and MQTT, rain gauges over HTTP),
 * muck trucks leaving sites (trackers sending their fixes two at a time in HTTP batches, in GCJ-02
 * as Chinese trackers do), the field scenarios, the sensor faults of {@link SensorFaults} in every
 * scenario but the rain gauges', and the transport faults the field sees: duplicates, out-of-order
 * and late readings, a gauge whose clock runs ahead, and spikes.
 *
 * @param district a {@link GeneratedDistrict}'s district
 * @param settings the scenario's timing, storm and fault share
 * @param start the first tick
 * @param seed chooses faults, sites and headings
 */
public record ScenarioPlan(District district, Settings settings, Instant start, long seed) {

  /**
   * @param length how long readings are sent
   * @param interval the tick: gauges and trackers report every tick
   * @param rainInterval how often rain gauges report (a tipping bucket needs time to tip)
   * @param storm the rain cell
   * @param faultyShare the share of each scenario's sensors with a sensor fault (waterlogging
   *     gauges, trackers, cameras, strain gauges, lamp controllers, PV payloads, water-quality
   *     stations)
   */
  public record Settings(
      Duration length,
      Duration interval,
      Duration rainInterval,
      Rainstorm.Settings storm,
      double faultyShare) {

    /** The CI run: two minutes, a storm crossing in 100 s, a tenth of the sensors faulty. */
    public static Settings ci() {
      return new Settings(
          Duration.ofSeconds(120),
          Duration.ofSeconds(2),
          Duration.ofSeconds(10),
          new Rainstorm.Settings(Duration.ofSeconds(2), Duration.ofSeconds(100), 40, 2_500),
          0.10);
    }

    /** These settings running for {@code length}. */
    public Settings lasting(Duration length) {
      return new Settings(length, interval, rainInterval, storm, faultyShare);
    }

    /** These settings with {@code faultyShare} of the sensors faulty. */
    public Settings withFaultyShare(double faultyShare) {
      return new Settings(length, interval, rainInterval, storm, faultyShare);
    }
  }

  /** How a send reaches the server. */
  public enum Transport {
    HTTP,
    HTTP_BATCH,
    MQTT
  }

  /** What the simulator did to a send on purpose, beyond any sensor fault. */
  public enum Fault {
    NONE,
    DUPLICATE,
    OUT_OF_ORDER,
    LATE,
    CLOCK_AHEAD,
    SPIKE
  }

  /**
   * One reading as its device sends it.
   *
   * @param payload the vendor payload
   * @param observedAt the time the payload states, after any clock fault
   * @param series the feature property its history is checked under ({@code waterlogging/depth}),
   *     or {@code position} for a tracker, checked as a trajectory
   */
  public record Reading(
      SimDevice device, JsonObject payload, Instant observedAt, String series, Fault fault) {}

  /** One request: a single reading, or a tracker's batch of its own readings. */
  public record Send(SimDevice device, Transport transport, List<Reading> readings) {
    public Send {
      readings = List.copyOf(readings);
    }
  }

  /** A send and the time it is due. */
  public record Timed(Instant at, Send send) {
    /** {@code reading} sent alone over {@code transport}, at the time it states. */
    public static Timed alone(Reading reading, Transport transport) {
      return new Timed(
          reading.observedAt(), new Send(reading.device(), transport, List.of(reading)));
    }
  }

  /** How far ahead the skewed gauge's clock runs: past the 5 minutes ingest tolerates. */
  public static final Duration CLOCK_AHEAD = Duration.ofMinutes(6);

  /** How old a late reading is when it arrives: past the 10 minutes ingest calls late. */
  public static final Duration LATE_BY = Duration.ofMinutes(12);

  /** The standing water at a gauge that makes its catchment a flood case, in centimetres. */
  public static final double FLOOD_DEPTH_CENTIMETRES = 15;

  /** What a spike adds to a gauge's depth, in centimetres. */
  public static final double SPIKE_CENTIMETRES = 150;

  public FloodScenario flood() {
    return new FloodScenario(
        district,
        new StormField(start, settings.storm()),
        start,
        settings.length(),
        settings.faultyShare(),
        seed);
  }

  public MuckTruckScenario muckTrucks() {
    return new MuckTruckScenario(
        district, start, settings.length(), settings.interval(), seed, settings.faultyShare());
  }

  /**
   * The scenarios of everyday devices: embankments, bridges, lamp posts, PV farms and water
   * quality.
   */
  public List<FieldScenario> fieldScenarios() {
    Duration length = settings.length();
    Duration interval = settings.interval();
    double faulty = settings.faultyShare();
    return List.of(
        new EmbankmentIntrusionScenario(district, start, length, interval, seed, faulty),
        new BridgeLoadScenario(district, start, length, interval, seed, faulty),
        new LampOutageScenario(district, start, length, interval, seed, faulty),
        new PvPatrolScenario(district, start, length, interval, seed, faulty),
        new WaterPollutionScenario(district, start, length, interval, seed, faulty));
  }

  /** The sensors that fail in each scenario, by the scenario's name in the report. */
  public Map<String, SensorFaults> sensorFaults() {
    Map<String, SensorFaults> faults = new TreeMap<>();
    faults.put("flood", flood().faults());
    faults.put("muck-truck", muckTrucks().faults());
    fieldScenarios().forEach(scenario -> faults.put(scenario.name(), scenario.faults()));
    return faults;
  }

  /** The incidents every scenario of the run should raise, the storm's and the trucks' first. */
  public List<ExpectedIncidents> expected() {
    Map<String, ExpectedIncidents.Case> floods = new TreeMap<>();
    flood()
        .floodedWhereSeen(FLOOD_DEPTH_CENTIMETRES)
        .forEach((catchment, at) -> floods.put(catchment, ExpectedIncidents.Case.at(at)));
    // A case is seen when its tracker sends a true fix from outside the site: a tracker that froze
    // or fell silent at the site never shows the truck leaving.
    MuckTruckScenario muckTrucks = muckTrucks();
    SensorFaults trackerFaults = muckTrucks.faults();
    Map<SimDevice, List<Reading>> fixes = trackerReadings(muckTrucks);
    Map<String, Set<Instant>> sent = new HashMap<>();
    truckBatches(trackerFaults, fixes)
        .forEach(
            batch ->
                batch
                    .send()
                    .readings()
                    .forEach(
                        fix ->
                            sent.computeIfAbsent(fix.device().deviceId(), id -> new HashSet<>())
                                .add(fix.observedAt())));
    Map<String, ExpectedIncidents.Case> trucks = new TreeMap<>();
    muckTrucks.runs().stream()
        .filter(MuckTruckScenario.Run::isCase)
        .filter(
            run ->
                trackerFaults
                    .seen(run.tracker(), fixes.getOrDefault(run.tracker(), List.of()))
                    .stream()
                    .anyMatch(
                        fix ->
                            !fix.observedAt().isBefore(run.leavesAt())
                                && sent.getOrDefault(run.tracker().deviceId(), Set.of())
                                    .contains(fix.observedAt())))
        .forEach(run -> trucks.put(run.vehicle(), ExpectedIncidents.Case.at(run.leavesAt())));
    List<ExpectedIncidents> expected = new ArrayList<>();
    expected.add(new ExpectedIncidents("flood", "flood", ExpectedIncidents.CaseKey.SCOPE, floods));
    expected.add(
        new ExpectedIncidents(
            "muck-truck", "muck-truck", ExpectedIncidents.CaseKey.VEHICLE, trucks));
    fieldScenarios().forEach(scenario -> expected.add(scenario.expected()));
    return expected;
  }

  /** Every send, by tick, in the order they are made within the tick. */
  public NavigableMap<Instant, List<Send>> sends() {
    NavigableMap<Instant, List<Send>> ticks = new TreeMap<>();
    FloodScenario flood = flood();
    List<SimDevice> gauges = flood.gauges();
    Set<String> faulty = flood.faults().failures().keySet();
    List<SimDevice> healthy =
        gauges.stream().filter(g -> !faulty.contains(g.deviceId())).collect(Collectors.toList());
    // Transport faults go to healthy gauges, one fault each, so that each can be told apart.
    java.util.Collections.shuffle(healthy, new java.util.Random(seed));
    Map<String, Fault> faultOf = new HashMap<>();
    Fault[] transportFaults = {
      Fault.DUPLICATE,
      Fault.DUPLICATE,
      Fault.OUT_OF_ORDER,
      Fault.LATE,
      Fault.CLOCK_AHEAD,
      Fault.SPIKE
    };
    for (int i = 0; i < Math.min(transportFaults.length, healthy.size()); i++) {
      faultOf.put(healthy.get(i).deviceId(), transportFaults[i]);
    }
    int ticksInRun = (int) (settings.length().toMillis() / settings.interval().toMillis());
    int faultTick = ticksInRun / 3;
    Map<String, Integer> tickOfGauge = new HashMap<>();
    for (FloodScenario.Report report : flood.reports()) {
      SimDevice gauge = report.gauge();
      int tick = tickOfGauge.merge(gauge.deviceId(), 1, Integer::sum) - 1;
      Transport transport = gauges.indexOf(gauge) % 2 == 0 ? Transport.HTTP : Transport.MQTT;
      Fault fault = faultOf.getOrDefault(gauge.deviceId(), Fault.NONE);
      Instant stated = fault == Fault.CLOCK_AHEAD ? report.at().plus(CLOCK_AHEAD) : report.at();
      double depth = report.depthCentimetres();
      if (fault == Fault.SPIKE && tick == faultTick) {
        depth += SPIKE_CENTIMETRES;
      }
      Fault marked =
          fault == Fault.CLOCK_AHEAD || (fault == Fault.SPIKE && tick == faultTick)
              ? fault
              : Fault.NONE;
      Reading reading = gaugeReading(gauge, stated, depth, marked);
      if (fault == Fault.LATE && tick == 0) {
        // A gauge catching up after an outage: its reading from before the run comes first.
        Reading late = gaugeReading(gauge, report.at().minus(LATE_BY), depth, Fault.LATE);
        add(ticks, report.at(), new Send(gauge, transport, List.of(late)));
      }
      if (fault == Fault.OUT_OF_ORDER && tick == faultTick) {
        // Held back two ticks: it arrives after a newer reading of the same gauge.
        Reading held =
            new Reading(gauge, reading.payload(), stated, reading.series(), Fault.OUT_OF_ORDER);
        add(
            ticks,
            report.at().plus(settings.interval().multipliedBy(2)),
            new Send(gauge, transport, List.of(held)));
        continue;
      }
      add(ticks, report.at(), new Send(gauge, transport, List.of(reading)));
      if (fault == Fault.DUPLICATE && tick % 10 == 5) {
        // The device missed the acknowledgement and sends the same reading again.
        add(
            ticks,
            report.at().plus(settings.interval().dividedBy(2)),
            new Send(
                gauge,
                transport,
                List.of(
                    new Reading(
                        gauge, reading.payload(), stated, reading.series(), Fault.DUPLICATE))));
      }
    }
    rain(ticks, flood.storm());
    MuckTruckScenario muckTrucks = muckTrucks();
    truckBatches(muckTrucks.faults(), trackerReadings(muckTrucks))
        .forEach(batch -> add(ticks, batch.at(), batch.send()));
    for (FieldScenario scenario : fieldScenarios()) {
      scenario.sends().forEach(timed -> add(ticks, timed.at(), timed.send()));
    }
    return ticks;
  }

  private static Reading gaugeReading(SimDevice gauge, Instant at, double depth, Fault fault) {
    return new Reading(
        gauge,
        new JsonObject()
            .put("depth_cm", Math.round(depth * 10) / 10.0)
            .put("ts", at.toEpochMilli()),
        at,
        "waterlogging/depth",
        fault);
  }

  /**
   * Rain gauges count the tips of their bucket (0.2 mm each) over each report interval; the part of
   * a tip not yet fallen carries over to the next report.
   */
  private void rain(NavigableMap<Instant, List<Send>> ticks, StormField storm) {
    List<SimDevice> rainGauges =
        district.devices().stream().filter(d -> d.kind().equals("rain-gauge")).toList();
    Map<String, Double> carried = new HashMap<>();
    double seconds = settings.rainInterval().toSeconds();
    for (Instant at = start.plus(settings.rainInterval());
        !at.isAfter(start.plus(settings.length()));
        at = at.plus(settings.rainInterval())) {
      for (SimDevice gauge : rainGauges) {
        double millimetres =
            storm.rainMillimetresPerHour(gauge.location(), at) * seconds / 3600
                + carried.getOrDefault(gauge.deviceId(), 0.0);
        int tips = (int) Math.floor(millimetres / 0.2);
        carried.put(gauge.deviceId(), millimetres - tips * 0.2);
        add(
            ticks,
            at,
            new Send(
                gauge,
                Transport.HTTP,
                List.of(
                    new Reading(
                        gauge,
                        new JsonObject()
                            .put("tips", tips)
                            .put("interval_s", (int) seconds)
                            .put("ts", at.toEpochMilli()),
                        at,
                        "rain/intensity",
                        Fault.NONE))));
      }
    }
  }

  private static final double METRES_PER_DEGREE_LATITUDE = 111_320;

  /** A tracker's fix frozen or drifting: the time is {@code gpsTime}, the position GCJ-02. */
  private static final SensorFaults.Failing TRACKER_FAILING =
      new SensorFaults.PayloadFields(
          "gpsTime",
          Instant::toEpochMilli,
          "lat",
          (latitude, minutes) ->
              latitude
                  + MuckTruckScenario.DRIFT_METRES_PER_MINUTE
                      * minutes
                      / METRES_PER_DEGREE_LATITUDE);

  /** Every fix each tracker takes, as it would report it if it worked, in time order. */
  private static Map<SimDevice, List<Reading>> trackerReadings(MuckTruckScenario muckTrucks) {
    Map<SimDevice, List<Reading>> readings = new LinkedHashMap<>();
    for (MuckTruckScenario.Fix fix : muckTrucks.fixes()) {
      double[] gcj =
          ChinaCoordinates.wgs84ToGcj02(fix.position().longitude(), fix.position().latitude());
      readings
          .computeIfAbsent(fix.tracker(), tracker -> new ArrayList<>())
          .add(
              new Reading(
                  fix.tracker(),
                  new JsonObject()
                      .put("lng", gcj[0])
                      .put("lat", gcj[1])
                      .put("speed", Math.round(fix.speedKmh() * 10) / 10.0)
                      .put("direction", Math.round(fix.heading()))
                      .put("gpsTime", fix.at().toEpochMilli()),
                  fix.at(),
                  "position",
                  Fault.NONE));
    }
    return readings;
  }

  /**
   * The trackers' sends of {@code fixes} (see {@link #trackerReadings}), some failing as {@code
   * faults} say: each keeps the fixes it sends and sends two at a time, as one batch of its own
   * readings.
   */
  private static List<Timed> truckBatches(
      SensorFaults faults, Map<SimDevice, List<Reading>> fixes) {
    List<Timed> batches = new ArrayList<>();
    fixes.forEach(
        (tracker, truth) -> {
          List<Reading> sent = faults.asSent(tracker, truth, TRACKER_FAILING);
          for (int i = 0; i + 1 < sent.size(); i += 2) {
            batches.add(
                new Timed(
                    sent.get(i + 1).observedAt(),
                    new Send(tracker, Transport.HTTP_BATCH, sent.subList(i, i + 2))));
          }
        });
    return batches;
  }

  private static void add(NavigableMap<Instant, List<Send>> ticks, Instant at, Send send) {
    ticks.computeIfAbsent(at, t -> new ArrayList<>()).add(send);
  }

  /** The body of a tracker's batch: its own readings, {@code device} left out. */
  public static JsonArray batchBody(Send send) {
    JsonArray items = new JsonArray();
    send.readings()
        .forEach(reading -> items.add(new JsonObject().put("payload", reading.payload())));
    return items;
  }
}
