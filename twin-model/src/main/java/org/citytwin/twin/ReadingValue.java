package org.citytwin.twin;

import java.util.Objects;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonValue;

/**
 * What a reading says: a number in its canonical unit (a depth, a strain), or a statement that is
 * no number (a lamp on or off, a fault code, a camera's scene type and bounding box, a drone's
 * footprint polygon). Both are written into the twin as the feature property's JSON value; only
 * numbers are checked for spikes and flat lines.
 */
public sealed interface ReadingValue {

  /** The value as it appears in the twin's feature property. */
  JsonValue toJson();

  /** A measured quantity, finite. */
  record Numeric(double number) implements ReadingValue {
    public Numeric {
      if (!Double.isFinite(number)) {
        throw new IllegalArgumentException("a reading's value must be finite, got " + number);
      }
    }

    @Override
    public JsonValue toJson() {
      return JsonValue.of(number);
    }
  }

  /**
   * A value that is no number: a boolean, a text, an array or an object (GeoJSON in WGS84 where it
   * is a place).
   */
  record Stated(JsonValue json) implements ReadingValue {
    public Stated {
      Objects.requireNonNull(json, "json");
      if (json.isNull() || json.isNumber()) {
        throw new IllegalArgumentException(
            "a stated value is a boolean, text, array or object, got " + json);
      }
    }

    @Override
    public JsonValue toJson() {
      return json;
    }
  }

  /**
   * The value a {@link #toJson()} text stands for: a number becomes {@link Numeric}, anything else
   * {@link Stated}.
   *
   * @throws IllegalArgumentException if {@code json} is not JSON or is {@code null}
   */
  static ReadingValue fromJsonText(String json) {
    JsonValue value;
    try {
      value = JsonFactory.readFrom(json);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a JSON value: " + json, e);
    }
    return value.isNumber() ? new Numeric(value.asDouble()) : new Stated(value);
  }
}
