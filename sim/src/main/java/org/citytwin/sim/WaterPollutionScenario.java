package org.citytwin.sim;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.citytwin.ingest.VendorFormats;

/**
 * Water-quality stations on the canal, each reporting its indicators (HJ 212 codes) every ten
 * ticks. Clean water stands near surface-water class III. At every fourth station (the first among
 * them) a sewage discharge raises ammonia nitrogen past the class V limit of 2 mg/L while dissolved
 * oxygen falls below 2 mg/L, a step at a time (cleaning would call a jump a spike); at the station
 * two after each, total phosphorus passes 0.4 mg/L alone; at the others ammonia nitrogen climbs to
 * 1.9 mg/L, close to the limit but not past it.
 *
 * <p>A share of the stations fail ({@link SensorFaults}): a drifting one's ammonia probe creeps up
 * {@value #AMMONIA_DRIFT_PER_MINUTE} mg/L a minute, as a fouled electrode does.
 *
 * <p>Truth: one incident per polluted river section, from its first report past a limit that a
 * working station took, orange for ammonia with low oxygen and yellow for phosphorus alone.
 *
 * @param district a {@link GeneratedDistrict}'s district
 * @param start the first tick
 * @param length how long the run sends
 * @param interval the tick
 * @param seed the noise and the faulty stations
 * @param faultyShare the share of stations that fail, 0 to 1
 */
public record WaterPollutionScenario(
    District district,
    Instant start,
    Duration length,
    Duration interval,
    long seed,
    double faultyShare)
    implements FieldScenario {

  public static final String STATION_KIND = "water-quality-station";

  /** How many ticks between two reports of a station. */
  static final int REPORT_EVERY = 10;

  /** Class V limits, mg/L. */
  static final double AMMONIA_LIMIT = 2.0;

  static final double PHOSPHORUS_LIMIT = 0.4;
  static final double OXYGEN_FLOOR = 2.0;

  /**
   * How fast a drifting station's ammonia nitrogen creeps up, mg/L a minute: 1.4 a day, a badly
   * fouled electrode that the station's daily standard-solution check would fail.
   */
  public static final double AMMONIA_DRIFT_PER_MINUTE = 0.001;

  /** A station's report frozen or drifting: HJ 212 keeps the time in {@code DataTime}. */
  private static final SensorFaults.Failing FAILING =
      new SensorFaults.PayloadFields(
          "DataTime",
          WaterPollutionScenario::dataTime,
          "w21003",
          (ammonia, minutes) ->
              Math.round((ammonia + AMMONIA_DRIFT_PER_MINUTE * minutes) * 1000) / 1000.0);

  /** The stations, in id order, each with one river section. */
  private List<SimDevice> stations() {
    return district.devicesOfKind(STATION_KIND).stream()
        .filter(device -> device.observes() != null)
        .toList();
  }

  @Override
  public String name() {
    return "water-quality";
  }

  @Override
  public SensorFaults faults() {
    return SensorFaults.choose(stations(), faultyShare, start, length, seed ^ 0x3a7e_0fL);
  }

  /** Every report a station would make if it worked, by station, in time order. */
  private Map<SimDevice, List<ScenarioPlan.Reading>> reports() {
    SplittableRandom random = new SplittableRandom(seed ^ 0x3a7e_0aL);
    Map<SimDevice, List<ScenarioPlan.Reading>> reports =
        new TreeMap<>(Comparator.comparing(SimDevice::deviceId));
    List<SimDevice> stations = stations();
    Duration every = interval.multipliedBy(REPORT_EVERY);
    int reportsInRun = (int) (length.toMillis() / every.toMillis());
    for (int s = 0; s < stations.size(); s++) {
      SimDevice station = stations.get(s);
      List<ScenarioPlan.Reading> readings = new ArrayList<>();
      for (int r = 0; r < reportsInRun; r++) {
        // The discharge reaches the station a third of the way in and grows for four reports.
        double grown = Math.max(0, Math.min(4, r - reportsInRun / 3 + 1)) / 4.0;
        double ammonia = 0.8 + random.nextDouble() * 0.1;
        double oxygen = 6.0 + random.nextDouble() * 0.3;
        double phosphorus = 0.15 + random.nextDouble() * 0.03;
        switch (s % 4) {
          case 0 -> {
            ammonia += grown * 2.0;
            oxygen -= grown * 4.5;
          }
          case 2 -> phosphorus += grown * 0.4;
          default -> ammonia += grown * 1.0;
        }
        Instant at =
            start
                .plus(every.multipliedBy(r))
                .plus(interval.multipliedBy(s % REPORT_EVERY))
                .truncatedTo(ChronoUnit.SECONDS);
        JsonObject payload =
            new JsonObject()
                .put("DataTime", dataTime(at))
                .put("w01010", round(21 + random.nextDouble()))
                .put("w01001", round(7.2 + random.nextDouble() * 0.2))
                .put("w01009", round(oxygen))
                .put("w01014", round(420 + random.nextDouble() * 20))
                .put("w01003", round(12 + random.nextDouble() * 3))
                .put("w01019", round(4 + random.nextDouble()))
                .put("w01018", round(15 + random.nextDouble() * 2))
                .put("w21003", round(ammonia))
                .put("w21011", round(phosphorus))
                .put("w21001", round(1.5 + random.nextDouble() * 0.2));
        readings.add(
            new ScenarioPlan.Reading(
                station, payload, at, "quality/ammoniaNitrogen", ScenarioPlan.Fault.NONE));
      }
      reports.put(station, readings);
    }
    return reports;
  }

  private static String dataTime(Instant at) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
        OffsetDateTime.ofInstant(at, VendorFormats.DISTRICT_ZONE));
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  @Override
  public List<ScenarioPlan.Timed> sends() {
    SensorFaults faults = faults();
    return reports().entrySet().stream()
        .flatMap(station -> faults.asSent(station.getKey(), station.getValue(), FAILING).stream())
        .map(reading -> ScenarioPlan.Timed.alone(reading, ScenarioPlan.Transport.HTTP))
        .sorted(Comparator.comparing(ScenarioPlan.Timed::at))
        .toList();
  }

  @Override
  public ExpectedIncidents expected() {
    SensorFaults faults = faults();
    Map<String, ExpectedIncidents.Case> cases = new TreeMap<>();
    reports()
        .forEach(
            (station, readings) -> {
              String section = station.observes().toString();
              boolean orange = false;
              Instant first = null;
              for (ScenarioPlan.Reading reading : faults.seen(station, readings)) {
                JsonObject payload = reading.payload();
                boolean ammonia = payload.getDouble("w21003") > AMMONIA_LIMIT;
                boolean lowOxygen = payload.getDouble("w01009") < OXYGEN_FLOOR;
                boolean phosphorus = payload.getDouble("w21011") > PHOSPHORUS_LIMIT;
                if (ammonia || lowOxygen || phosphorus) {
                  first = first == null ? reading.observedAt() : first;
                  orange |= ammonia && lowOxygen;
                }
              }
              if (first != null) {
                cases.put(
                    section, ExpectedIncidents.Case.graded(first, orange ? "orange" : "yellow"));
              }
            });
    return new ExpectedIncidents(name(), "water-quality", ExpectedIncidents.CaseKey.SCOPE, cases);
  }
}
