package org.citytwin.sim;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.citytwin.fusion.Zone;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.ingest.VendorFormats;

/**
 * Lamp posts going dark: every lamp controller reports its lamp on, dimmed to full, drawing about
 * 100 W, every thirty ticks (each on its own schedule), over MQTT as NB-IoT controllers do. On a
 * quarter of the roads (at least one) a feeder fault takes four lamps dark one after another (alarm
 * {@code E01}: switched on, drawing nothing); on two other roads for each of those, one or two
 * lamps fail alone, which is routine maintenance and no incident.
 *
 * <p>A share of the controllers fail ({@link SensorFaults}): a stuck one repeats its last report,
 * so a lamp that goes dark after it froze still reads as lit; a drifting one's power reading sinks
 * {@value #POWER_DRIFT_PER_MINUTE} W a minute.
 *
 * <p>Truth: one incident per faulty road, from its third dark lamp whose controller still worked
 * when it went dark. Only lamps that stand on exactly one road fail, so that a lamp at a crossing
 * cannot count for two roads.
 *
 * @param district a {@link GeneratedDistrict}'s district
 * @param start the first tick
 * @param length how long the run sends
 * @param interval the tick
 * @param seed chooses the roads, the lamps and the faulty controllers
 * @param faultyShare the share of controllers that fail, 0 to 1
 */
public record LampOutageScenario(
    District district,
    Instant start,
    Duration length,
    Duration interval,
    long seed,
    double faultyShare)
    implements FieldScenario {

  public static final String CONTROLLER_KIND = "lamp-controller";

  /** How many lamps on one road make the rule's cluster. */
  static final int CLUSTER = 3;

  /** How many lamps a feeder fault takes dark. */
  static final int DARK_ON_FAULTY_ROAD = 4;

  /** How many ticks between two of a controller's status reports. */
  static final int REPORT_EVERY = 30;

  /** How many ticks apart the lamps of one road go dark. */
  static final int DARK_EVERY = 3;

  /** The lamp controller's own time format: local time, no zone. */
  private static final DateTimeFormatter VENDOR_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  /** How fast a drifting controller's power reading sinks, in watts a minute (6 an hour). */
  public static final double POWER_DRIFT_PER_MINUTE = 0.1;

  /**
   * A controller's report frozen or drifting: the time is {@code time}, the power {@code power}.
   */
  private static final SensorFaults.Failing FAILING =
      new SensorFaults.PayloadFields(
          "time",
          LampOutageScenario::vendorTime,
          "power",
          (power, minutes) ->
              Math.round(Math.max(0, power - POWER_DRIFT_PER_MINUTE * minutes) * 10) / 10.0);

  /** The lamps that go dark on one road, and when each does. */
  record RoadFault(String road, List<SimDevice> lamps, List<Instant> darkAt) {}

  /** The roads whose lamps go dark: the faulty ones first, then the ones with lone failures. */
  List<RoadFault> roadFaults() {
    ZoneIndex zones = ZoneIndex.fromGeoJson(district.zones());
    Map<String, List<SimDevice>> onOneRoad = new TreeMap<>();
    district
        .devicesOfKind(CONTROLLER_KIND)
        .forEach(
            lamp -> {
              List<Zone> roads = zones.containing(lamp.location(), "road");
              if (roads.size() == 1) {
                onOneRoad.computeIfAbsent(roads.get(0).id(), id -> new ArrayList<>()).add(lamp);
              }
            });
    List<String> roads = new ArrayList<>(onOneRoad.keySet());
    SplittableRandom random = new SplittableRandom(seed ^ 0x1a_3b0a7L);
    for (int i = roads.size() - 1; i > 0; i--) {
      java.util.Collections.swap(roads, i, random.nextInt(i + 1));
    }
    int faulty = Math.max(1, roads.size() / 4);
    List<RoadFault> faults = new ArrayList<>();
    int ticksInRun = (int) (length.toMillis() / interval.toMillis());
    for (int r = 0; r < roads.size() && r < faulty * 3; r++) {
      String road = roads.get(r);
      boolean isFaulty = r < faulty;
      int darkCount = isFaulty ? DARK_ON_FAULTY_ROAD : 1 + r % 2;
      List<SimDevice> lamps = new ArrayList<>(onOneRoad.get(road));
      if (lamps.size() < darkCount) {
        continue;
      }
      for (int i = lamps.size() - 1; i > 0; i--) {
        java.util.Collections.swap(lamps, i, random.nextInt(i + 1));
      }
      lamps = lamps.subList(0, darkCount);
      int firstTick = ticksInRun / 5 + (r % faulty) * 2;
      List<Instant> darkAt = new ArrayList<>();
      for (int i = 0; i < darkCount; i++) {
        darkAt.add(
            start
                .plus(interval.multipliedBy(firstTick + (long) i * DARK_EVERY))
                .truncatedTo(ChronoUnit.SECONDS));
      }
      faults.add(new RoadFault(road, List.copyOf(lamps), List.copyOf(darkAt)));
    }
    return faults;
  }

  @Override
  public String name() {
    return "dark-lamps";
  }

  @Override
  public SensorFaults faults() {
    return SensorFaults.choose(
        district.devicesOfKind(CONTROLLER_KIND), faultyShare, start, length, seed ^ 0x1a_3bfL);
  }

  private static String vendorTime(Instant at) {
    return VENDOR_TIME.format(LocalDateTime.ofInstant(at, VendorFormats.DISTRICT_ZONE));
  }

  @Override
  public List<ScenarioPlan.Timed> sends() {
    SensorFaults faults = faults();
    Map<String, Instant> darkSince = new TreeMap<>();
    for (RoadFault fault : roadFaults()) {
      for (int i = 0; i < fault.lamps().size(); i++) {
        darkSince.put(fault.lamps().get(i).deviceId(), fault.darkAt().get(i));
      }
    }
    SplittableRandom random = new SplittableRandom(seed ^ 0x1a_3bL);
    List<ScenarioPlan.Timed> sends = new ArrayList<>();
    int ticksInRun = (int) (length.toMillis() / interval.toMillis());
    List<SimDevice> controllers = district.devicesOfKind(CONTROLLER_KIND);
    for (int c = 0; c < controllers.size(); c++) {
      SimDevice lamp = controllers.get(c);
      Set<Instant> times = new TreeSet<>();
      // Controllers keep their own schedules: their reports spread over the interval.
      for (int tick = c % REPORT_EVERY; tick <= ticksInRun; tick += REPORT_EVERY) {
        times.add(start.plus(interval.multipliedBy(tick)).truncatedTo(ChronoUnit.SECONDS));
      }
      Instant dark = darkSince.get(lamp.deviceId());
      if (dark != null) {
        times.add(dark); // a controller reports a fault when it happens
      }
      List<ScenarioPlan.Reading> reports = new ArrayList<>();
      for (Instant at : times) {
        boolean isDark = dark != null && !at.isBefore(dark);
        JsonObject payload =
            new JsonObject()
                .put("status", 1)
                .put("dim", 100)
                .put(
                    "power", isDark ? 0.0 : Math.round((95 + random.nextDouble() * 10) * 10) / 10.0)
                .put("alarm", isDark ? "E01" : "0")
                .put("time", vendorTime(at));
        reports.add(
            new ScenarioPlan.Reading(lamp, payload, at, "lamp/power", ScenarioPlan.Fault.NONE));
      }
      faults.asSent(lamp, reports, FAILING).stream()
          .map(report -> ScenarioPlan.Timed.alone(report, ScenarioPlan.Transport.MQTT))
          .forEach(sends::add);
    }
    sends.sort(Comparator.comparing(ScenarioPlan.Timed::at));
    return sends;
  }

  @Override
  public ExpectedIncidents expected() {
    SensorFaults sensorFaults = faults();
    Map<String, ExpectedIncidents.Case> cases = new TreeMap<>();
    for (RoadFault fault : roadFaults()) {
      List<Instant> seenDark = new ArrayList<>();
      for (int i = 0; i < fault.lamps().size(); i++) {
        Instant dark = fault.darkAt().get(i);
        if (sensorFaults.sees(fault.lamps().get(i), dark)) {
          seenDark.add(dark);
        }
      }
      seenDark.sort(null);
      if (seenDark.size() >= CLUSTER) {
        cases.put(fault.road(), ExpectedIncidents.Case.graded(seenDark.get(CLUSTER - 1), "yellow"));
      }
    }
    return new ExpectedIncidents(name(), "dark-lamps", ExpectedIncidents.CaseKey.SCOPE, cases);
  }
}
