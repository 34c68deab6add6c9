package org.citytwin.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.citytwin.twin.ThingModels;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;

/**
 * Generates a small flood-control district in Gongshu (northern Hangzhou, 120.10-120.20 E,
 * 30.27-30.36 N): a grid of drainage catchments, and in each a few waterlogging points, each
 * watched by a gauge; optionally a river crossing the district with water-level gauges along it,
 * and rain gauges in every catchment. The same seed always gives the same district.
 *
 * @param seed the random seed
 * @param catchmentsPerSide the catchment grid is this many catchments on each side
 * @param gaugesPerCatchment waterlogging points (and gauges) per catchment
 * @param riverGauges river sections along the Shangtang River, each watched by a water-level gauge;
 *     0 leaves the river out
 * @param rainGaugesPerCatchment tipping-bucket rain gauges in each catchment
 * @param password the password of every generated device
 */
public record DemoDistrict(
    long seed,
    int catchmentsPerSide,
    int gaugesPerCatchment,
    int riverGauges,
    int rainGaugesPerCatchment,
    String password) {

  static final double WEST = 120.10;
  static final double EAST = 120.20;
  static final double SOUTH = 30.27;
  static final double NORTH = 30.36;

  /**
   * The river's course, west to east, {longitude, latitude}: it meanders about the district's
   * middle latitude, which is where the storm's cell crosses.
   */
  private static final double[][] RIVER = {
    {WEST, 30.300}, {120.130, 30.312}, {120.155, 30.305}, {120.180, 30.322}, {EAST, 30.330}
  };

  public static final String DEVICE_TENANT = "water";
  public static final String VENDOR_FORMAT = "waterlogging-cm";
  public static final String RIVER_GAUGE_FORMAT = "water-level-datum-mm";
  public static final String RAIN_GAUGE_FORMAT = "rain-tipping-bucket";

  public DemoDistrict {
    if (catchmentsPerSide < 1 || gaugesPerCatchment < 1) {
      throw new IllegalArgumentException("a district needs at least one catchment and one gauge");
    }
    if (riverGauges < 0 || rainGaugesPerCatchment < 0) {
      throw new IllegalArgumentException("gauge counts cannot be negative");
    }
  }

  /** A district of catchments and waterlogging gauges only: no river, no rain gauges. */
  public DemoDistrict(long seed, int catchmentsPerSide, int gaugesPerCatchment, String password) {
    this(seed, catchmentsPerSide, gaugesPerCatchment, 0, 0, password);
  }

  public District generate() {
    SplittableRandom random = new SplittableRandom(seed);
    JsonArray zoneFeatures = new JsonArray();
    List<Thing> things = new ArrayList<>();
    List<SimDevice> devices = new ArrayList<>();
    double width = (EAST - WEST) / catchmentsPerSide;
    double height = (NORTH - SOUTH) / catchmentsPerSide;
    int gaugeNumber = 0;
    for (int row = 0; row < catchmentsPerSide; row++) {
      for (int column = 0; column < catchmentsPerSide; column++) {
        String catchmentId = catchmentId(row, column);
        double west = WEST + column * width;
        double south = SOUTH + row * height;
        zoneFeatures.add(
            ZoneFeatures.rectangle(
                catchmentId,
                "catchment",
                "Catchment " + (row * catchmentsPerSide + column + 1),
                west,
                south,
                width,
                height,
                new JsonObject()));
        for (int g = 0; g < gaugesPerCatchment; g++) {
          gaugeNumber++;
          // Keep gauges off the catchment's edge so each lies in exactly one catchment.
          WgsPoint location =
              new WgsPoint(
                  west + width * (0.1 + 0.8 * random.nextDouble()),
                  south + height * (0.1 + 0.8 * random.nextDouble()));
          String number = String.format(Locale.ROOT, "%04d", gaugeNumber);
          ThingId pointId = ThingId.of(DEVICE_TENANT, "wlp-" + number);
          ThingId gaugeId = ThingId.of(DEVICE_TENANT, "wlg-" + number);
          JsonValue hierarchy = hierarchy(row, column, g + 1);
          things.add(
              ThingsModelFactory.newThingBuilder()
                  .setId(pointId)
                  .setDefinition(
                      ThingsModelFactory.newDefinition("citytwin:waterlogging-point:1.0.0"))
                  .setAttribute(ThingModels.LOCATION, location.toGeoJson())
                  .setAttribute(ThingModels.HIERARCHY, hierarchy)
                  .setAttribute(
                      JsonFactory.newPointer("category"), JsonValue.of("waterlogging-point"))
                  .build());
          things.add(
              ThingsModelFactory.newThingBuilder()
                  .setId(gaugeId)
                  .setDefinition(ThingModels.WATERLOGGING_GAUGE)
                  .setAttribute(ThingModels.LOCATION, location.toGeoJson())
                  .setAttribute(ThingModels.HIERARCHY, hierarchy)
                  .setAttribute(ThingModels.OBSERVES, JsonValue.of(pointId.toString()))
                  .setAttribute(JsonFactory.newPointer("kind"), JsonValue.of("waterlogging-gauge"))
                  .setFeatureProperty(
                      ThingModels.WATERLOGGING_FEATURE,
                      JsonFactory.newPointer(ThingModels.DEPTH_PROPERTY),
                      JsonValue.of(0.0))
                  .build());
          devices.add(
              new SimDevice(
                  DEVICE_TENANT,
                  "wlg-" + number,
                  password,
                  gaugeId,
                  VENDOR_FORMAT,
                  location,
                  catchmentId,
                  pointId,
                  "waterlogging-point",
                  "waterlogging-gauge",
                  Map.of()));
        }
      }
    }
    if (riverGauges > 0) {
      addRiver(zoneFeatures, things, devices, width, height);
    }
    addRainGauges(things, devices, random, width, height);
    addGovernance(zoneFeatures, width, height);
    return new District(
        new JsonObject().put("type", "FeatureCollection").put("features", zoneFeatures),
        things,
        devices);
  }

  /**
   * The river and its two embankments (one zone per leg, as the embankment rule expects), and the
   * gauges along it: each watches a river section with its own datum and warning line, spaced
   * evenly from the western edge to the eastern.
   */
  private void addRiver(
      JsonArray zoneFeatures,
      List<Thing> things,
      List<SimDevice> devices,
      double width,
      double height) {
    ZoneFeatures.river("shangtang-river", "Shangtang River", RIVER, 30, 50)
        .forEach(zoneFeatures::add);
    for (int i = 0; i < riverGauges; i++) {
      String number = String.format(Locale.ROOT, "%02d", i + 1);
      WgsPoint location = ZoneFeatures.along(RIVER, (i + 0.5) / riverGauges);
      int row = GeneratedDistrict.cell(location.latitude(), SOUTH, NORTH, catchmentsPerSide);
      int column = GeneratedDistrict.cell(location.longitude(), WEST, EAST, catchmentsPerSide);
      RiverLevels levels = RiverLevels.ofSection(i);
      ThingId sectionId = ThingId.of(DEVICE_TENANT, "rs-" + number);
      ThingId gaugeId = ThingId.of(DEVICE_TENANT, "wl-" + number);
      JsonValue hierarchy = hierarchy(row, column, 1);
      Thing section =
          ThingsModelFactory.newThingBuilder()
              .setId(sectionId)
              .setDefinition(ThingsModelFactory.newDefinition("citytwin:river-section:1.0.0"))
              .setAttribute(ThingModels.LOCATION, location.toGeoJson())
              .setAttribute(ThingModels.HIERARCHY, hierarchy)
              .setAttribute(
                  JsonFactory.newPointer("name"), JsonValue.of("Shangtang River " + number))
              .setAttribute(JsonFactory.newPointer(RiverLevels.DATUM), JsonValue.of(levels.datum()))
              .setAttribute(
                  JsonFactory.newPointer(RiverLevels.WARNING_LEVEL),
                  JsonValue.of(levels.warningLevel()))
              .setAttribute(
                  JsonFactory.newPointer("guaranteeLevel"), JsonValue.of(levels.guaranteeLevel()))
              .build();
      things.add(section);
      things.add(
          ThingsModelFactory.newThingBuilder()
              .setId(gaugeId)
              .setDefinition(ThingsModelFactory.newDefinition("citytwin:water-level-gauge:1.0.0"))
              .setAttribute(ThingModels.LOCATION, location.toGeoJson())
              .setAttribute(ThingModels.HIERARCHY, hierarchy)
              .setAttribute(ThingModels.OBSERVES, JsonValue.of(sectionId.toString()))
              .setAttribute(JsonFactory.newPointer("kind"), JsonValue.of("water-level-gauge"))
              .build());
      devices.add(
          new SimDevice(
              DEVICE_TENANT,
              "wl-" + number,
              password,
              gaugeId,
              RIVER_GAUGE_FORMAT,
              location,
              catchmentId(row, column),
              sectionId,
              "river-section",
              "water-level-gauge",
              RiverLevels.calibrationOf(section)));
    }
  }

  /** Rain gauges stand near their catchment's middle, where the rain they report is typical. */
  private void addRainGauges(
      List<Thing> things,
      List<SimDevice> devices,
      SplittableRandom random,
      double width,
      double height) {
    int gaugeNumber = 0;
    for (int row = 0; row < catchmentsPerSide; row++) {
      for (int column = 0; column < catchmentsPerSide; column++) {
        for (int g = 0; g < rainGaugesPerCatchment; g++) {
          gaugeNumber++;
          WgsPoint location =
              new WgsPoint(
                  WEST + width * (column + 0.35 + 0.3 * random.nextDouble()),
                  SOUTH + height * (row + 0.35 + 0.3 * random.nextDouble()));
          String deviceId = String.format(Locale.ROOT, "rg-%03d", gaugeNumber);
          ThingId gaugeId = ThingId.of(DEVICE_TENANT, deviceId);
          things.add(
              ThingsModelFactory.newThingBuilder()
                  .setId(gaugeId)
                  .setDefinition(ThingsModelFactory.newDefinition("citytwin:rain-gauge:1.0.0"))
                  .setAttribute(ThingModels.LOCATION, location.toGeoJson())
                  .setAttribute(ThingModels.HIERARCHY, hierarchy(row, column, g + 1))
                  .setAttribute(JsonFactory.newPointer("kind"), JsonValue.of("rain-gauge"))
                  .build());
          devices.add(
              new SimDevice(
                  DEVICE_TENANT,
                  deviceId,
                  password,
                  gaugeId,
                  RAIN_GAUGE_FORMAT,
                  location,
                  catchmentId(row, column),
                  null,
                  null,
                  "rain-gauge",
                  Map.of()));
        }
      }
    }
  }

  private String catchmentId(int row, int column) {
    return String.format(Locale.ROOT, "catchment-%02d", row * catchmentsPerSide + column + 1);
  }

  private static JsonValue hierarchy(int row, int column, int grid) {
    return JsonFactory.newObjectBuilder()
        .set("district", "gongshu")
        .set("street", "street-" + (row + 1))
        .set("community", "community-" + (row + 1) + "-" + (column + 1))
        .set("grid", "grid-" + (row + 1) + "-" + (column + 1) + "-" + grid)
        .build();
  }

  /**
   * The levels incidents are routed through, matching the twins' hierarchy attribute: the district,
   * a street per row of catchments, a community per catchment; and a patrol team of the water
   * department and one of urban management per street, based at the street's centre and its west
   * end.
   */
  private void addGovernance(JsonArray zoneFeatures, double width, double height) {
    zoneFeatures.add(ZoneFeatures.district());
    for (int row = 0; row < catchmentsPerSide; row++) {
      double south = SOUTH + row * height;
      zoneFeatures.add(ZoneFeatures.street(row + 1, south, height));
      for (int column = 0; column < catchmentsPerSide; column++) {
        zoneFeatures.add(
            ZoneFeatures.rectangle(
                "community-" + (row + 1) + "-" + (column + 1),
                "community",
                "Community " + (row + 1) + "-" + (column + 1),
                WEST + column * width,
                south,
                width,
                height,
                new JsonObject()));
      }
      zoneFeatures.add(
          ZoneFeatures.patrolTeam(
              "water-team-" + (row + 1), "water", (WEST + EAST) / 2, south + height / 2));
      zoneFeatures.add(
          ZoneFeatures.patrolTeam(
              "urban-team-" + (row + 1), "urban", WEST + width / 4, south + height / 2));
    }
  }
}
