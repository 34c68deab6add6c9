package org.citytwin.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * watched by a gauge. The same seed always gives the same district.
 *
 * @param seed the random seed
 * @param catchmentsPerSide the catchment grid is this many catchments on each side
 * @param gaugesPerCatchment waterlogging points (and gauges) per catchment
 * @param password the password of every generated device
 */
public record DemoDistrict(
    long seed, int catchmentsPerSide, int gaugesPerCatchment, String password) {

  static final double WEST = 120.10;
  static final double EAST = 120.20;
  static final double SOUTH = 30.27;
  static final double NORTH = 30.36;

  public static final String DEVICE_TENANT = "water";
  public static final String VENDOR_FORMAT = "waterlogging-cm";

  public DemoDistrict {
    if (catchmentsPerSide < 1 || gaugesPerCatchment < 1) {
      throw new IllegalArgumentException("a district needs at least one catchment and one gauge");
    }
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
        String catchmentId =
            String.format(Locale.ROOT, "catchment-%02d", row * catchmentsPerSide + column + 1);
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
          JsonValue hierarchy =
              JsonFactory.newObjectBuilder()
                  .set("district", "gongshu")
                  .set("street", "street-" + (row + 1))
                  .set("community", "community-" + (row + 1) + "-" + (column + 1))
                  .set("grid", "grid-" + (row + 1) + "-" + (column + 1) + "-" + (g + 1))
                  .build();
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
                  "waterlogging-gauge"));
        }
      }
    }
    addGovernance(zoneFeatures, width, height);
    return new District(
        new JsonObject().put("type", "FeatureCollection").put("features", zoneFeatures),
        things,
        devices);
  }

  /**
   * The levels incidents are routed through, matching the twins' hierarchy attribute: the district,
   * a street per row of catchments, a community per catchment; and a patrol team of the water
   * department and one of urban management per street, based at the street's centre and its west
   * end.
   */
  private void addGovernance(JsonArray zoneFeatures, double width, double height) {
    zoneFeatures.add(
        ZoneFeatures.rectangle(
            "gongshu",
            "district",
            "Gongshu District",
            WEST,
            SOUTH,
            EAST - WEST,
            NORTH - SOUTH,
            new JsonObject()));
    for (int row = 0; row < catchmentsPerSide; row++) {
      double south = SOUTH + row * height;
      zoneFeatures.add(
          ZoneFeatures.rectangle(
              "street-" + (row + 1),
              "street",
              "Street " + (row + 1),
              WEST,
              south,
              EAST - WEST,
              height,
              new JsonObject()));
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
