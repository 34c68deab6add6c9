package org.citytwin.ingest.format;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.citytwin.ingest.Device;
import org.citytwin.ingest.IngestErrors;
import org.citytwin.ingest.Timestamps;
import org.citytwin.ingest.VendorFormat;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ThingModelCatalogue;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A vendor format declared in YAML rather than written in Java: which payload fields become which
 * feature properties, and how their values are converted to the canonical unit. Adding a vendor
 * needs a YAML file, no code. See docs/ingest.md for the keys; a minimal example:
 *
 * <pre>{@code
 * name: waterlogging-mm
 * kind: waterlogging-gauge
 * time: ts
 * readings:
 *   - property: waterlogging/depth
 *     unit: m
 *     field: depth_mm
 *     scale: 0.001
 *     range: [0, 3]
 * }</pre>
 *
 * <p>A reading's value is {@code field × scale / divideBy + offset + add − subtract}, where {@code
 * divideBy} names another payload field and {@code add} and {@code subtract} name parameters of the
 * device in the registry (a gauge's datum, a river's warning level). With {@code ratePer} the field
 * is a cumulative counter and the reading is its change per that many seconds since the device's
 * previous count ({@link CounterRates}). Values that are no number (a lamp's state, a fault code, a
 * camera's box, a drone's footprint) are declared under {@code states} ({@link StatedRule}). Each
 * declared feature property, unit and type is checked against the thing model of the declared
 * device kind when the format is loaded, so a format cannot write what the model does not define.
 *
 * <p>A format remembers each counter device's newest count and is otherwise stateless; safe for
 * concurrent use.
 */
public final class DeclaredFormat implements VendorFormat {

  /** The coordinate systems positions may arrive in. */
  enum Crs {
    WGS84,
    CGCS2000,
    GCJ02,
    BD09;

    /** The system named as in a format file: {@code GCJ-02}, {@code wgs84}. */
    static Crs of(String name) {
      return valueOf(name.replace("-", "").toUpperCase(java.util.Locale.ROOT));
    }
  }

  private record ValueRule(
      String feature,
      String property,
      CanonicalUnit unit,
      String field,
      double scale,
      double offset,
      Optional<String> divideBy,
      Optional<String> add,
      Optional<String> subtract,
      Optional<double[]> range,
      Optional<Duration> ratePer,
      boolean optional) {}

  private record PositionRule(
      String feature, String longitude, String latitude, Crs crs, boolean optional) {}

  private final String name;
  private final String kind;
  private final Optional<String> timeField;
  private final List<ValueRule> values;
  private final List<PositionRule> positions;
  private final List<StatedRule> stated;
  private final Timestamps timestamps;
  private final CounterRates counterRates = new CounterRates();

  private DeclaredFormat(
      String name,
      String kind,
      Optional<String> timeField,
      List<ValueRule> values,
      List<PositionRule> positions,
      List<StatedRule> stated,
      ZoneId localZone) {
    this.name = name;
    this.kind = kind;
    this.timeField = timeField;
    this.values = List.copyOf(values);
    this.positions = List.copyOf(positions);
    this.stated = List.copyOf(stated);
    this.timestamps = new Timestamps(localZone);
  }

  /**
   * Reads a format from YAML, checking it against the thing models.
   *
   * @param source where the YAML came from, for error messages
   * @throws IllegalArgumentException naming {@code source} and the first problem found
   */
  public static DeclaredFormat parse(
      String source, String yaml, ThingModelCatalogue models, ZoneId localZone) {
    try {
      Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
      if (!(document instanceof Map<?, ?> root)) {
        throw new IllegalArgumentException("the document must be a mapping");
      }
      String name = text(root, "name");
      String kind = text(root, "kind");
      JsonObject model =
          models
              .find(ThingsModelFactory.newDefinition("citytwin:" + kind + ":1.0.0"))
              .map(json -> new JsonObject(json.toString()))
              .orElseThrow(() -> new IllegalArgumentException("no thing model for kind " + kind));
      Optional<String> time = Optional.ofNullable((String) root.get("time"));
      List<ValueRule> values = new ArrayList<>();
      for (Map<?, ?> rule : list(root, "readings")) {
        String[] target = featureProperty(text(rule, "property"));
        CanonicalUnit unit = unit(model, target, text(rule, "unit"));
        values.add(
            new ValueRule(
                target[0],
                target[1],
                unit,
                text(rule, "field"),
                number(rule, "scale", 1.0),
                number(rule, "offset", 0.0),
                Optional.ofNullable((String) rule.get("divideBy")),
                Optional.ofNullable((String) rule.get("add")),
                Optional.ofNullable((String) rule.get("subtract")),
                range(rule),
                ratePer(rule),
                Boolean.TRUE.equals(rule.get("optional"))));
      }
      List<PositionRule> positions = new ArrayList<>();
      for (Map<?, ?> rule : list(root, "positions")) {
        String feature = text(rule, "feature");
        unit(model, new String[] {feature, "longitude"}, CanonicalUnit.DEGREE.symbol());
        unit(model, new String[] {feature, "latitude"}, CanonicalUnit.DEGREE.symbol());
        positions.add(
            new PositionRule(
                feature,
                text(rule, "longitude"),
                text(rule, "latitude"),
                Crs.of(text(rule, "crs")),
                Boolean.TRUE.equals(rule.get("optional"))));
      }
      List<StatedRule> stated = new ArrayList<>();
      for (Map<?, ?> rule : list(root, "states")) {
        String[] target = featureProperty(text(rule, "property"));
        stated.add(StatedRule.parse(rule, target, type(modelProperty(model, target))));
      }
      if (values.isEmpty() && positions.isEmpty() && stated.isEmpty()) {
        throw new IllegalArgumentException("a format needs readings, positions or states");
      }
      return new DeclaredFormat(name, kind, time, values, positions, stated, localZone);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("vendor format " + source + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** The device kind the format serves, for example {@code waterlogging-gauge}. */
  public String kind() {
    return kind;
  }

  @Override
  public List<Reading> normalise(JsonObject payload, Device device, Instant receivedAt) {
    Instant observedAt = observedAt(payload, receivedAt);
    List<Reading> readings = new ArrayList<>(values.size() + 2 * positions.size() + stated.size());
    for (ValueRule rule : values) {
      Optional<Double> raw = number(payload, rule.field(), rule.optional());
      if (raw.isEmpty()) {
        continue;
      }
      double value = scaled(raw.get(), rule.scale());
      if (rule.divideBy().isPresent()) {
        double divisor = number(payload, rule.divideBy().get(), false).orElseThrow();
        if (divisor == 0) {
          throw IngestErrors.PAYLOAD_MALFORMED.toException(
              "'" + rule.divideBy().get() + "' must not be 0.");
        }
        value /= divisor;
      }
      value += rule.offset();
      value += rule.add().map(parameter -> parameter(device, parameter)).orElse(0.0);
      value -= rule.subtract().map(parameter -> parameter(device, parameter)).orElse(0.0);
      if (rule.ratePer().isPresent()) {
        OptionalDouble rate =
            counterRates.next(device.thingId(), value, observedAt, rule.ratePer().get());
        if (rate.isEmpty()) {
          continue;
        }
        value = rate.getAsDouble();
      }
      if (isDecimal(rule.scale())
          || rule.offset() != 0
          || rule.add().isPresent()
          || rule.subtract().isPresent()
          || rule.ratePer().isPresent()) {
        value = withoutBinaryNoise(value);
      }
      if (rule.range().isPresent()
          && (value < rule.range().get()[0] || value > rule.range().get()[1])) {
        throw IngestErrors.READING_IMPLAUSIBLE.toException(
            String.format(
                java.util.Locale.ROOT,
                "%s/%s = %s %s lies outside [%s, %s] (from '%s' = %s).",
                rule.feature(),
                rule.property(),
                value,
                rule.unit().symbol(),
                rule.range().get()[0],
                rule.range().get()[1],
                rule.field(),
                raw.get()));
      }
      readings.add(
          new Reading(
              device.thingId(), rule.feature(), rule.property(), value, rule.unit(), observedAt));
    }
    for (PositionRule rule : positions) {
      Optional<Double> longitude = number(payload, rule.longitude(), rule.optional());
      Optional<Double> latitude = number(payload, rule.latitude(), rule.optional());
      if (longitude.isEmpty() || latitude.isEmpty()) {
        continue;
      }
      WgsPoint point = toWgs84(rule.crs(), longitude.get(), latitude.get());
      readings.add(
          new Reading(
              device.thingId(),
              rule.feature(),
              "longitude",
              point.longitude(),
              CanonicalUnit.DEGREE,
              observedAt));
      readings.add(
          new Reading(
              device.thingId(),
              rule.feature(),
              "latitude",
              point.latitude(),
              CanonicalUnit.DEGREE,
              observedAt));
    }
    for (StatedRule rule : stated) {
      rule.read(field(payload, rule.field()))
          .ifPresent(
              value ->
                  readings.add(
                      new Reading(
                          device.thingId(), rule.feature(), rule.property(), value, observedAt)));
    }
    return readings;
  }

  /**
   * A decimal scale such as 0.01 is applied as a division by 100: 23 × 0.01 is 0.23000000000000001
   * in binary floating point, 23 / 100 is 0.23, the value a person expects to read back.
   */
  /**
   * The value rounded to 12 significant digits. Adding a datum or taking a rate leaves binary noise
   * in the last digits (3.12 + 2.15 - 5.0 = 0.27000000000000046), which would be stored and shown
   * in every twin and export; no sensor measures to 12 digits, so nothing real is lost. Only sums,
   * rates and decimal scales (0.9 cm / 100 = 0.009000000000000001 m) are rounded: a product by an
   * irrational factor (degrees to radians) keeps every digit. Values of a trillion and more, and
   * those too small to scale by an exact power of ten, are left as they are.
   */
  static double withoutBinaryNoise(double value) {
    if (value == 0 || !Double.isFinite(value)) {
      return value;
    }
    int digitsBeforePoint = (int) Math.ceil(Math.log10(Math.abs(value)));
    int decimals = SIGNIFICANT_DIGITS - digitsBeforePoint;
    if (decimals < 0 || decimals >= EXACT_POWERS_OF_TEN.length) {
      return value;
    }
    double scale = EXACT_POWERS_OF_TEN[decimals];
    return Math.rint(value * scale) / scale;
  }

  private static final int SIGNIFICANT_DIGITS = 12;

  /** 10^0 to 10^22: every one of them a double exactly, so dividing by it rounds only once. */
  private static final double[] EXACT_POWERS_OF_TEN = exactPowersOfTen();

  private static double[] exactPowersOfTen() {
    double[] powers = new double[23];
    double power = 1;
    for (int i = 0; i < powers.length; i++) {
      powers[i] = power;
      power *= 10;
    }
    return powers;
  }

  /** Whether a scale multiplies or divides by a whole number (100, 0.001), as unit changes do. */
  private static boolean isDecimal(double scale) {
    if (scale == 0) {
      return false;
    }
    double factor = Math.abs(scale) < 1 ? 1 / scale : scale;
    return Math.abs(factor - Math.rint(factor)) < 1e-9;
  }

  private static double scaled(double raw, double scale) {
    if (scale != 0 && Math.abs(scale) < 1) {
      double divisor = Math.rint(1 / scale);
      if (Math.abs(1 / scale - divisor) < 1e-9) {
        return raw / divisor;
      }
    }
    return raw * scale;
  }

  private Instant observedAt(JsonObject payload, Instant receivedAt) {
    if (timeField.isEmpty()) {
      return receivedAt;
    }
    Object value = field(payload, timeField.get());
    if (value == null) {
      return receivedAt;
    }
    try {
      return timestamps.parse(value);
    } catch (IllegalArgumentException e) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException(
          "Bad '" + timeField.get() + "': " + e.getMessage());
    }
  }

  static WgsPoint toWgs84(Crs crs, double longitude, double latitude) {
    try {
      return switch (crs) {
        case WGS84, CGCS2000 -> new WgsPoint(longitude, latitude);
        case GCJ02 -> ChinaCoordinates.gcj02ToWgs84(longitude, latitude);
        case BD09 -> ChinaCoordinates.bd09ToWgs84(longitude, latitude);
      };
    } catch (IllegalArgumentException e) {
      throw IngestErrors.READING_IMPLAUSIBLE.toException(
          "The position (" + longitude + ", " + latitude + ") is not on the globe.");
    }
  }

  private static double parameter(Device device, String parameter) {
    Double value = device.parameters().get(parameter);
    if (value == null) {
      throw IngestErrors.DEVICE_MISCONFIGURED.toException(
          "Device "
              + device.id()
              + " has no parameter '"
              + parameter
              + "', which its vendor format needs.");
    }
    return value;
  }

  /** The payload value at a slash-separated path, or null if any level is missing. */
  private static Object field(JsonObject payload, String path) {
    Object value = payload;
    for (String level : path.split("/")) {
      if (!(value instanceof JsonObject object)) {
        return null;
      }
      value = object.getValue(level);
    }
    return value;
  }

  private static Optional<Double> number(JsonObject payload, String path, boolean optional) {
    Object value = field(payload, path);
    if (value == null) {
      if (optional) {
        return Optional.empty();
      }
      throw IngestErrors.PAYLOAD_MALFORMED.toException("The payload needs '" + path + "'.");
    }
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
      throw IngestErrors.PAYLOAD_MALFORMED.toException(
          "'" + path + "' must be a number, got: " + value);
    }
    return Optional.of(number.doubleValue());
  }

  private static String[] featureProperty(String path) {
    String[] parts = path.split("/");
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException("property must be 'feature/property', got " + path);
    }
    return parts;
  }

  private static JsonObject modelProperty(JsonObject model, String[] target) {
    return Optional.ofNullable(model.getJsonObject("citytwin:features"))
        .map(features -> features.getJsonObject(target[0]))
        .map(feature -> feature.getJsonObject("properties"))
        .map(properties -> properties.getJsonObject(target[1]))
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "the thing model has no feature property " + target[0] + "/" + target[1]));
  }

  private static String type(JsonObject property) {
    return property.getString("type", "");
  }

  /** The canonical unit, which must be the model's unit for that feature property. */
  private static CanonicalUnit unit(JsonObject model, String[] target, String symbol) {
    JsonObject property = modelProperty(model, target);
    String modelUnit = property.getString("unit");
    if (!Objects.equals(modelUnit, symbol)) {
      throw new IllegalArgumentException(
          target[0]
              + "/"
              + target[1]
              + " is in "
              + modelUnit
              + " in the thing model, not "
              + symbol);
    }
    return CanonicalUnit.ofSymbol(symbol)
        .orElseThrow(() -> new IllegalArgumentException("unknown unit " + symbol));
  }

  static String text(Map<?, ?> map, String key) {
    Object value = map.get(key);
    if (!(value instanceof String text) || text.isBlank()) {
      throw new IllegalArgumentException("'" + key + "' must be a non-empty text");
    }
    return text;
  }

  private static double number(Map<?, ?> map, String key, double fallback) {
    Object value = map.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number number)) {
      throw new IllegalArgumentException("'" + key + "' must be a number, got " + value);
    }
    return number.doubleValue();
  }

  /** {@code ratePer: 3600}: the reading is the counter's change per hour (in seconds). */
  private static Optional<Duration> ratePer(Map<?, ?> rule) {
    Object value = rule.get("ratePer");
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Number seconds) || seconds.doubleValue() <= 0) {
      throw new IllegalArgumentException("'ratePer' must be a positive number of seconds");
    }
    return Optional.of(Duration.ofMillis(Math.round(seconds.doubleValue() * 1000)));
  }

  private static Optional<double[]> range(Map<?, ?> rule) {
    Object value = rule.get("range");
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof List<?> bounds)
        || bounds.size() != 2
        || !(bounds.get(0) instanceof Number low)
        || !(bounds.get(1) instanceof Number high)
        || low.doubleValue() > high.doubleValue()) {
      throw new IllegalArgumentException("'range' must be [low, high], got " + value);
    }
    return Optional.of(new double[] {low.doubleValue(), high.doubleValue()});
  }

  @SuppressWarnings("unchecked")
  private static List<Map<?, ?>> list(Map<?, ?> map, String key) {
    Object value = map.get(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> entries)
        || !entries.stream().allMatch(entry -> entry instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("'" + key + "' must be a list of mappings");
    }
    return (List<Map<?, ?>>) entries;
  }
}
