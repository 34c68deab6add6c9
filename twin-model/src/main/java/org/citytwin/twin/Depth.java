package org.citytwin.twin;

/**
 * A water depth above ground, in metres: the canonical unit of every waterlogging reading.
 *
 * <p>Vendors report centimetres or millimetres; the conversion happens once, at the edge, through
 * the factory methods, so no code downstream ever handles a depth whose unit lives in a name.
 *
 * @param metres the depth in metres; never negative, never NaN
 */
public record Depth(double metres) {

  /** Deeper than any plausible street flood: a value above it is a unit or sensor error. */
  public static final double MAX_PLAUSIBLE_METRES = 10.0;

  public Depth {
    if (Double.isNaN(metres) || metres < 0 || metres > MAX_PLAUSIBLE_METRES) {
      throw new IllegalArgumentException(
          "a depth must lie between 0 and " + MAX_PLAUSIBLE_METRES + " m, got " + metres);
    }
  }

  public static Depth ofCentimetres(double centimetres) {
    return new Depth(centimetres / 100.0);
  }

  public static Depth ofMillimetres(double millimetres) {
    return new Depth(millimetres / 1000.0);
  }
}
