package org.citytwin.sim;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Bridges under load, as their strain gauges see it: every gauge reports every five ticks, a
 * bridge's everyday strain between 150 and 450 microstrain with a little noise. On one bridge a
 * convoy of heavy trucks raises the strain to 1,000 (over the 800 warning line), on another to
 * 1,450 (over the 1,200 alarm line), a step of at most 250 a report (a convoy drives on, it does
 * not appear), holds and eases off. A third gauge sends one reading 1,600 above its bridge's
 * strain: a spike, which cleaning must keep off the twin.
 *
 * <p>A share of the gauges fail ({@link SensorFaults}): a drifting one's zero creeps {@value
 * #DRIFT_PER_MINUTE} microstrain a minute.
 *
 * <p>Truth: one incident per loaded bridge, from its first report over 800 that a working gauge
 * took, standing at yellow or red by the highest strain a working gauge saw.
 *
 * @param district a {@link GeneratedDistrict}'s district
 * @param start the first tick
 * @param length how long the run sends
 * @param interval the tick
 * @param seed chooses the bridges, the noise and the faulty gauges
 * @param faultyShare the share of gauges that fail, 0 to 1
 */
public record BridgeLoadScenario(
    District district,
    Instant start,
    Duration length,
    Duration interval,
    long seed,
    double faultyShare)
    implements FieldScenario {

  public static final String GAUGE_KIND = "strain-gauge";

  /** The rule's lines, in microstrain. */
  static final double WARNING = 800;

  static final double ALARM = 1_200;

  /** The loads played: the peak each loaded bridge reaches. */
  static final double[] PEAKS = {1_000, 1_450};

  /** How far one report may climb: less than the 500 a minute cleaning lets a strain move. */
  static final double STEP = 250;

  /** What the spike adds to its gauge's strain. */
  static final double SPIKE = 1_600;

  /** How many ticks between two reports of a gauge. */
  static final int REPORT_EVERY = 5;

  /**
   * How fast a drifting gauge's zero creeps, in microstrain a minute: 60 an hour, a gauge coming
   * loose (a sound one keeps within a few microstrain a year).
   */
  public static final double DRIFT_PER_MINUTE = 1;

  /** A gauge's report frozen or drifting: the strain is {@code ue}, the time {@code ts}. */
  private static final SensorFaults.Failing FAILING =
      new SensorFaults.PayloadFields(
          "ts",
          Instant::getEpochSecond,
          "ue",
          (strain, minutes) -> Math.round((strain + DRIFT_PER_MINUTE * minutes) * 10) / 10.0);

  /** The strain gauges, in id order, each with one bridge. */
  private List<SimDevice> gauges() {
    return district.devicesOfKind(GAUGE_KIND).stream()
        .filter(device -> device.observes() != null)
        .toList();
  }

  @Override
  public String name() {
    return "bridge-overload";
  }

  @Override
  public SensorFaults faults() {
    return SensorFaults.choose(gauges(), faultyShare, start, length, seed ^ 0x5e_b41dL);
  }

  /** Every report a gauge would make if it worked, by gauge; spikes are marked. */
  private Map<SimDevice, List<ScenarioPlan.Reading>> reports() {
    List<SimDevice> gauges = gauges();
    SplittableRandom random = new SplittableRandom(seed ^ 0xb41d_6eL);
    List<SimDevice> shuffled = new ArrayList<>(gauges);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      java.util.Collections.swap(shuffled, i, random.nextInt(i + 1));
    }
    Map<SimDevice, List<ScenarioPlan.Reading>> reports =
        new TreeMap<>(Comparator.comparing(SimDevice::deviceId));
    Duration every = interval.multipliedBy(REPORT_EVERY);
    int reportsInRun = (int) (length.toMillis() / every.toMillis());
    for (int g = 0; g < shuffled.size(); g++) {
      SimDevice gauge = shuffled.get(g);
      double everyday = 150 + random.nextDouble() * 300;
      // Loads start at a third and at half of the run; the spike comes at two fifths.
      int loadStarts = g < PEAKS.length ? reportsInRun * (2 + g) / 6 : -1;
      double peak = g < PEAKS.length ? PEAKS[g] : everyday;
      int spikeAt = g == PEAKS.length ? reportsInRun * 2 / 5 : -1;
      List<ScenarioPlan.Reading> readings = new ArrayList<>();
      double load = 0;
      for (int r = 0; r < reportsInRun; r++) {
        if (loadStarts >= 0 && r >= loadStarts) {
          int intoLoad = r - loadStarts;
          int climb = (int) Math.ceil((peak - everyday) / STEP);
          // climb, hold for three reports, ease off as fast as it came
          load =
              intoLoad <= climb
                  ? Math.min(peak - everyday, intoLoad * STEP)
                  : intoLoad <= climb + 3
                      ? peak - everyday
                      : Math.max(0, peak - everyday - (intoLoad - climb - 3) * STEP);
        }
        double strain = everyday + load + (random.nextDouble() - 0.5) * 20;
        ScenarioPlan.Fault fault = ScenarioPlan.Fault.NONE;
        if (r == spikeAt) {
          strain += SPIKE;
          fault = ScenarioPlan.Fault.SPIKE;
        }
        // Gauges keep their own schedules: their reports spread over the interval.
        Instant at =
            start
                .plus(every.multipliedBy(r))
                .plus(interval.multipliedBy(g % REPORT_EVERY))
                .truncatedTo(ChronoUnit.SECONDS);
        readings.add(
            new ScenarioPlan.Reading(
                gauge,
                new JsonObject()
                    .put("ue", Math.round(strain * 10) / 10.0)
                    .put("temp", Math.round((24 + random.nextDouble()) * 10) / 10.0)
                    .put("ts", at.getEpochSecond()),
                at,
                "strain/strain",
                fault));
      }
      reports.put(gauge, readings);
    }
    return reports;
  }

  @Override
  public List<ScenarioPlan.Timed> sends() {
    SensorFaults faults = faults();
    return reports().entrySet().stream()
        .flatMap(gauge -> faults.asSent(gauge.getKey(), gauge.getValue(), FAILING).stream())
        .map(reading -> ScenarioPlan.Timed.alone(reading, ScenarioPlan.Transport.HTTP))
        .sorted(Comparator.comparing(ScenarioPlan.Timed::at))
        .toList();
  }

  @Override
  public ExpectedIncidents expected() {
    SensorFaults faults = faults();
    Map<String, Instant> first = new TreeMap<>();
    Map<String, Double> highest = new TreeMap<>();
    reports()
        .forEach(
            (gauge, readings) -> {
              for (ScenarioPlan.Reading reading : faults.seen(gauge, readings)) {
                double strain = reading.payload().getDouble("ue");
                if (reading.fault() != ScenarioPlan.Fault.NONE || strain <= WARNING) {
                  continue;
                }
                String bridge = gauge.observes().toString();
                first.merge(bridge, reading.observedAt(), (a, b) -> a.isBefore(b) ? a : b);
                highest.merge(bridge, strain, Math::max);
              }
            });
    Map<String, ExpectedIncidents.Case> cases = new TreeMap<>();
    first.forEach(
        (bridge, at) ->
            cases.put(
                bridge,
                ExpectedIncidents.Case.graded(at, highest.get(bridge) > ALARM ? "red" : "yellow")));
    return new ExpectedIncidents(name(), "bridge-overload", ExpectedIncidents.CaseKey.SCOPE, cases);
  }
}
