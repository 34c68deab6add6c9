package org.citytwin.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;

/**
 * Muck trucks leaving construction sites, with the ground truth of which runs are cases: every
 * other truck leaves a site that approves it and works around the clock (no case), the others leave
 * a site that does not approve them (a case: {@code unapproved}). A truck waits at its site, then
 * drives out in a straight line on a heading that keeps it clear of other sites and inside the
 * district, reporting a fix every interval.
 *
 * <p>Runs from night-only sites by approved trucks are left out on purpose: whether they are cases
 * depends on the hour the scenario is played at, and the same seed must give the same report. The
 * fusion tests cover working hours with a fixed clock.
 *
 * @param district a {@link GeneratedDistrict}'s district
 * @param start when the trucks' first fixes are taken
 * @param length how long the scenario runs
 * @param interval how often a tracker reports
 * @param seed chooses sites, headings and the faulty trackers
 * @param faultyShare the share of trackers that fail, 0 to 1 (see {@link #faults})
 */
public record MuckTruckScenario(
    District district,
    Instant start,
    Duration length,
    Duration interval,
    long seed,
    double faultyShare) {

  /** How fast the trucks drive, in metres a second (43 km/h). */
  public static final double SPEED_METRES_PER_SECOND = 12;

  /** How long the first truck waits at its site before it leaves; each next one two fixes more. */
  static final Duration FIRST_DWELL = Duration.ofSeconds(8);

  private static final double METRES_PER_DEGREE_LATITUDE = 111_320;

  /** Keep trucks this far from any other site's edge. */
  private static final double CLEARANCE_METRES = 60;

  /**
   * One truck's run and what should come of it.
   *
   * @param tracker the truck's GPS tracker
   * @param vehicle the truck's twin id, as sites list it
   * @param site the site it leaves
   * @param approved whether that site approves it
   * @param departsAt when it starts to move
   * @param leavesAt the time of its first fix outside the site
   * @param heading its heading, in degrees clockwise from north
   */
  public record Run(
      SimDevice tracker,
      String vehicle,
      String site,
      boolean approved,
      Instant departsAt,
      Instant leavesAt,
      double heading) {

    /** Whether citytwin should raise a muck-truck case for this run. */
    public boolean isCase() {
      return !approved;
    }
  }

  /** One fix as the tracker takes it, in WGS84 (the tracker reports it in GCJ-02). */
  public record Fix(
      SimDevice tracker, Instant at, WgsPoint position, double speedKmh, double heading) {}

  /** A construction site as its zone describes it. */
  record Site(
      String id,
      double west,
      double south,
      double east,
      double north,
      List<String> approved,
      boolean nightOnly) {

    WgsPoint centre() {
      return new WgsPoint((west + east) / 2, (south + north) / 2);
    }

    boolean contains(WgsPoint point, double marginDegreesLongitude, double marginDegreesLatitude) {
      return point.longitude() >= west - marginDegreesLongitude
          && point.longitude() <= east + marginDegreesLongitude
          && point.latitude() >= south - marginDegreesLatitude
          && point.latitude() <= north + marginDegreesLatitude;
    }
  }

  /** The district's muck trucks' trackers, by device id. */
  public List<SimDevice> trackers() {
    Map<String, Thing> things =
        district.things().stream()
            .collect(
                Collectors.toMap(
                    thing -> thing.getEntityId().orElseThrow().toString(), Function.identity()));
    return district.devices().stream()
        .filter(device -> device.kind().equals("gps-tracker"))
        .filter(
            device ->
                Optional.ofNullable(things.get(device.thingId().toString()))
                    .flatMap(Thing::getAttributes)
                    .flatMap(a -> a.getValue(GeneratedDistrict.VEHICLE_KIND))
                    .filter(JsonValue.of(GeneratedDistrict.MUCK_TRUCK)::equals)
                    .isPresent())
        .sorted(Comparator.comparing(SimDevice::deviceId))
        .toList();
  }

  /**
   * The trackers that fail: a stuck one repeats its last fix (a receiver that lost the sky), a
   * drifting one's fixes wander off north {@value #DRIFT_METRES_PER_MINUTE} m a minute, a silent
   * one sends nothing more.
   */
  public SensorFaults faults() {
    return SensorFaults.choose(trackers(), faultyShare, start, length, seed ^ 0x6d75_63L);
  }

  /** How fast a drifting tracker's fixes wander off, in metres a minute. */
  public static final double DRIFT_METRES_PER_MINUTE = 5;

  /** Every truck's run, in the order of their trackers. */
  public List<Run> runs() {
    List<Site> sites = sites();
    SplittableRandom random = new SplittableRandom(seed ^ 0x6d75636bL);
    List<Run> runs = new ArrayList<>();
    List<SimDevice> trackers = trackers();
    for (int i = 0; i < trackers.size(); i++) {
      SimDevice tracker = trackers.get(i);
      String vehicle = tracker.observes().toString();
      boolean approvedRun = i % 2 == 0;
      List<Site> candidates =
          sites.stream()
              .filter(site -> site.approved().contains(vehicle) == approvedRun)
              .filter(site -> !approvedRun || !site.nightOnly())
              .toList();
      if (candidates.isEmpty()) {
        continue;
      }
      Site site = candidates.get(random.nextInt(candidates.size()));
      Instant departs = start.plus(FIRST_DWELL).plus(interval.multipliedBy(2L * i));
      Optional<Double> heading = clearHeading(site, sites, random.nextDouble() * 360, departs);
      if (heading.isEmpty()) {
        continue;
      }
      Instant leavesAt = firstFixOutside(site, heading.get(), departs);
      if (!leavesAt.isBefore(start.plus(length))) {
        continue; // a truck still at its site when the scenario ends never made a run
      }
      runs.add(new Run(tracker, vehicle, site.id(), approvedRun, departs, leavesAt, heading.get()));
    }
    return runs;
  }

  /** Every fix of every run, in time order. */
  public List<Fix> fixes() {
    Map<String, Site> sites =
        sites().stream().collect(Collectors.toMap(Site::id, Function.identity()));
    List<Fix> fixes = new ArrayList<>();
    List<Run> runs = runs();
    for (Instant at = start; at.isBefore(start.plus(length)); at = at.plus(interval)) {
      for (Run run : runs) {
        Site site = sites.get(run.site());
        Instant departs = run.departsAt();
        boolean moving = at.isAfter(departs);
        fixes.add(
            new Fix(
                run.tracker(),
                at,
                positionAt(site, run.heading(), departs, at),
                moving ? SPEED_METRES_PER_SECOND * 3.6 : 0,
                moving ? run.heading() : 0));
      }
    }
    return fixes;
  }

  private Instant firstFixOutside(Site site, double heading, Instant departs) {
    for (Instant at = start; ; at = at.plus(interval)) {
      if (!site.contains(positionAt(site, heading, departs, at), 0, 0)) {
        return at;
      }
    }
  }

  private static WgsPoint positionAt(Site site, double heading, Instant departs, Instant at) {
    double metres =
        at.isAfter(departs)
            ? SPEED_METRES_PER_SECOND * Duration.between(departs, at).toMillis() / 1000.0
            : 0;
    return offset(site.centre(), heading, metres);
  }

  private static WgsPoint offset(WgsPoint from, double heading, double metres) {
    double radians = Math.toRadians(heading);
    return new WgsPoint(
        from.longitude()
            + metres * Math.sin(radians) / GeneratedDistrict.METRES_PER_DEGREE_LONGITUDE,
        from.latitude() + metres * Math.cos(radians) / METRES_PER_DEGREE_LATITUDE);
  }

  /** The first of 16 headings from {@code first} on which the whole drive stays clear. */
  private Optional<Double> clearHeading(
      Site site, List<Site> sites, double first, Instant departs) {
    double drive =
        SPEED_METRES_PER_SECOND
            * Math.max(0, Duration.between(departs, start.plus(length)).toSeconds());
    double marginLongitude = CLEARANCE_METRES / GeneratedDistrict.METRES_PER_DEGREE_LONGITUDE;
    double marginLatitude = CLEARANCE_METRES / METRES_PER_DEGREE_LATITUDE;
    for (int step = 0; step < 16; step++) {
      double heading = (first + step * 22.5) % 360;
      boolean clear = true;
      for (double metres = 0; metres <= drive && clear; metres += 20) {
        WgsPoint point = offset(site.centre(), heading, metres);
        clear =
            point.longitude() > GeneratedDistrict.WEST
                && point.longitude() < GeneratedDistrict.EAST
                && point.latitude() > GeneratedDistrict.SOUTH
                && point.latitude() < GeneratedDistrict.NORTH
                && sites.stream()
                    .filter(other -> other != site)
                    .noneMatch(other -> other.contains(point, marginLongitude, marginLatitude));
      }
      if (clear) {
        return Optional.of(heading);
      }
    }
    return Optional.empty();
  }

  /** The district's construction sites, read from its zones as the server reads them. */
  List<Site> sites() {
    List<Site> sites = new ArrayList<>();
    JsonArray features = district.zones().getJsonArray("features");
    for (int i = 0; i < features.size(); i++) {
      JsonObject feature = features.getJsonObject(i);
      JsonObject properties = feature.getJsonObject("properties");
      if (!"construction-site".equals(properties.getString("type"))) {
        continue;
      }
      JsonArray ring =
          feature.getJsonObject("geometry").getJsonArray("coordinates").getJsonArray(0);
      double west = Double.MAX_VALUE;
      double south = Double.MAX_VALUE;
      double east = -Double.MAX_VALUE;
      double north = -Double.MAX_VALUE;
      for (int p = 0; p < ring.size(); p++) {
        JsonArray point = ring.getJsonArray(p);
        west = Math.min(west, point.getDouble(0));
        east = Math.max(east, point.getDouble(0));
        south = Math.min(south, point.getDouble(1));
        north = Math.max(north, point.getDouble(1));
      }
      List<String> approved = new ArrayList<>();
      JsonArray listed = properties.getJsonArray("approvedVehicles", new JsonArray());
      listed.forEach(vehicle -> approved.add(vehicle.toString()));
      sites.add(
          new Site(
              properties.getString("id"),
              west,
              south,
              east,
              north,
              approved,
              properties.containsKey("workingHours")));
    }
    return sites;
  }
}
