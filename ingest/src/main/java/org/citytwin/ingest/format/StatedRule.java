package org.citytwin.ingest.format;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.citytwin.ingest.IngestErrors;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonArrayBuilder;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObjectBuilder;
import org.eclipse.ditto.json.JsonValue;

/**
 * How one payload field becomes a value that is no number: a lamp's on/off state from a vendor's
 * status code, a fault code translated to the city's names, a camera's bounding box, a drone's
 * footprint as a GeoJSON polygon in WGS84. The thing model's property type (boolean, string, array
 * or object) decides what the field must hold; a {@code codes} table translates vendor codes first.
 *
 * <p>Text is bounded ({@link #MAX_TEXT}) because every stated value is kept in history.
 */
record StatedRule(
    String feature,
    String property,
    String type,
    String field,
    Map<String, JsonValue> codes,
    OptionalInt length,
    Optional<DeclaredFormat.Crs> polygonCrs,
    boolean optional) {

  /** The longest text a stated value may hold: a fault description or a snapshot link. */
  static final int MAX_TEXT = 2_048;

  /** The most corners a footprint may have. */
  static final int MAX_CORNERS = 1_000;

  StatedRule {
    codes = Map.copyOf(codes);
  }

  /**
   * Reads a rule from its YAML mapping; {@code type} is the model property's JSON type.
   *
   * @throws IllegalArgumentException if the rule does not fit the model property
   */
  static StatedRule parse(Map<?, ?> rule, String[] target, String type) {
    String field = DeclaredFormat.text(rule, "field");
    Map<String, JsonValue> codes = new LinkedHashMap<>();
    if (rule.get("codes") != null) {
      if (!(rule.get("codes") instanceof Map<?, ?> table) || table.isEmpty()) {
        throw new IllegalArgumentException("'codes' must map vendor codes to values");
      }
      table.forEach(
          (code, value) -> {
            JsonValue json = yamlValue(value);
            if (!hasType(json, type)) {
              throw new IllegalArgumentException(
                  "code "
                      + code
                      + " maps to "
                      + value
                      + ", but "
                      + target[0]
                      + "/"
                      + target[1]
                      + " is a "
                      + type);
            }
            codes.put(codeKey(code), json);
          });
    }
    OptionalInt length = OptionalInt.empty();
    if (rule.get("length") != null) {
      if (!"array".equals(type) || !(rule.get("length") instanceof Integer size) || size < 1) {
        throw new IllegalArgumentException("'length' is a positive count for an array property");
      }
      length = OptionalInt.of(size);
    }
    Optional<DeclaredFormat.Crs> polygonCrs = Optional.empty();
    if (rule.get("polygon") != null) {
      if (!"object".equals(type) || !(rule.get("polygon") instanceof String crs)) {
        throw new IllegalArgumentException(
            "'polygon' names the coordinate system of an object property's corners");
      }
      polygonCrs = Optional.of(DeclaredFormat.Crs.of(crs));
    }
    if (!List.of("boolean", "string", "array", "object").contains(type)) {
      throw new IllegalArgumentException(
          target[0] + "/" + target[1] + " is a " + type + "; numbers belong under 'readings'");
    }
    return new StatedRule(
        target[0],
        target[1],
        type,
        field,
        codes,
        length,
        polygonCrs,
        Boolean.TRUE.equals(rule.get("optional")));
  }

  /**
   * The canonical value of this rule's field, or empty when an optional field is absent.
   *
   * @throws org.citytwin.twin.CitytwinException {@code ingest:payload.malformed} when the field is
   *     missing, of the wrong type, an unknown code or too long; {@code ingest:reading.implausible}
   *     for a footprint off the globe
   */
  Optional<JsonValue> read(Object raw) {
    if (raw == null) {
      if (optional) {
        return Optional.empty();
      }
      throw IngestErrors.PAYLOAD_MALFORMED.toException("The payload needs '" + field + "'.");
    }
    if (!codes.isEmpty()) {
      JsonValue translated = codes.get(codeKey(raw));
      if (translated == null) {
        throw IngestErrors.PAYLOAD_MALFORMED.toException(
            "'" + field + "' = " + raw + " is none of the codes " + codes.keySet() + ".");
      }
      return Optional.of(translated);
    }
    if (polygonCrs.isPresent()) {
      return Optional.of(polygon(raw));
    }
    JsonValue value =
        switch (type) {
          case "boolean" -> raw instanceof Boolean bool ? JsonValue.of(bool) : null;
          case "string" ->
              raw instanceof String text && !text.isBlank() ? JsonValue.of(text) : null;
          case "array" -> raw instanceof JsonArray array ? numbers(array) : null;
          default ->
              raw instanceof JsonObject object ? JsonFactory.readFrom(object.encode()) : null;
        };
    if (value == null) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException(
          "'" + field + "' must be a " + describeType() + ", got: " + raw);
    }
    if (value.toString().length() > MAX_TEXT) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException(
          "'" + field + "' is longer than " + MAX_TEXT + " characters.");
    }
    return Optional.of(value);
  }

  private String describeType() {
    return switch (type) {
      case "string" -> "non-empty text";
      case "array" ->
          length.isPresent() ? "list of " + length.getAsInt() + " numbers" : "list of numbers";
      default -> type;
    };
  }

  /** Boxes and similar arrays: numbers only, of the declared length. */
  private JsonValue numbers(JsonArray array) {
    if (length.isPresent() && array.size() != length.getAsInt()) {
      return null;
    }
    JsonArrayBuilder numbers = JsonFactory.newArrayBuilder();
    for (Object element : array) {
      if (!(element instanceof Number number) || !Double.isFinite(number.doubleValue())) {
        return null;
      }
      numbers.add(JsonValue.of(number.doubleValue()));
    }
    return numbers.build();
  }

  /**
   * A GeoJSON polygon in WGS84 from a list of {@code [longitude, latitude]} corners in the rule's
   * coordinate system; the ring is closed if the vendor left it open.
   */
  private JsonValue polygon(Object raw) {
    if (!(raw instanceof JsonArray corners) || corners.size() > MAX_CORNERS) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException(
          "'" + field + "' must be a list of at most " + MAX_CORNERS + " [longitude, latitude].");
    }
    JsonArrayBuilder ring = JsonFactory.newArrayBuilder();
    WgsPoint first = null;
    WgsPoint last = null;
    int count = 0;
    for (Object corner : corners) {
      if (!(corner instanceof JsonArray pair)
          || pair.size() != 2
          || !(pair.getValue(0) instanceof Number longitude)
          || !(pair.getValue(1) instanceof Number latitude)) {
        throw IngestErrors.PAYLOAD_MALFORMED.toException(
            "Each corner of '" + field + "' must be [longitude, latitude], got: " + corner);
      }
      last =
          DeclaredFormat.toWgs84(
              polygonCrs.orElseThrow(), longitude.doubleValue(), latitude.doubleValue());
      if (first == null) {
        first = last;
      }
      ring.add(position(last));
      count++;
    }
    if (first != null && !first.equals(last)) {
      ring.add(position(first));
      count++;
    }
    if (count < 4) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException(
          "'" + field + "' needs at least three distinct corners.");
    }
    JsonObjectBuilder polygon = JsonFactory.newObjectBuilder();
    polygon.set("type", "Polygon");
    polygon.set("coordinates", JsonFactory.newArrayBuilder().add(ring.build()).build());
    return polygon.build();
  }

  private static JsonValue position(WgsPoint point) {
    return JsonFactory.newArrayBuilder()
        .add(JsonValue.of(point.longitude()), JsonValue.of(point.latitude()))
        .build();
  }

  private static boolean hasType(JsonValue json, String type) {
    return switch (type) {
      case "boolean" -> json.isBoolean();
      case "string" -> json.isString();
      case "array" -> json.isArray();
      case "object" -> json.isObject();
      default -> false;
    };
  }

  /** Vendors send a code as 2, 2.0 or "2": all name the same code. */
  private static String codeKey(Object code) {
    if (code instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
      return Long.toString(number.longValue());
    }
    return String.valueOf(code).toLowerCase(Locale.ROOT);
  }

  private static JsonValue yamlValue(Object value) {
    if (value instanceof Boolean bool) {
      return JsonValue.of(bool);
    }
    if (value instanceof String text) {
      return JsonValue.of(text);
    }
    throw new IllegalArgumentException("a code maps to true, false or a text, not " + value);
  }
}
