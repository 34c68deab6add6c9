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

  private static final AttributesText NONE = new AttributesText("{}", JsonFactory.newObject());

  private final String text;
  // The parsed object: given, or parsed on first ask and kept for this instance (an event's life).
  private volatile JsonObject parsed;

  private AttributesText(String text, JsonObject parsed) {
    this.text = text;
    this.parsed = parsed;
  }

  /** No attributes. */
  public static AttributesText none() {
    return NONE;
  }

  /**
   * Attributes from the JSON text of an object, as Ditto renders it (read as JSON, not checked).
   */
  public static AttributesText ofText(String objectText) {
    return new AttributesText(Objects.requireNonNull(objectText, "objectText"), null);
  }

  /** Attributes already parsed. */
  public static AttributesText of(JsonObject attributes) {
    return new AttributesText(attributes.toString(), attributes);
  }

  /** The value at {@code pointer} below the attributes, read from the text unless parsed. */
  public Optional<JsonValue> value(JsonPointer pointer) {
    JsonObject object = parsed;
    if (object != null) {
      return object.getValue(pointer);
    }
    return JsonText.valueAt(text, pointer);
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
