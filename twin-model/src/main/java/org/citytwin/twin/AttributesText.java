package org.citytwin.twin;

import java.util.Objects;
import java.util.Optional;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;

/**
 * A thing's attributes as an event hands them over: the JSON text of the attributes object, read a
 * value at a time without parsing the rest ({@link #value}), and parsed whole only for a consumer
 * that asks ({@link #object}).
 *
 * <p>Why text: every device of a district reports every second or two, and each of its events
 * carries the device's attributes. Held as Ditto's parsed object beside each twin for those events,
 * 300 bytes of attributes took about 3.7 KiB of heap (Ditto keeps each nested object's fields and
 * text side by side), over 2 KiB per twin across a district; the text is 350 bytes, and fusion
 * reads two or three values of it per event.
 *
 * <p>Immutable; equal when the attributes are equal as JSON.
 */
public final class AttributesText {

  // The parts of a GeoJSON Point, for point().
  private static final JsonPointer TYPE = JsonPointer.of("type");
  private static final JsonPointer COORDINATES = JsonPointer.of("coordinates");
  private static final java.util.regex.Pattern JSON_NUMBER =
      java.util.regex.Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");

  // Without a memo: shared by every thread, and it has no point to remember.
  private static final AttributesText NONE =
      new AttributesText("{}", JsonFactory.newObject(), null);

  private final String text;
  // The parsed object: given, or parsed on first ask and kept for this instance (an event's life).
  private volatile JsonObject parsed;
  // The last point() answer; shared by every instance over the same text of one twin's base.
  // Null for none().
  private final PointMemo pointMemo;

  private AttributesText(String text, JsonObject parsed, PointMemo pointMemo) {
    this.text = text;
    this.parsed = parsed;
    this.pointMemo = pointMemo;
  }

  /**
   * The last {@link #point} asked of one attributes text and its answer. Fusion asks each event of
   * a twin for its location, and a twin's base (so its attributes' text) outlives thousands of its
   * readings: reading the Point from the text again for each was a twelfth of a loaded server's
   * time. Holders replace the answer whole, so a reader on any thread sees a consistent pair.
   */
  static final class PointMemo {
    private volatile PointAnswer last;

    private record PointAnswer(JsonPointer pointer, Optional<WgsPoint> point) {}
  }

  /** No attributes. */
  public static AttributesText none() {
    return NONE;
  }

  /**
   * Attributes from the JSON text of an object, as Ditto renders it (read as JSON, not checked).
   */
  public static AttributesText ofText(String objectText) {
    return ofText(objectText, new PointMemo());
  }

  /**
   * Attributes from the JSON text of an object, remembering points in {@code memo}, which must only
   * ever be given this same text.
   */
  static AttributesText ofText(String objectText, PointMemo memo) {
    return new AttributesText(Objects.requireNonNull(objectText, "objectText"), null, memo);
  }

  /** Attributes already parsed. */
  public static AttributesText of(JsonObject attributes) {
    return new AttributesText(attributes.toString(), attributes, new PointMemo());
  }

  /** The value at {@code pointer} below the attributes, read from the text unless parsed. */
  public Optional<JsonValue> value(JsonPointer pointer) {
    JsonObject object = parsed;
    if (object != null) {
      return object.getValue(pointer);
    }
    return JsonText.valueAt(text, pointer);
  }

  /**
   * The GeoJSON Point at {@code pointer} below the attributes (a thing's {@code location}), as
   * {@link WgsPoint#fromGeoJson} reads it, empty when there is none or it is not a Point.
   *
   * <p>Why not through {@link #value}: fusion asks every event for its thing's location, and
   * parsing the Point into Ditto's JSON for it took a sixth of fusion's time at 20,000 readings a
   * second. The common text, {@code {"type":"Point","coordinates":[lon,lat]}}, is read directly;
   * anything less plain goes the parsing way, so both answer alike.
   */
  public Optional<WgsPoint> point(JsonPointer pointer) {
    if (pointMemo == null) {
      return readPoint(pointer);
    }
    PointMemo.PointAnswer last = pointMemo.last;
    if (last != null && (last.pointer() == pointer || last.pointer().equals(pointer))) {
      return last.point();
    }
    Optional<WgsPoint> point = readPoint(pointer);
    pointMemo.last = new PointMemo.PointAnswer(pointer, point);
    return point;
  }

  private Optional<WgsPoint> readPoint(JsonPointer pointer) {
    if (parsed == null) {
      Optional<String> type = JsonText.textAt(text, pointer.append(TYPE));
      Optional<String> coordinates = JsonText.textAt(text, pointer.append(COORDINATES));
      if (type.isPresent() && coordinates.isPresent()) {
        Optional<double[]> plain = plainPair(coordinates.get());
        if (type.get().equals("\"Point\"") && plain.isPresent()) {
          try {
            return Optional.of(new WgsPoint(plain.get()[0], plain.get()[1]));
          } catch (IllegalArgumentException outOfRange) {
            return Optional.empty();
          }
        }
      }
    }
    try {
      return value(pointer).map(WgsPoint::fromGeoJson);
    } catch (IllegalArgumentException | UnsupportedOperationException notAPoint) {
      return Optional.empty();
    }
  }

  /** The first two of an array of two or three plain JSON numbers; empty for anything else. */
  private static Optional<double[]> plainPair(String arrayText) {
    if (arrayText.length() < 2
        || arrayText.charAt(0) != '['
        || arrayText.charAt(arrayText.length() - 1) != ']') {
      return Optional.empty();
    }
    String[] parts = arrayText.substring(1, arrayText.length() - 1).split(",", -1);
    if (parts.length < 2 || parts.length > 3) {
      return Optional.empty();
    }
    double[] pair = new double[2];
    for (int i = 0; i < parts.length; i++) {
      String number = parts[i].strip();
      if (!JSON_NUMBER.matcher(number).matches()) {
        return Optional.empty();
      }
      if (i < 2) {
        pair[i] = Double.parseDouble(number);
      }
    }
    return Optional.of(pair);
  }

  /** The attributes as Ditto's JSON object, parsed the first time this is asked. */
  public JsonObject object() {
    JsonObject object = parsed;
    if (object == null) {
      object = JsonFactory.newObject(text);
      parsed = object;
    }
    return object;
  }

  /** The attributes' JSON text. */
  public String text() {
    return text;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AttributesText attributes
        && (text.equals(attributes.text) || object().equals(attributes.object()));
  }

  @Override
  public int hashCode() {
    return object().hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
