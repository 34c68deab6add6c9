package org.citytwin.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.citytwin.twin.ThingModels;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingBuilder;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;

/**
 * A whole district over Gongshu, deterministic from its seed, at a scale of the district in the
 * field notes (scale 1: 170,000 managed objects in 8 categories and 34,000 devices of 15 kinds;
 * {@code 0.01} for CI).
 *
 * <p>The district holds the five-level hierarchy below the city (streets as bands from south to
 * north, communities as columns within a street, grids within a community), drainage catchments
 * over it with waterlogging points at their low spots, the Grand Canal with its embankments, a road
 * net with lamp posts, construction sites with working hours, approved trucks and an enterprise, PV
 * farms, five patrol defence zones, and patrol teams. Each device stands beside the object it
 * observes and reports in a vendor format citytwin ships, with a password of its own.
 *
 * @param seed the random seed: the same seed and scale give the same district, file for file
 * @param scale the share of the full district, above 0 and at most 1
 */
public record GeneratedDistrict(long seed, double scale) {

  /** A category of managed object, the department that owns it and how many a full district has. */
  public record Category(String name, String department, int atFullScale) {}

  /**
   * A device kind.
   *
   * @param prefix the start of its devices' ids ({@code wlg} for {@code wlg-00001})
   * @param observes the category of object it watches; empty for rain gauges and weather stations,
   *     which watch the sky
   * @param vendorFormat the format its payloads come in
   */
  public record Kind(
      String name,
      String prefix,
      String department,
      int atFullScale,
      Optional<String> observes,
      String vendorFormat) {}

  /** The eight categories, 170,000 objects at full scale. */
  public static final List<Category> CATEGORIES =
      List.of(
          new Category("lamp-post", "urban", 65_400),
          new Category("vehicle", "traffic", 40_000),
          new Category("road-segment", "traffic", 25_000),
          new Category("waterlogging-point", "water", 20_000),
          new Category("river-section", "water", 8_000),
          new Category("bridge", "traffic", 6_000),
          new Category("construction-site", "construction", 600),
          new Category("drone-flight", "urban", 5_000));

  /** The fifteen kinds, 34,000 devices at full scale. */
  public static final List<Kind> KINDS =
      List.of(
          kind("lamp-controller", "lc", "urban", 12_000, "lamp-post", "lamp-nb-iot"),
          kind("gps-tracker", "gps", "traffic", 6_000, "vehicle", "gps-gcj02"),
          kind(
              "waterlogging-gauge", "wlg", "water", 3_000, "waterlogging-point", "waterlogging-cm"),
          kind("manhole-cover-sensor", "mh", "urban", 3_000, "road-segment", "manhole-level-mm"),
          kind("ai-camera", "cam", "urban", 2_800, "river-section", "camera-ai-alert"),
          kind("smart-meter", "sm", "energy", 1_800, "lamp-post", "smart-meter-kwh"),
          kind("strain-gauge", "sg", "traffic", 1_500, "bridge", "strain-vibrating-wire"),
          kind("tilt-sensor", "ts", "traffic", 1_500, "bridge", "tilt-degrees"),
          kind("air-noise-sensor", "an", "environment", 1_000, "construction-site", "air-noise"),
          kind("water-level-gauge", "wl", "water", 500, "river-section", "water-level-datum-mm"),
          kind("rain-gauge", "rg", "water", 300, null, "rain-tipping-bucket"),
          kind(
              "water-quality-station",
              "wq",
              "environment",
              200,
              "river-section",
              "water-quality-hj212"),
          kind("pv-inspection", "pv", "energy", 200, "drone-flight", "pv-inspection-report"),
          kind("drone-detector", "dd", "urban", 100, "drone-flight", "drone-detection-gcj02"),
          kind("weather-station", "ws", "emergency", 100, null, "weather-station"));

  /** Construction sites that work at night only; the others work around the clock. */
  public static final String NIGHT_HOURS = "20:00-06:00";

  /** The attribute naming what a vehicle is, on the vehicle and on its tracker. */
  public static final JsonPointer VEHICLE_KIND = JsonPointer.of("vehicleKind");

  public static final String MUCK_TRUCK = "muck-truck";

  /** The share of vehicles that are muck trucks. */
  static final double MUCK_TRUCK_SHARE = 0.02;

  static final double WEST = DemoDistrict.WEST;
  static final double EAST = DemoDistrict.EAST;
  static final double SOUTH = DemoDistrict.SOUTH;
  static final double NORTH = DemoDistrict.NORTH;
  private static final double METRES_PER_DEGREE_LATITUDE = 111_320;
  static final double METRES_PER_DEGREE_LONGITUDE =
      METRES_PER_DEGREE_LATITUDE * Math.cos(Math.toRadians((SOUTH + NORTH) / 2));

  /** The Grand Canal through the district, north to south, as the embankments follow it. */
  private static final double[][] GRAND_CANAL = {
    {120.128, 30.360}, {120.134, 30.335}, {120.147, 30.308}, {120.159, 30.288}, {120.168, 30.270}
  };

  /** Site side in metres. */
  private static final double SITE_METRES = 160;

  private static Kind kind(
      String name,
      String prefix,
      String department,
      int atFullScale,
      String observes,
      String vendorFormat) {
    return new Kind(
        name, prefix, department, atFullScale, Optional.ofNullable(observes), vendorFormat);
  }

  public GeneratedDistrict {
    if (!(scale > 0 && scale <= 1)) {
      throw new IllegalArgumentException("scale must be above 0 and at most 1, not " + scale);
    }
  }

  /** How many objects of a category, or devices of a kind, the district holds at this scale. */
  public int count(int atFullScale) {
    return Math.max(1, (int) Math.round(atFullScale * scale));
  }

  /** Streets, communities per street, grids per community side and catchments per side. */
  int streets() {
    return Math.max(2, (int) Math.round(10 * Math.sqrt(scale)));
  }

  int communitiesPerStreet() {
    return Math.max(2, (int) Math.round(8 * Math.sqrt(scale)));
  }

  int gridsPerCommunitySide() {
    return Math.max(2, (int) Math.round(4 * Math.sqrt(scale)));
  }

  int catchmentsPerSide() {
    return Math.max(3, (int) Math.round(10 * Math.sqrt(scale)));
  }

  public District generate() {
    return new Builder(new SplittableRandom(seed)).build();
  }

  /** The catchment a point lies in. */
  String catchmentAt(WgsPoint point) {
    int side = catchmentsPerSide();
    int column = cell(point.longitude(), WEST, EAST, side);
    int row = cell(point.latitude(), SOUTH, NORTH, side);
    return String.format(Locale.ROOT, "catchment-%02d", row * side + column + 1);
  }

  /** Which of {@code cells} equal parts of [from, to) {@code value} falls in, clamped to them. */
  static int cell(double value, double from, double to, int cells) {
    return Math.min(cells - 1, Math.max(0, (int) ((value - from) / (to - from) * cells)));
  }

  /** Builds one district; holds the running state so that the generation reads top to bottom. */
  private final class Builder {
    private final SplittableRandom random;
    private final JsonArray zones = new JsonArray();
    private final List<Thing> things = new ArrayList<>();
    private final List<SimDevice> devices = new ArrayList<>();
    private final List<List<WgsPoint>> roads = new ArrayList<>();
    private final List<Site> sites = new ArrayList<>();
    private final List<double[]> pvFarms = new ArrayList<>();

    /** Objects placed so far, by category, for devices to watch. */
    private final java.util.Map<String, List<Thing>> objects = new java.util.HashMap<>();

    private record Site(String id, WgsPoint centre, boolean nightOnly, List<String> approved) {}

    Builder(SplittableRandom random) {
      this.random = random;
    }

    District build() {
      governance();
      catchments();
      canal();
      roads();
      pvFarms();
      patrolZones();
      placeSites();
      placeObjects();
      placeDevices();
      for (Site site : sites) {
        zones.add(
            ZoneFeatures.rectangle(
                site.id(),
                "construction-site",
                "Construction site " + site.id().substring(site.id().lastIndexOf('-') + 1),
                site.centre().longitude() - halfSiteLongitude(),
                site.centre().latitude() - halfSiteLatitude(),
                2 * halfSiteLongitude(),
                2 * halfSiteLatitude(),
                siteProperties(site)));
      }
      return new District(
          new JsonObject().put("type", "FeatureCollection").put("features", zones),
          things,
          devices);
    }

    private JsonObject siteProperties(Site site) {
      JsonObject properties =
          new JsonObject()
              .put("approvedVehicles", new JsonArray(site.approved()))
              .put("enterprise", enterpriseOf(site.id()));
      if (site.nightOnly()) {
        properties.put("workingHours", NIGHT_HOURS);
      }
      return properties;
    }

    private String enterpriseOf(String siteId) {
      return "enterprise-" + (Math.abs(siteId.hashCode()) % Math.max(2, sites.size() / 2) + 1);
    }

    private void governance() {
      zones.add(ZoneFeatures.district());
      int streets = streets();
      int communities = communitiesPerStreet();
      int grids = gridsPerCommunitySide();
      double streetHeight = (NORTH - SOUTH) / streets;
      double communityWidth = (EAST - WEST) / communities;
      for (int s = 0; s < streets; s++) {
        double south = SOUTH + s * streetHeight;
        zones.add(ZoneFeatures.street(s + 1, south, streetHeight));
        zones.add(
            ZoneFeatures.patrolTeam(
                "water-team-" + (s + 1), "water", (WEST + EAST) / 2, south + streetHeight / 2));
        zones.add(
            ZoneFeatures.patrolTeam(
                "urban-team-" + (s + 1),
                "urban",
                WEST + communityWidth / 2,
                south + streetHeight / 2));
        for (int c = 0; c < communities; c++) {
          String community = "community-" + (s + 1) + "-" + (c + 1);
          double west = WEST + c * communityWidth;
          zones.add(
              ZoneFeatures.rectangle(
                  community,
                  "community",
                  "Community " + (s + 1) + "-" + (c + 1),
                  west,
                  south,
                  communityWidth,
                  streetHeight,
                  new JsonObject()));
          for (int g = 0; g < grids * grids; g++) {
            zones.add(
                ZoneFeatures.rectangle(
                    gridId(s, c, g),
                    "grid",
                    "Grid " + (s + 1) + "-" + (c + 1) + "-" + (g + 1),
                    west + (g % grids) * communityWidth / grids,
                    south + (g / grids) * streetHeight / grids,
                    communityWidth / grids,
                    streetHeight / grids,
                    new JsonObject()));
          }
        }
      }
    }

    private String gridId(int street, int community, int grid) {
      return "grid-" + (street + 1) + "-" + (community + 1) + "-" + (grid + 1);
    }

    private JsonValue hierarchyAt(WgsPoint point) {
      int s = cell(point.latitude(), SOUTH, NORTH, streets());
      int c = cell(point.longitude(), WEST, EAST, communitiesPerStreet());
      int grids = gridsPerCommunitySide();
      double streetHeight = (NORTH - SOUTH) / streets();
      double communityWidth = (EAST - WEST) / communitiesPerStreet();
      int gx =
          cell(
              point.longitude(), WEST + c * communityWidth, WEST + (c + 1) * communityWidth, grids);
      int gy =
          cell(point.latitude(), SOUTH + s * streetHeight, SOUTH + (s + 1) * streetHeight, grids);
      return JsonFactory.newObjectBuilder()
          .set("district", "gongshu")
          .set("street", "street-" + (s + 1))
          .set("community", "community-" + (s + 1) + "-" + (c + 1))
          .set("grid", gridId(s, c, gy * grids + gx))
          .build();
    }

    private void catchments() {
      int side = catchmentsPerSide();
      double width = (EAST - WEST) / side;
      double height = (NORTH - SOUTH) / side;
      for (int row = 0; row < side; row++) {
        for (int column = 0; column < side; column++) {
          int number = row * side + column + 1;
          zones.add(
              ZoneFeatures.rectangle(
                  String.format(Locale.ROOT, "catchment-%02d", number),
                  "catchment",
                  "Catchment " + number,
                  WEST + column * width,
                  SOUTH + row * height,
                  width,
                  height,
                  new JsonObject()));
        }
      }
    }

    private void canal() {
      ZoneFeatures.river("grand-canal", "Grand Canal", GRAND_CANAL, 40, 60).forEach(zones::add);
    }

    /** Roads east-west through each street's middle and north-south through each community's. */
    private void roads() {
      int streets = streets();
      int communities = communitiesPerStreet();
      for (int s = 0; s < streets; s++) {
        double latitude = SOUTH + (s + 0.5) * (NORTH - SOUTH) / streets;
        addRoad("road-ew-" + (s + 1), new double[] {WEST, latitude}, new double[] {EAST, latitude});
      }
      for (int c = 0; c < communities; c++) {
        double longitude = WEST + (c + 0.5) * (EAST - WEST) / communities;
        addRoad(
            "road-ns-" + (c + 1), new double[] {longitude, SOUTH}, new double[] {longitude, NORTH});
      }
    }

    private void addRoad(String id, double[] from, double[] to) {
      zones.add(ZoneFeatures.line(id, "road", "Road " + id.substring(5), List.of(from, to), 15));
      roads.add(List.of(new WgsPoint(from[0], from[1]), new WgsPoint(to[0], to[1])));
    }

    private void pvFarms() {
      int farms = Math.max(1, (int) Math.round(20 * scale));
      for (int i = 0; i < farms; i++) {
        double west = WEST + 0.005 + random.nextDouble() * (EAST - WEST - 0.015);
        double south = SOUTH + 0.005 + random.nextDouble() * (NORTH - SOUTH - 0.012);
        double[] farm = {west, south, 0.005, 0.004};
        pvFarms.add(farm);
        zones.add(
            ZoneFeatures.rectangle(
                "pv-farm-" + (i + 1),
                "pv-farm",
                "PV farm " + (i + 1),
                west,
                south,
                farm[2],
                farm[3],
                new JsonObject()));
      }
    }

    /** Lin'an's five defence zones, west to east, each with its own urban patrol team. */
    private void patrolZones() {
      double width = (EAST - WEST) / 5;
      for (int i = 0; i < 5; i++) {
        zones.add(
            ZoneFeatures.rectangle(
                "defence-zone-" + (i + 1),
                "patrol-zone",
                "Defence zone " + (i + 1),
                WEST + i * width,
                SOUTH,
                width,
                NORTH - SOUTH,
                new JsonObject()));
        zones.add(
            ZoneFeatures.patrolTeam(
                "defence-team-" + (i + 1), "urban", WEST + (i + 0.5) * width, (SOUTH + NORTH) / 2));
      }
    }

    private double halfSiteLongitude() {
      return SITE_METRES / 2 / METRES_PER_DEGREE_LONGITUDE;
    }

    private double halfSiteLatitude() {
      return SITE_METRES / 2 / METRES_PER_DEGREE_LATITUDE;
    }

    /**
     * Sites on a jittered lattice, one per cell, so that no two touch and a truck leaving one in a
     * straight line is out on the roads before it could reach another.
     */
    private void placeSites() {
      int count = count(categoryCount("construction-site"));
      int columns = (int) Math.ceil(Math.sqrt(count * (EAST - WEST) / (NORTH - SOUTH)));
      int rows = (int) Math.ceil((double) count / columns);
      double cellWidth = (EAST - WEST) / columns;
      double cellHeight = (NORTH - SOUTH) / rows;
      int trucks = muckTrucks();
      for (int i = 0; i < count; i++) {
        double west = WEST + (i % columns) * cellWidth;
        double south = SOUTH + (i / columns) * cellHeight;
        WgsPoint centre =
            new WgsPoint(
                west + cellWidth * (0.3 + 0.4 * random.nextDouble()),
                south + cellHeight * (0.3 + 0.4 * random.nextDouble()));
        // Every truck is approved at two neighbouring sites; night-only sites are every other one.
        List<String> approved = new ArrayList<>();
        for (int t = 0; t < trucks; t++) {
          if (t % count == i || (t + 1) % count == i) {
            approved.add(vehicleId(t).toString());
          }
        }
        sites.add(
            new Site(String.format(Locale.ROOT, "site-%04d", i + 1), centre, i % 2 == 0, approved));
      }
    }

    private int categoryCount(String name) {
      return CATEGORIES.stream()
          .filter(c -> c.name().equals(name))
          .findFirst()
          .orElseThrow()
          .atFullScale();
    }

    /** The first vehicles are the muck trucks: 2 % of them, at least four. */
    private int muckTrucks() {
      return Math.max(4, (int) Math.round(count(categoryCount("vehicle")) * MUCK_TRUCK_SHARE));
    }

    private ThingId vehicleId(int number) {
      return ThingId.of("traffic", String.format(Locale.ROOT, "vehicle-%05d", number + 1));
    }

    private void placeObjects() {
      for (Category category : CATEGORIES) {
        int count = count(category.atFullScale());
        List<Thing> placed = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          ThingId id =
              category.name().equals("vehicle")
                  ? vehicleId(i)
                  : ThingId.of(
                      category.department(),
                      String.format(Locale.ROOT, "%s-%05d", category.name(), i + 1));
          WgsPoint location = objectLocation(category.name(), i, count);
          ThingBuilder.FromScratch builder =
              placedTwin(id, category.name(), location, category.department())
                  .setAttribute(JsonPointer.of("category"), JsonValue.of(category.name()));
          objectAttributes(category.name(), i, builder);
          placed.add(builder.build());
        }
        objects.put(category.name(), placed);
        things.addAll(placed);
      }
    }

    /** A twin of thing model {@code model} at {@code location}, with its place in the district. */
    private ThingBuilder.FromScratch placedTwin(
        ThingId id, String model, WgsPoint location, String department) {
      return ThingsModelFactory.newThingBuilder()
          .setId(id)
          .setDefinition(ThingsModelFactory.newDefinition("citytwin:" + model + ":1.0.0"))
          .setAttribute(ThingModels.LOCATION, location.toGeoJson())
          .setAttribute(ThingModels.HIERARCHY, hierarchyAt(location))
          .setAttribute(JsonPointer.of("department"), JsonValue.of(department));
    }

    private void objectAttributes(String category, int number, ThingBuilder.FromScratch builder) {
      switch (category) {
        case "vehicle" -> {
          int trucks = muckTrucks();
          builder
              .setAttribute(VEHICLE_KIND, JsonValue.of(number < trucks ? MUCK_TRUCK : "car"))
              .setAttribute(
                  JsonPointer.of("plate"),
                  JsonValue.of(String.format(Locale.ROOT, "ZJ-A%05d", number + 1)));
        }
        case "construction-site" -> {
          Site site = sites.get(number);
          builder.setAttribute(JsonPointer.of("site"), JsonValue.of(site.id()));
          builder.setAttribute(JsonPointer.of("enterprise"), JsonValue.of(enterpriseOf(site.id())));
          if (site.nightOnly()) {
            builder.setAttribute(JsonPointer.of("workingHours"), JsonValue.of(NIGHT_HOURS));
          }
        }
        case "waterlogging-point" ->
            builder.setAttribute(JsonPointer.of("catchment"), JsonValue.of(catchmentOf(number)));
        case "river-section" -> {
          RiverLevels levels = RiverLevels.ofSection(number);
          builder
              .setAttribute(JsonPointer.of(RiverLevels.DATUM), JsonValue.of(levels.datum()))
              .setAttribute(
                  JsonPointer.of(RiverLevels.WARNING_LEVEL), JsonValue.of(levels.warningLevel()))
              .setAttribute(
                  JsonPointer.of("guaranteeLevel"), JsonValue.of(levels.guaranteeLevel()));
        }
        default -> {
          // the common attributes say all there is
        }
      }
    }

    /** Waterlogging points go round the catchments so that each has its share of low spots. */
    private String catchmentOf(int pointNumber) {
      int side = catchmentsPerSide();
      return String.format(Locale.ROOT, "catchment-%02d", pointNumber % (side * side) + 1);
    }

    private WgsPoint objectLocation(String category, int number, int count) {
      switch (category) {
        case "lamp-post", "road-segment" -> {
          return alongRoads(number, count, 0.0001);
        }
        case "river-section", "bridge" -> {
          return alongCanal((number + 0.5) / count);
        }
        case "construction-site" -> {
          return sites.get(number).centre();
        }
        case "vehicle" -> {
          if (number < muckTrucks()) {
            return sites.get(number % sites.size()).centre(); // a truck starts at its first site
          }
          return alongRoads(random.nextInt(count), count, 0.0002);
        }
        case "waterlogging-point" -> {
          int side = catchmentsPerSide();
          int catchment = number % (side * side);
          double width = (EAST - WEST) / side;
          double height = (NORTH - SOUTH) / side;
          // Keep low spots off the catchment's edge so each lies in exactly one catchment.
          return new WgsPoint(
              WEST + (catchment % side + 0.1 + 0.8 * random.nextDouble()) * width,
              SOUTH + (catchment / side + 0.1 + 0.8 * random.nextDouble()) * height);
        }
        case "drone-flight" -> {
          if (!pvFarms.isEmpty() && number % 2 == 0) {
            double[] farm = pvFarms.get(number / 2 % pvFarms.size());
            return new WgsPoint(
                farm[0] + random.nextDouble() * farm[2], farm[1] + random.nextDouble() * farm[3]);
          }
          return alongCanal(random.nextDouble());
        }
        default -> throw new IllegalStateException("no placement for " + category);
      }
    }

    /**
     * A point spread evenly along the roads, pushed off the centre line by up to {@code jitter}.
     */
    private WgsPoint alongRoads(int number, int count, double jitter) {
      List<WgsPoint> road = roads.get(number % roads.size());
      double along = (number / roads.size() + 0.5) / Math.ceil((double) count / roads.size());
      WgsPoint from = road.get(0);
      WgsPoint to = road.get(1);
      return new WgsPoint(
          from.longitude()
              + (to.longitude() - from.longitude()) * along
              + (random.nextDouble() - 0.5) * jitter,
          from.latitude()
              + (to.latitude() - from.latitude()) * along
              + (random.nextDouble() - 0.5) * jitter);
    }

    private WgsPoint alongCanal(double share) {
      return ZoneFeatures.along(GRAND_CANAL, share);
    }

    private void placeDevices() {
      HexFormat hex = HexFormat.of();
      int side = catchmentsPerSide();
      for (Kind kind : KINDS) {
        int count = count(kind.atFullScale());
        if (kind.name().equals("rain-gauge")) {
          count = Math.max(count, side * side); // the flood rule wants rain in every catchment
        }
        List<Thing> watched = kind.observes().map(objects::get).orElse(List.of());
        for (int number = 0; number < count; number++) {
          int i = number;
          String deviceId = String.format(Locale.ROOT, "%s-%05d", kind.prefix(), i + 1);
          ThingId thingId = ThingId.of(kind.department(), deviceId);
          Optional<Thing> observed =
              watched.isEmpty() ? Optional.empty() : Optional.of(watched.get(i % watched.size()));
          WgsPoint location = observed.map(this::locationOf).orElseGet(() -> skyStation(i, side));
          ThingBuilder.FromScratch builder =
              placedTwin(thingId, kind.name(), location, kind.department())
                  .setAttribute(JsonPointer.of("kind"), JsonValue.of(kind.name()));
          observed.ifPresent(
              thing ->
                  builder.setAttribute(
                      ThingModels.OBSERVES,
                      JsonValue.of(thing.getEntityId().orElseThrow().toString())));
          // A tracker says what it rides on, so that rules can follow muck trucks only.
          observed
              .flatMap(thing -> thing.getAttributes().flatMap(a -> a.getValue("vehicleKind")))
              .ifPresent(vehicleKind -> builder.setAttribute(VEHICLE_KIND, vehicleKind));
          things.add(builder.build());
          byte[] secret = new byte[12];
          for (int b = 0; b < secret.length; b++) {
            secret[b] = (byte) random.nextInt(256);
          }
          devices.add(
              new SimDevice(
                  kind.department(),
                  deviceId,
                  hex.formatHex(secret),
                  thingId,
                  kind.vendorFormat(),
                  location,
                  catchmentAt(location),
                  observed.flatMap(Thing::getEntityId).orElse(null),
                  observed.map(thing -> kind.observes().orElseThrow()).orElse(null),
                  kind.name(),
                  observed.map(RiverLevels::calibrationOf).orElse(Map.of())));
        }
      }
    }

    private WgsPoint locationOf(Thing thing) {
      return WgsPoint.fromGeoJson(
          thing.getAttributes().orElseThrow().getValue(ThingModels.LOCATION).orElseThrow());
    }

    /** Rain gauges and weather stations: the first of them one per catchment, near its middle. */
    private WgsPoint skyStation(int number, int side) {
      int catchment = number % (side * side);
      double width = (EAST - WEST) / side;
      double height = (NORTH - SOUTH) / side;
      double spread = number < side * side ? 0.3 : 0.8;
      return new WgsPoint(
          WEST + (catchment % side + 0.5 + (random.nextDouble() - 0.5) * spread) * width,
          SOUTH + (catchment / side + 0.5 + (random.nextDouble() - 0.5) * spread) * height);
    }
  }
}
