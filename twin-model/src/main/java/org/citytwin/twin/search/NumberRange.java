package org.citytwin.twin.search;

/**
 * The numbers a property must lie between for a filter to match, as doubles and inclusive: wide
 * enough to hold every match (a strict bound is kept inclusive, and rounding to a double never
 * moves a number across its bound), so that it narrows a search but never decides it.
 *
 * @param from the least, or negative infinity
 * @param to the greatest, or positive infinity
 */
public record NumberRange(double from, double to) {

  NumberRange and(NumberRange other) {
    return new NumberRange(Math.max(from, other.from), Math.min(to, other.to));
  }
}
