package org.citytwin.fusion.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.ditto.json.JsonValue;

/**
 * What one twin's value must do for a signal to hold: cross a threshold, rise fast enough, or
 * aggregate over a window past a bound. Values are in the property's canonical unit (ingest has
 * converted them).
 */
public sealed interface Condition {

  /** How far back the condition looks; the engine keeps each twin's values this long. */
  Duration memory();

  /**
   * Whether the condition holds for the value just reported.
   *
   * @param value the reported value
   * @param recent the twin's recent values, the reported one already added when it is a number
   * @param at when the value was reported
   */
  boolean holds(JsonValue value, ValueWindow recent, Instant at);

  private static void requirePositive(Duration duration, String otherwise) {
    Objects.requireNonNull(duration, otherwise);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(otherwise);
    }
  }

  /**
   * A bound on the value itself: above and below are exclusive; equals matches text, booleans and
   * numbers exactly.
   */
  record Threshold(Optional<Double> above, Optional<Double> below, Optional<JsonValue> equals)
      implements Condition {

    public Threshold {
      if (above.isEmpty() && below.isEmpty() && equals.isEmpty()) {
        throw new IllegalArgumentException("a threshold needs above, below or equals");
      }
    }

    @Override
    public Duration memory() {
      return Duration.ZERO;
    }

    @Override
    public boolean holds(JsonValue value, ValueWindow recent, Instant at) {
      if (equals.isPresent()) {
        JsonValue expected = equals.get();
        boolean same =
            expected.isNumber() && value.isNumber()
                ? expected.asDouble() == value.asDouble()
                : expected.equals(value);
        if (!same) {
          return false;
        }
      }
      if (above.isPresent() || below.isPresent()) {
        if (!value.isNumber()) {
          return false;
        }
        double number = value.asDouble();
        return above.map(bound -> number > bound).orElse(true)
            && below.map(bound -> number < bound).orElse(true);
      }
      return true;
    }
  }

  /**
   * The value rose by more than {@code by} within {@code within}: now minus the lowest value
   * reported in that time.
   */
  record Rise(double by, Duration within) implements Condition {

    public Rise {
      requirePositive(within, "a rise needs a positive 'within'");
    }

    @Override
    public Duration memory() {
      return within;
    }

    @Override
    public boolean holds(JsonValue value, ValueWindow recent, Instant at) {
      if (!value.isNumber()) {
        return false;
      }
      double lowest = recent.aggregate(ValueWindow.Aggregate.MIN, at.minus(within));
      return !Double.isNaN(lowest) && value.asDouble() - lowest > by;
    }
  }

  /** An aggregate of the twin's values over the last {@code over} is above or below a bound. */
  record Window(
      ValueWindow.Aggregate aggregate,
      Duration over,
      Optional<Double> above,
      Optional<Double> below)
      implements Condition {

    public Window {
      Objects.requireNonNull(aggregate, "aggregate");
      requirePositive(over, "a window needs a positive 'over'");
      if (above.isEmpty() && below.isEmpty()) {
        throw new IllegalArgumentException("a window needs above or below");
      }
    }

    @Override
    public Duration memory() {
      return over;
    }

    @Override
    public boolean holds(JsonValue value, ValueWindow recent, Instant at) {
      double result = recent.aggregate(aggregate, at.minus(over));
      if (Double.isNaN(result)) {
        return false;
      }
      return above.map(bound -> result > bound).orElse(true)
          && below.map(bound -> result < bound).orElse(true);
    }
  }
}
