package org.citytwin.fusion;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;

/**
 * A patrol team that incidents can be dispatched to: Lin'an's five defence-zone teams, an
 * enforcement squad, a drainage crew.
 *
 * @param id unique among teams
 * @param name what the command centre calls it
 * @param department the department it belongs to; dispatch prefers the incident's lead department
 * @param base where it waits between jobs; dispatch measures distance from here
 * @param defenceZone the zone it patrols, empty text if none
 */
public record PatrolTeam(
    String id, String name, String department, WgsPoint base, String defenceZone) {

  /** The GeoJSON feature type of a team in the district's zones file. */
  public static final String FEATURE_TYPE = "patrol-team";

  public PatrolTeam {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(department, "department");
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(defenceZone, "defenceZone");
  }

  /**
   * Reads the teams from a zones FeatureCollection: Point features of type {@value #FEATURE_TYPE}
   * with {@code id}, {@code department} and optional {@code name} and {@code defenceZone}.
   *
   * @throws IllegalArgumentException naming the first team feature that is not valid
   */
  public static List<PatrolTeam> fromGeoJson(JsonObject featureCollection) {
    JsonArray features = ZoneIndex.features(featureCollection);
    List<PatrolTeam> teams = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < features.size(); i++) {
      JsonObject feature =
          features.getValue(i) instanceof JsonObject object ? object : new JsonObject();
      JsonObject properties = feature.getJsonObject("properties", new JsonObject());
      if (!FEATURE_TYPE.equals(properties.getValue("type"))) {
        continue;
      }
      String id = properties.getString("id");
      try {
        WgsPoint base =
            WgsPoint.fromGeoJson(
                JsonFactory.readFrom(feature.getJsonObject("geometry", new JsonObject()).encode()));
        PatrolTeam team =
            new PatrolTeam(
                Objects.requireNonNull(id, "property 'id' is required"),
                properties.getString("name", id),
                Objects.requireNonNull(
                    properties.getString("department"), "property 'department' is required"),
                base,
                properties.getString("defenceZone", ""));
        if (!ids.add(team.id())) {
          throw new IllegalArgumentException("two teams share the id " + id);
        }
        teams.add(team);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "team feature #" + i + " (" + id + "): " + e.getMessage(), e);
      }
    }
    return teams;
  }
}
