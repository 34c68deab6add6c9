package org.citytwin.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.citytwin.twin.CsvRecords;

/**
 * Device lists as cities keep them, translated to the registry's JSON import format: a CSV export
 * of an asset spreadsheet, or a GeoJSON layer of device points from a GIS. Any problem is reported
 * with its row or feature number, and nothing of the file is registered.
 */
public final class RegistrationFiles {

  /**
   * The CSV columns, in any order; the header row names them. {@code via} lists gateway ids and
   * {@code parameters} {@code name=value} pairs, both separated by {@code ;}. {@code password} is
   * hashed on import; {@code pwdHash} with {@code salt} takes an existing SHA-256 hash instead.
   */
  public static final List<String> CSV_COLUMNS =
      List.of(
          "tenant",
          "deviceId",
          "authId",
          "thingId",
          "vendorFormat",
          "enabled",
          "password",
          "pwdHash",
          "salt",
          "observes",
          "category",
          "via",
          "parameters",
          "longitude",
          "latitude",
          "district",
          "street",
          "community",
          "grid");

  private static final Set<String> TEXT_FIELDS =
      Set.of("tenant", "deviceId", "authId", "thingId", "vendorFormat", "observes", "category");

  private RegistrationFiles() {}

  /**
   * The registrations in {@code csv} (RFC 4180: quoted fields may hold commas, quotes and line
   * breaks). Empty cells are left out.
   *
   * @throws org.citytwin.twin.CitytwinException {@code devices:registration.invalid} naming the row
   */
  public static JsonArray fromCsv(String csv) {
    List<List<String>> rows = csvRows(csv);
    if (rows.isEmpty()) {
      throw invalid("The CSV needs a header row naming its columns.");
    }
    List<String> header = rows.get(0).stream().map(String::strip).toList();
    for (String column : header) {
      if (!CSV_COLUMNS.contains(column)) {
        throw invalid("Unknown CSV column '" + column + "'; the columns are " + CSV_COLUMNS + ".");
      }
    }
    JsonArray registrations = new JsonArray();
    for (int r = 1; r < rows.size(); r++) {
      List<String> cells = rows.get(r);
      if (cells.size() == 1 && cells.get(0).isBlank()) {
        continue;
      }
      if (cells.size() != header.size()) {
        throw invalid(
            "Row "
                + (r + 1)
                + " has "
                + cells.size()
                + " cells, the header "
                + header.size()
                + ".");
      }
      try {
        registrations.add(fromCells(header, cells));
      } catch (IllegalArgumentException e) {
        throw invalid("Row " + (r + 1) + ": " + e.getMessage());
      }
    }
    return registrations;
  }

  private static JsonObject fromCells(List<String> header, List<String> cells) {
    JsonObject json = new JsonObject();
    JsonObject credentials = new JsonObject();
    JsonObject hierarchy = new JsonObject();
    String longitude = null;
    String latitude = null;
    for (int c = 0; c < header.size(); c++) {
      String column = header.get(c);
      String cell = cells.get(c).strip();
      if (cell.isEmpty()) {
        continue;
      }
      if (TEXT_FIELDS.contains(column)) {
        json.put(column, cell);
        continue;
      }
      switch (column) {
        case "enabled" -> json.put("enabled", bool(cell));
        case "password" -> credentials.put("pwd-plain", cell);
        case "pwdHash" ->
            credentials.put("hash-function", PasswordHash.HASH_FUNCTION).put("pwd-hash", cell);
        case "salt" -> credentials.put("salt", cell);
        case "via" -> json.put("via", new JsonArray(List.of((Object[]) cell.split("\\s*;\\s*"))));
        case "parameters" -> json.put("parameters", parameters(cell));
        case "longitude" -> longitude = cell;
        case "latitude" -> latitude = cell;
        default -> hierarchy.put(column, cell);
      }
    }
    if (!credentials.isEmpty()) {
      json.put("credentials", credentials);
    }
    if (!hierarchy.isEmpty()) {
      json.put("hierarchy", hierarchy);
    }
    if ((longitude == null) != (latitude == null)) {
      throw new IllegalArgumentException("give both longitude and latitude, or neither");
    }
    if (longitude != null) {
      json.put(
          "location",
          new JsonObject()
              .put("type", "Point")
              .put("coordinates", new JsonArray().add(number(longitude)).add(number(latitude))));
    }
    return json;
  }

  /**
   * The registrations in a GeoJSON FeatureCollection: each feature's properties are one device in
   * the JSON import format (with {@code password} as a shorthand for plain credentials), its Point
   * geometry (WGS84) the device's location.
   *
   * @throws org.citytwin.twin.CitytwinException {@code devices:registration.invalid} naming the
   *     feature
   */
  public static JsonArray fromGeoJson(JsonObject featureCollection) {
    if (!"FeatureCollection".equals(featureCollection.getValue("type"))
        || !(featureCollection.getValue("features") instanceof JsonArray features)) {
      throw invalid("Send a GeoJSON FeatureCollection with a 'features' array.");
    }
    JsonArray registrations = new JsonArray();
    for (int i = 0; i < features.size(); i++) {
      if (!(features.getValue(i) instanceof JsonObject feature)
          || !(feature.getValue("properties") instanceof JsonObject properties)) {
        throw invalid("Feature " + i + " needs a 'properties' object.");
      }
      JsonObject json = properties.copy();
      Object password = json.remove("password");
      if (password != null) {
        json.put("credentials", new JsonObject().put("pwd-plain", String.valueOf(password)));
      }
      Object geometry = feature.getValue("geometry");
      if (geometry != null) {
        if (!(geometry instanceof JsonObject point) || !"Point".equals(point.getValue("type"))) {
          throw invalid("Feature " + i + ": a device's geometry must be a Point.");
        }
        json.put("location", point);
      }
      registrations.add(json);
    }
    return registrations;
  }

  private static boolean bool(String cell) {
    return switch (cell.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException("enabled must be true or false, got " + cell);
    };
  }

  private static double number(String cell) {
    try {
      return Double.parseDouble(cell);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: " + cell);
    }
  }

  private static JsonObject parameters(String cell) {
    JsonObject parameters = new JsonObject();
    for (String pair : cell.split("\\s*;\\s*")) {
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException("parameters are name=value pairs, got " + pair);
      }
      parameters.put(pair.substring(0, equals).strip(), number(pair.substring(equals + 1).strip()));
    }
    return parameters;
  }

  private static org.citytwin.twin.CitytwinException invalid(String message) {
    return IngestErrors.REGISTRATION_INVALID.toException(message);
  }

  /** Every record of {@code csv}. */
  private static List<List<String>> csvRows(String csv) {
    CsvRecords records = new CsvRecords(new java.io.StringReader(csv));
    List<List<String>> rows = new ArrayList<>();
    try {
      for (Optional<List<String>> row = records.next(); row.isPresent(); row = records.next()) {
        rows.add(row.get());
      }
    } catch (IllegalArgumentException e) {
      throw invalid("The CSV is malformed: " + e.getMessage() + ".");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return rows;
  }
}
