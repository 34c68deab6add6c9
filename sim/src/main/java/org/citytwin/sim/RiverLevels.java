package org.citytwin.sim;

import java.util.Map;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;

/**
 * A river section's reference levels, in metres in the city's height system: the zero of the gauge
 * that watches it (its datum), the warning line and the guarantee line (the highest level the
 * embankment is built to hold).
 */
record RiverLevels(double datum, double warningLevel, double guaranteeLevel) {

  static final String DATUM = "datum";
  static final String WARNING_LEVEL = "warningLevel";

  /**
   * The levels of the {@code number}th section: the river bed rises upstream, so datums differ from
   * gauge to gauge while the lines stay a fixed height above the bed. Derived from the number only,
   * so that adding them draws nothing from a district's random sequence.
   */
  static RiverLevels ofSection(int number) {
    int datumDecimetres = 10 + number % 10;
    return new RiverLevels(
        datumDecimetres / 10.0, (datumDecimetres + 35) / 10.0, (datumDecimetres + 42) / 10.0);
  }

  /**
   * The calibration a gauge watching {@code section} is registered with, for the {@code
   * water-level-datum-mm} format; none if the section carries no levels.
   */
  static Map<String, Double> calibrationOf(Thing section) {
    return section
        .getAttributes()
        .flatMap(
            attributes -> {
              var datum = attributes.getValue(JsonPointer.of(DATUM)).filter(JsonValue::isNumber);
              var warning =
                  attributes.getValue(JsonPointer.of(WARNING_LEVEL)).filter(JsonValue::isNumber);
              if (datum.isEmpty() || warning.isEmpty()) {
                return java.util.Optional.<Map<String, Double>>empty();
              }
              return java.util.Optional.of(
                  Map.of(DATUM, datum.get().asDouble(), WARNING_LEVEL, warning.get().asDouble()));
            })
        .orElse(Map.of());
  }
}
