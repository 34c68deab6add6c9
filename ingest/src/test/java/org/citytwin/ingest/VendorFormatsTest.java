package org.citytwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.citytwin.twin.ThingModelCatalogue;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shipped vendor format against example payloads ({@code formats/examples.json}: what each
 * becomes) and bad ones ({@code formats/refused.json}: the error code each gets).
 */
class VendorFormatsTest {

  private static final Instant RECEIVED = Instant.parse("2026-07-14T08:30:05Z");
  private static final ThingModelCatalogue MODELS = ThingModelCatalogue.shipped();
  private static final VendorFormats FORMATS = VendorFormats.builtIn(MODELS);

  static Stream<JsonObject> examples() {
    return cases("examples.json");
  }

  static Stream<JsonObject> refused() {
    return cases("refused.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void turnsExamplePayloadsIntoCanonicalReadings(JsonObject example) {
    List<Reading> readings = normalise(example);
    JsonArray expected = example.getJsonArray("expected");
    assertThat(readings).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      JsonObject want = expected.getJsonObject(i);
      Reading reading = readings.get(i);
      assertThat(reading.feature() + "/" + reading.property())
          .isEqualTo(want.getString("property"));
      assertThat(reading.unit().symbol()).isEqualTo(want.getString("unit"));
      if (!(want.getValue("value") instanceof Number)) {
        assertSameJson(
            want.getString("property"),
            reading.value().toJson(),
            JsonFactory.readFrom(Json.encode(want.getValue("value"))),
            want.getDouble("tolerance", 0.0));
      } else if (want.containsKey("tolerance")) {
        assertThat(number(reading))
            .isCloseTo(want.getDouble("value"), within(want.getDouble("tolerance")));
      } else {
        assertThat(number(reading))
            .as(want.getString("property"))
            .isEqualTo(want.getDouble("value"));
      }
      assertThat(reading.observedAt())
          .isEqualTo(
              example.containsKey("observedAt")
                  ? Instant.parse(example.getString("observedAt"))
                  : RECEIVED);
    }
  }

  /** Equal JSON, numbers within {@code tolerance}: a footprint's converted corners. */
  private static void assertSameJson(
      String where,
      org.eclipse.ditto.json.JsonValue actual,
      org.eclipse.ditto.json.JsonValue expected,
      double tolerance) {
    if (expected.isNumber()) {
      assertThat(actual.isNumber()).as(where).isTrue();
      assertThat(actual.asDouble()).as(where).isCloseTo(expected.asDouble(), within(tolerance));
    } else if (expected.isArray()) {
      assertThat(actual.isArray()).as(where).isTrue();
      assertThat(actual.asArray().getSize()).as(where).isEqualTo(expected.asArray().getSize());
      for (int i = 0; i < expected.asArray().getSize(); i++) {
        assertSameJson(
            where + "[" + i + "]",
            actual.asArray().get(i).orElseThrow(),
            expected.asArray().get(i).orElseThrow(),
            tolerance);
      }
    } else if (expected.isObject()) {
      assertThat(actual.isObject()).as(where).isTrue();
      assertThat(actual.asObject().getKeys()).as(where).isEqualTo(expected.asObject().getKeys());
      expected
          .asObject()
          .forEach(
              field ->
                  assertSameJson(
                      where + "/" + field.getKeyName(),
                      actual.asObject().getValue(field.getKey()).orElseThrow(),
                      field.getValue(),
                      tolerance));
    } else {
      assertThat(actual).as(where).isEqualTo(expected);
    }
  }

  private static double number(Reading reading) {
    assertThat(reading.value()).isInstanceOf(ReadingValue.Numeric.class);
    return ((ReadingValue.Numeric) reading.value()).number();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesBadPayloadsWithTheirCodes(JsonObject bad) {
    assertThatThrownBy(() -> normalise(bad))
        .as(bad.getString("why"))
        .isInstanceOfSatisfying(
            CitytwinException.class,
            e -> assertThat(e.getErrorCode()).isEqualTo(bad.getString("error")));
  }

  @Test
  void everyShippedFormatHasExamplesAndAtLeastEightShip() {
    Set<String> shipped =
        FORMATS.all().stream().map(VendorFormat::name).collect(Collectors.toSet());
    Set<String> exemplified =
        examples().map(example -> example.getString("format")).collect(Collectors.toSet());
    assertThat(shipped).hasSizeGreaterThanOrEqualTo(8);
    assertThat(exemplified).containsExactlyInAnyOrderElementsOf(shipped);
  }

  @Test
  void aFormatInTheConfiguredDirectoryIsAddedWithoutJava(@TempDir Path directory)
      throws IOException {
    Files.writeString(
        directory.resolve("gauge-inches.yaml"),
        """
        name: waterlogging-inch
        kind: waterlogging-gauge
        readings:
          - property: waterlogging/depth
            unit: m
            field: inches
            scale: 0.0254
        """);
    VendorFormats formats = FORMATS.withDirectory(directory);
    List<Reading> readings =
        formats
            .find("waterlogging-inch")
            .orElseThrow()
            .normalise(new JsonObject().put("inches", 10), device(Map.of()), RECEIVED);
    assertThat(readings)
        .singleElement()
        .extracting(Reading::value)
        .isEqualTo(new ReadingValue.Numeric(0.254));
    assertThat(formats.find("waterlogging-cm")).as("the shipped ones stay").isPresent();
  }

  @Test
  void aFormatThatWritesWhatTheThingModelLacksIsRefusedAtLoad(@TempDir Path directory)
      throws IOException {
    Files.writeString(
        directory.resolve("wrong-unit.yaml"),
        """
        name: waterlogging-wrong
        kind: waterlogging-gauge
        readings:
          - {property: waterlogging/depth, unit: mm, field: d}
        """);
    assertThatThrownBy(() -> FORMATS.withDirectory(directory))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wrong-unit.yaml")
        .hasMessageContaining("is in m in the thing model, not mm");
    Files.writeString(
        directory.resolve("wrong-unit.yaml"),
        """
        name: waterlogging-wrong
        kind: waterlogging-gauge
        readings:
          - {property: waterlogging/volume, unit: m, field: d}
        """);
    assertThatThrownBy(() -> FORMATS.withDirectory(directory))
        .hasMessageContaining("no feature property waterlogging/volume");
  }

  private static List<Reading> normalise(JsonObject example) {
    Map<String, Double> parameters = new HashMap<>();
    example
        .getJsonObject("parameters", new JsonObject())
        .forEach(
            entry -> parameters.put(entry.getKey(), ((Number) entry.getValue()).doubleValue()));
    // A fresh set of formats for each case: counter formats remember the counts sent "before".
    VendorFormat format =
        VendorFormats.builtIn(MODELS).find(example.getString("format")).orElseThrow();
    Device device = device(parameters);
    example
        .getJsonArray("before", new JsonArray())
        .forEach(before -> format.normalise((JsonObject) before, device, RECEIVED));
    return format.normalise(example.getJsonObject("payload"), device, RECEIVED);
  }

  private static Device device(Map<String, Double> parameters) {
    return new Device(
        new DeviceId("water", "dev-1"),
        "dev-1",
        PasswordHash.of("x", new SecureRandom()),
        ThingId.of("water", "dev-1"),
        "any",
        true,
        parameters,
        Set.of(),
        Optional.empty(),
        Reading.UNCLASSIFIED);
  }

  private static Stream<JsonObject> cases(String file) {
    try (InputStream in = VendorFormatsTest.class.getResourceAsStream("/formats/" + file)) {
      JsonArray cases = new JsonArray(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      return cases.stream().map(JsonObject.class::cast);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
