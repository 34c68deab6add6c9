package org.citytwin.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rainstorm over a generated district played as gauge reports, with a share of the gauges faulty,
 * and the ground truth to measure fusion against: which catchments really flooded, and when.
 *
 * <p>Faults are {@link SensorFaults}' three: a gauge that freezes at the value it had, one whose
 * reading creeps upward half a centimetre a minute, one that goes silent. Each faulty gauge fails
 * at a random time in the first half of the scenario. A catchment floods when the true water at one
 * of its gauges passes the line, whatever its gauge reports.
 *
 * @param district the district, with its gauges
 * @param storm the storm's ground truth
 * @param start when the first reports are made
 * @param length how long the scenario runs
 * @param faultyShare the share of gauges that fail, 0 to 1
 * @param seed chooses the faulty gauges, their faults and when they fail
 */
public record FloodScenario(
    District district,
    StormField storm,
    Instant start,
    Duration length,
    double faultyShare,
    long seed) {

  /** How fast a drifting gauge's error grows, in centimetres a minute. */
  public static final double DRIFT_CM_PER_MINUTE = 0.5;

  /**
   * One report as the gauge makes it.
   *
   * @param gauge who reports
   * @param at when
   * @param depthCentimetres what it reports: the truth, unless it is faulty
   */
  public record Report(SimDevice gauge, Instant at, double depthCentimetres) {}

  public FloodScenario {
    if (!(faultyShare >= 0 && faultyShare <= 1)) {
      throw new IllegalArgumentException("faultyShare must be between 0 and 1");
    }
  }

  /** The device kind the scenario plays. */
  public static final String GAUGE_KIND = "waterlogging-gauge";

  /** The district's waterlogging gauges. */
  public List<SimDevice> gauges() {
    return district.devices().stream().filter(d -> d.kind().equals(GAUGE_KIND)).toList();
  }

  /** The faulty gauges, and how each fails. */
  public SensorFaults faults() {
    return SensorFaults.choose(gauges(), faultyShare, start, length, seed);
  }

  /** Every report, in time order: every gauge every storm interval, but for the silent ones. */
  public List<Report> reports() {
    Map<String, SensorFaults.Failure> failures = faults().failures();
    Map<String, Double> frozen = new java.util.HashMap<>();
    List<Report> reports = new ArrayList<>();
    List<SimDevice> gauges = gauges();
    Duration interval = storm.settings().interval();
    for (Instant at = start; at.isBefore(start.plus(length)); at = at.plus(interval)) {
      for (SimDevice gauge : gauges) {
        double truth = storm.depthCentimetres(gauge.location(), at);
        SensorFaults.Failure failure = failures.get(gauge.deviceId());
        if (failure == null || at.isBefore(failure.from())) {
          reports.add(new Report(gauge, at, truth));
          continue;
        }
        switch (failure.fault()) {
          case STUCK ->
              reports.add(
                  new Report(gauge, at, frozen.computeIfAbsent(gauge.deviceId(), id -> truth)));
          case DRIFT -> {
            double minutes = failure.minutesFailingAt(at);
            reports.add(
                new Report(
                    gauge, at, Math.round((truth + DRIFT_CM_PER_MINUTE * minutes) * 10) / 10.0));
          }
          case DROPOUT -> {
            // silent
          }
        }
      }
    }
    return reports;
  }

  /**
   * The catchments that really flooded, each with the first time the true water at one of its
   * gauges passed {@code lineCentimetres} (checked at every storm interval).
   */
  public Map<String, Instant> flooded(double lineCentimetres) {
    Map<String, Instant> flooded = new LinkedHashMap<>();
    List<SimDevice> gauges = gauges();
    Duration interval = storm.settings().interval();
    for (Instant at = start; at.isBefore(start.plus(length)); at = at.plus(interval)) {
      for (SimDevice gauge : gauges) {
        if (storm.depthCentimetres(gauge.location(), at) > lineCentimetres) {
          flooded.putIfAbsent(gauge.catchmentId(), at);
        }
      }
    }
    return flooded;
  }

  /**
   * The flooded catchments a working gauge could see: as {@link #flooded}, but a gauge counts only
   * while it is healthy or drifting, not once it is stuck or silent. A flood only failed gauges
   * stood in cannot be asked of any rule; reports list such floods apart.
   */
  public Map<String, Instant> floodedWhereSeen(double lineCentimetres) {
    SensorFaults faults = faults();
    Map<String, Instant> flooded = new LinkedHashMap<>();
    List<SimDevice> gauges = gauges();
    Duration interval = storm.settings().interval();
    for (Instant at = start; at.isBefore(start.plus(length)); at = at.plus(interval)) {
      for (SimDevice gauge : gauges) {
        if (faults.sees(gauge, at)
            && storm.depthCentimetres(gauge.location(), at) > lineCentimetres) {
          flooded.putIfAbsent(gauge.catchmentId(), at);
        }
      }
    }
    return flooded;
  }

  /** The catchments of the district, flooded or not. */
  public List<String> catchments() {
    return gauges().stream().map(SimDevice::catchmentId).distinct().sorted().toList();
  }
}
