package org.citytwin.twin;

/**
 * The SI unit a canonical reading is expressed in. Each feature property of a thing model has
 * exactly one; vendor units are converted to it at ingest.
 */
public enum CanonicalUnit {
  METRE("m"),
  MILLIMETRE_PER_HOUR("mm/h"),
  MICROSTRAIN("µε"),
  DIMENSIONLESS("1");

  private final String symbol;

  CanonicalUnit(String symbol) {
    this.symbol = symbol;
  }

  /** The symbol used in thing models and in history exports. */
  public String symbol() {
    return symbol;
  }
}
