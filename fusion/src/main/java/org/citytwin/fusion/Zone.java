package org.citytwin.fusion;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonValue;
import org.locationtech.jts.geom.Geometry;

/**
 * A named area of the district: a catchment, a grid, an embankment buffer, a construction site.
 *
 * @param id unique among all zones, for example {@code catchment-03}
 * @param type what kind of area it is; rules select zones by type
 * @param name what people call it
 * @param geometry its outline in WGS84 longitude/latitude
 * @param properties everything else its GeoJSON feature said, for example a construction site's
 *     {@code workingHours} and {@code approvedVehicles}
 */
public record Zone(String id, String type, String name, Geometry geometry, JsonObject properties) {

  /** The zone types of the five-level hierarchy below the city, smallest first. */
  public static final List<String> LEVELS = List.of("grid", "community", "street", "district");

  /** Where a site's working hours are read when it names no time zone. */
  public static final ZoneId DISTRICT_TIME = ZoneId.of("Asia/Shanghai");

  public Zone {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(geometry, "geometry");
    Objects.requireNonNull(properties, "properties");
    if (!geometry.isValid()) {
      throw new IllegalArgumentException("zone " + id + " has an invalid geometry");
    }
  }

  public Zone(String id, String type, String name, Geometry geometry) {
    this(id, type, name, geometry, JsonFactory.newObject());
  }

  /** A text property, if the zone has it. */
  public Optional<String> text(String property) {
    return properties
        .getValue(property)
        .filter(JsonValue::isString)
        .map(JsonValue::asString)
        .filter(text -> !text.isBlank());
  }

  /** A list-of-text property, empty if the zone does not have it. */
  public List<String> texts(String property) {
    List<String> texts = new ArrayList<>();
    properties
        .getValue(property)
        .filter(JsonValue::isArray)
        .ifPresent(
            array ->
                array
                    .asArray()
                    .forEach(
                        value ->
                            texts.add(value.isString() ? value.asString() : value.toString())));
    return texts;
  }

  /**
   * Whether the zone is open at {@code local}, from its {@code workingHours} property ({@code
   * "20:00-06:00"}, which runs past midnight). A zone without working hours is always open.
   *
   * @throws IllegalArgumentException if the property is not two times joined by a dash
   */
  public boolean openAt(LocalTime local) {
    Optional<String> hours = text("workingHours");
    if (hours.isEmpty()) {
      return true;
    }
    String[] parts = hours.get().split("-");
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "zone " + id + ": workingHours must look like 20:00-06:00, not " + hours.get());
    }
    try {
      LocalTime opens = LocalTime.parse(parts[0].trim());
      LocalTime closes = LocalTime.parse(parts[1].trim());
      return opens.isBefore(closes)
          ? !local.isBefore(opens) && local.isBefore(closes)
          : !local.isBefore(opens) || local.isBefore(closes);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "zone " + id + ": workingHours must look like 20:00-06:00, not " + hours.get(), e);
    }
  }

  /** The time zone the zone's working hours are in. */
  public ZoneId timeZone() {
    return text("timeZone").map(ZoneId::of).orElse(DISTRICT_TIME);
  }
}
