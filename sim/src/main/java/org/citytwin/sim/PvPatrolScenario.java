package org.citytwin.sim;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.citytwin.fusion.Zone;
import org.citytwin.fusion.ZoneIndex;

/**
 * A drone patrol's infrared inspections: each PV inspection payload flies once in the run and sends
 * one report. Over every other PV farm the first flight finds hot spots 24.5 K over their
 * neighbours (urgent), over the rest 8.5 K; a second flight over the same farm finds the same spots
 * again. Flights over the canal also count hot objects (a roof, a boat's engine), which are no
 * panels: they are outside every PV farm and no work order.
 *
 * <p>A share of the payloads fail ({@link SensorFaults}). A payload flies once, so a stuck or
 * silent one sends nothing (it took no reading before it failed); a drifting one's infrared camera
 * reads {@value #RISE_DRIFT_PER_MINUTE} K a minute warm.
 *
 * <p>Truth: one repair order per farm with hot spots, from its first report a working payload made,
 * orange when a spot rose over 20 K and yellow otherwise.
 *
 * @param district a {@link GeneratedDistrict}'s district
 * @param start the first tick
 * @param length how long the run sends
 * @param interval the tick
 * @param seed chooses the faulty payloads
 * @param faultyShare the share of payloads that fail, 0 to 1
 */
public record PvPatrolScenario(
    District district,
    Instant start,
    Duration length,
    Duration interval,
    long seed,
    double faultyShare)
    implements FieldScenario {

  public static final String PAYLOAD_KIND = "pv-inspection";

  /** The rule's line for an urgent order, in kelvin. */
  static final double URGENT_RISE = 20;

  /**
   * How fast a drifting payload's temperature rise reads high, in kelvin a minute: an uncooled
   * infrared camera whose shutter correction has stopped.
   */
  public static final double RISE_DRIFT_PER_MINUTE = 0.05;

  /** A report frozen or drifting: the time is {@code ts}, the rise {@code max_delta_t}. */
  private static final SensorFaults.Failing FAILING =
      new SensorFaults.PayloadFields(
          "ts",
          Instant::getEpochSecond,
          "max_delta_t",
          (rise, minutes) -> Math.round((rise + RISE_DRIFT_PER_MINUTE * minutes) * 10) / 10.0);

  /** One flight's report and the farm it flew over, if any. */
  record Flight(SimDevice payload, Optional<String> farm, int hotSpots, double rise, Instant at) {}

  List<Flight> flights() {
    ZoneIndex zones = ZoneIndex.fromGeoJson(district.zones());
    List<SimDevice> payloads = district.devicesOfKind(PAYLOAD_KIND);
    List<String> farmIds = zones.ofType("pv-farm").stream().map(Zone::id).sorted().toList();
    Map<String, Integer> flightsOverFarm = new TreeMap<>();
    List<Flight> flights = new ArrayList<>();
    int ticksInRun = (int) (length.toMillis() / interval.toMillis());
    for (int i = 0; i < payloads.size(); i++) {
      SimDevice payload = payloads.get(i);
      List<Zone> farms = zones.containing(payload.location(), "pv-farm");
      Optional<String> farm = farms.isEmpty() ? Optional.empty() : Optional.of(farms.get(0).id());
      Instant at =
          start
              .plus(interval.multipliedBy(ticksInRun * 3L / 10 + i % 10))
              .truncatedTo(ChronoUnit.SECONDS);
      if (farm.isPresent()) {
        int before = flightsOverFarm.merge(farm.get(), 1, Integer::sum) - 1;
        int farmNumber = farmIds.indexOf(farm.get());
        double rise = farmNumber % 2 == 0 ? 24.5 : 8.5;
        flights.add(new Flight(payload, farm, 3 + before, rise, at));
      } else {
        flights.add(new Flight(payload, farm, 2, 15.0, at));
      }
    }
    return flights;
  }

  @Override
  public String name() {
    return "pv-hot-spot";
  }

  @Override
  public SensorFaults faults() {
    return SensorFaults.choose(
        district.devicesOfKind(PAYLOAD_KIND), faultyShare, start, length, seed ^ 0x9f_11e7L);
  }

  @Override
  public List<ScenarioPlan.Timed> sends() {
    SensorFaults faults = faults();
    List<ScenarioPlan.Timed> sends = new ArrayList<>();
    for (Flight flight : flights()) {
      JsonObject report =
          new JsonObject()
              .put("hotspots", flight.hotSpots())
              .put("max_delta_t", flight.rise())
              .put("area_m2", 12_000)
              .put("ts", flight.at().getEpochSecond());
      ScenarioPlan.Reading reading =
          new ScenarioPlan.Reading(
              flight.payload(),
              report,
              flight.at(),
              "inspection/hotSpots",
              ScenarioPlan.Fault.NONE);
      faults.asSent(flight.payload(), List.of(reading), FAILING).stream()
          .map(sent -> ScenarioPlan.Timed.alone(sent, ScenarioPlan.Transport.HTTP))
          .forEach(sends::add);
    }
    sends.sort(Comparator.comparing(ScenarioPlan.Timed::at));
    return sends;
  }

  @Override
  public ExpectedIncidents expected() {
    SensorFaults faults = faults();
    Map<String, ExpectedIncidents.Case> cases = new TreeMap<>();
    for (Flight flight : flights()) {
      boolean seen = faults.sees(flight.payload(), flight.at());
      flight
          .farm()
          .filter(farm -> seen && flight.hotSpots() > 0)
          .ifPresent(
              farm ->
                  cases.merge(
                      farm,
                      ExpectedIncidents.Case.graded(
                          flight.at(), flight.rise() > URGENT_RISE ? "orange" : "yellow"),
                      (a, b) -> a.at().isBefore(b.at()) ? a : b));
    }
    return new ExpectedIncidents(name(), "pv-repair-order", ExpectedIncidents.CaseKey.SCOPE, cases);
  }
}
