package org.citytwin.twin;

import java.util.Arrays;
import java.util.Optional;

/**
 * The unit a canonical reading is expressed in: SI, or the unit a city's standards use where SI has
 * none (NTU for turbidity, dB(A) for noise). Each feature property of a thing model has exactly
 * one, named by its symbol (UCUM where one exists); vendor units are converted to it at ingest.
 */
public enum CanonicalUnit {
  METRE("m"),
  MILLIMETRE("mm"),
  SQUARE_METRE("m2"),
  MILLIMETRE_PER_HOUR("mm/h"),
  METRE_PER_SECOND("m/s"),
  MICROSTRAIN("µε"),
  RADIAN("rad"),
  DEGREE("deg"),
  CELSIUS("Cel"),
  KELVIN("K"),
  PASCAL("Pa"),
  JOULE("J"),
  WATT("W"),
  SIEMENS_PER_METRE("S/m"),
  MILLIGRAM_PER_LITRE("mg/L"),
  MICROGRAM_PER_CUBIC_METRE("ug/m3"),
  CELLS_PER_MILLILITRE("cells/mL"),
  NEPHELOMETRIC_TURBIDITY_UNIT("NTU"),
  DECIBEL_A("dB(A)"),
  DIMENSIONLESS("1"),
  /** The unit of a value that is no quantity: a state, a code, a box, a footprint. */
  NONE("");

  private final String symbol;

  CanonicalUnit(String symbol) {
    this.symbol = symbol;
  }

  /** The symbol used in thing models and in history exports. */
  public String symbol() {
    return symbol;
  }

  /** The unit whose {@link #symbol} is {@code symbol}, if any. */
  public static Optional<CanonicalUnit> ofSymbol(String symbol) {
    return Arrays.stream(values()).filter(unit -> unit.symbol.equals(symbol)).findFirst();
  }
}
