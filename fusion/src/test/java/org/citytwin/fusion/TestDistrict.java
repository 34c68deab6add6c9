package org.citytwin.fusion;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.citytwin.fusion.rules.Rule;
import org.citytwin.twin.AttributesText;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObjectBuilder;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;

/**
 * The small district fusion's tests share: a district, two streets, a community, a grid, two
 * catchments, an embankment strip along a river line, a road, a PV farm, a construction site and
 * three patrol teams, in Gongshu's corner of Hangzhou.
 */
final class TestDistrict {

  /** 14:00 in Hangzhou: inside no night-time site's working hours. */
  static final Instant AFTERNOON = Instant.parse("2026-07-14T06:00:00Z");

  static final WgsPoint WEST_CATCHMENT = new WgsPoint(120.12, 30.30);
  static final WgsPoint WEST_CATCHMENT_2 = new WgsPoint(120.13, 30.29);
  static final WgsPoint EAST_CATCHMENT = new WgsPoint(120.17, 30.30);
  static final WgsPoint ON_EMBANKMENT = new WgsPoint(120.14, 30.3302);
  static final WgsPoint SITE_A = new WgsPoint(120.125, 30.285);
  static final WgsPoint ON_ROAD = new WgsPoint(120.1101, 30.31);
  static final WgsPoint PV_FARM = new WgsPoint(120.185, 30.345);

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  static JsonObject geoJson() {
    JsonArray features =
        new JsonArray()
            .add(box("gongshu", "district", 120.10, 30.27, 120.20, 30.36, new JsonObject()))
            .add(box("street-1", "street", 120.10, 30.27, 120.15, 30.36, new JsonObject()))
            .add(box("street-2", "street", 120.15, 30.27, 120.20, 30.36, new JsonObject()))
            .add(box("community-1a", "community", 120.10, 30.27, 120.15, 30.32, new JsonObject()))
            .add(box("grid-1a-1", "grid", 120.10, 30.27, 120.125, 30.32, new JsonObject()))
            .add(box("catchment-west", "catchment", 120.10, 30.27, 120.15, 30.32, new JsonObject()))
            .add(box("catchment-east", "catchment", 120.15, 30.27, 120.20, 30.32, new JsonObject()))
            .add(
                line(
                    "embankment-canal",
                    "embankment",
                    new double[][] {{120.10, 30.33}, {120.20, 30.33}},
                    new JsonObject().put(ZoneIndex.BUFFER_METRES, 50)))
            .add(
                line(
                    "road-1",
                    "road",
                    new double[][] {{120.11, 30.27}, {120.11, 30.36}},
                    new JsonObject().put(ZoneIndex.BUFFER_METRES, 20)))
            .add(box("pv-farm-1", "pv-farm", 120.18, 30.34, 120.19, 30.35, new JsonObject()))
            .add(
                box(
                    "site-a",
                    "construction-site",
                    120.12,
                    30.28,
                    120.13,
                    30.29,
                    new JsonObject()
                        .put("workingHours", "20:00-06:00")
                        .put("approvedVehicles", new JsonArray().add("fleet:truck-1"))
                        .put("enterprise", "Hangzhou Earthworks Co.")))
            .add(team("team-north", "urban", 120.15, 30.35))
            .add(team("team-south", "urban", 120.12, 30.275))
            .add(team("team-pv", "energy", 120.19, 30.36));
    return new JsonObject().put("type", "FeatureCollection").put("features", features);
  }

  static ZoneIndex zones() {
    return ZoneIndex.fromGeoJson(geoJson());
  }

  static List<PatrolTeam> teams() {
    return PatrolTeam.fromGeoJson(geoJson());
  }

  static FusionEngine engine(Clock clock) {
    return engine(clock, new RuleLoader().loadShipped());
  }

  static FusionEngine engine(Clock clock, List<Rule> rules) {
    ZoneIndex zones = zones();
    return new FusionEngine(
        zones, new IncidentBook(zones, teams(), SlaPolicy.defaults()), rules, clock);
  }

  static Observation reading(
      String thingId,
      String definition,
      WgsPoint location,
      String valuePath,
      JsonValue value,
      Instant at) {
    return reading(thingId, definition, location, valuePath, value, at, Map.of());
  }

  static Observation reading(
      String thingId,
      String definition,
      WgsPoint location,
      String valuePath,
      JsonValue value,
      Instant at,
      Map<String, String> attributes) {
    JsonObjectBuilder attributesJson =
        JsonFactory.newObjectBuilder().set("location", location.toGeoJson());
    attributes.forEach(attributesJson::set);
    return new Observation(
        ThingId.of(thingId),
        definition,
        Optional.of(location),
        AttributesText.of(attributesJson.build()),
        JsonFactory.newObject().setValue(JsonPointer.of(valuePath), value),
        at);
  }

  private static JsonObject box(
      String id,
      String type,
      double west,
      double south,
      double east,
      double north,
      JsonObject extra) {
    JsonArray ring =
        new JsonArray()
            .add(new JsonArray().add(west).add(south))
            .add(new JsonArray().add(east).add(south))
            .add(new JsonArray().add(east).add(north))
            .add(new JsonArray().add(west).add(north))
            .add(new JsonArray().add(west).add(south));
    return feature(
        id,
        type,
        extra,
        new JsonObject().put("type", "Polygon").put("coordinates", new JsonArray().add(ring)));
  }

  private static JsonObject line(String id, String type, double[][] points, JsonObject extra) {
    JsonArray coordinates = new JsonArray();
    for (double[] point : points) {
      coordinates.add(new JsonArray().add(point[0]).add(point[1]));
    }
    return feature(
        id,
        type,
        extra,
        new JsonObject().put("type", "LineString").put("coordinates", coordinates));
  }

  private static JsonObject team(String id, String department, double longitude, double latitude) {
    return feature(
        id,
        PatrolTeam.FEATURE_TYPE,
        new JsonObject().put("department", department),
        new JsonObject()
            .put("type", "Point")
            .put("coordinates", new JsonArray().add(longitude).add(latitude)));
  }

  private static JsonObject feature(String id, String type, JsonObject extra, JsonObject geometry) {
    JsonObject properties = extra.copy().put("id", id).put("type", type).put("name", id);
    return new JsonObject()
        .put("type", "Feature")
        .put("properties", properties)
        .put("geometry", geometry);
  }

  private TestDistrict() {}
}
