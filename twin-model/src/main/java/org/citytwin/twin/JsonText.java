package org.citytwin.twin;

import java.util.Arrays;
import java.util.Optional;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;

/**
 * Reads one value out of a JSON object's text without parsing the rest of it: the members before
 * and beside the path are skipped character by character, and only the value found is parsed, by
 * Ditto. Gives what Ditto's {@code JsonObject.getValue} gives for the parsed text.
 *
 * <p>Why: a search tests many idle twins, each held as its JSON text (see {@link Twin}). Parsing a
 * whole thing into Ditto's objects to read one attribute cost about 6 µs; skipping to it costs a
 * fraction of that and leaves no garbage but the value.
 *
 * <p>The text must be well-formed JSON, as Ditto renders it; on anything else the result is
 * unspecified but no exception escapes other than Ditto's own for the value found.
 */
final class JsonText {

  private JsonText() {}

  /**
   * The value at {@code pointer} in the JSON object {@code json}; the whole object for the empty
   * pointer; empty if a level is missing or is not an object.
   */
  static Optional<JsonValue> valueAt(String json, JsonPointer pointer) {
    return textAt(json, pointer).map(JsonFactory::readFrom);
  }

  /**
   * The text of the value at {@code pointer} in the JSON object {@code json}, as it stands there;
   * empty as for {@link #valueAt}.
   */
  static Optional<String> textAt(String json, JsonPointer pointer) {
    int at = valueStart(json, pointer);
    return at < 0 ? Optional.empty() : Optional.of(json.substring(at, skipValue(json, at)));
  }

  /**
   * Whether the JSON object {@code json} has a value at the path of {@code keys}: {@link #textAt}
   * without a pointer to build or a text to cut, for the questions asked once a reading.
   */
  static boolean has(String json, String... keys) {
    return valueStart(json, Arrays.asList(keys)) >= 0;
  }

  /**
   * {@code json} with the value at the path of {@code keys} replaced by {@code valueText}, the rest
   * as it stands; null if there is no value at that path.
   */
  static String withValueAt(String json, String valueText, String... keys) {
    int start = valueStart(json, Arrays.asList(keys));
    if (start < 0) {
      return null;
    }
    int end = skipValue(json, start);
    return new StringBuilder(json.length() - (end - start) + valueText.length())
        .append(json, 0, start)
        .append(valueText)
        .append(json, end, json.length())
        .toString();
  }

  /** Where the value at the path of {@code keys} starts; -1 as for {@link #textAt}. */
  private static int valueStart(String json, Iterable<?> keys) {
    int at = skipWhitespace(json, 0);
    for (Object key : keys) {
      if (at >= json.length() || json.charAt(at) != '{') {
        return -1;
      }
      at = member(json, at, key.toString());
      if (at < 0) {
        return -1;
      }
    }
    return at;
  }

  /**
   * Where the value of member {@code key} starts in the object starting at {@code at}; -1 if the
   * object has no such member.
   */
  private static int member(String json, int at, String key) {
    int position = skipWhitespace(json, at + 1);
    while (position < json.length() && json.charAt(position) == '"') {
      int keyEnd = skipString(json, position);
      boolean matches = keyEquals(json, position, keyEnd, key);
      position = skipWhitespace(json, keyEnd);
      // The colon.
      position = skipWhitespace(json, position + 1);
      if (matches) {
        return position;
      }
      position = skipWhitespace(json, skipValue(json, position));
      if (position < json.length() && json.charAt(position) == ',') {
        position = skipWhitespace(json, position + 1);
      }
    }
    return -1;
  }

  /**
   * Whether the string literal from {@code start} (its quote) to {@code end} spells {@code key}.
   */
  private static boolean keyEquals(String json, int start, int end, String key) {
    for (int i = start + 1; i < end - 1; i++) {
      if (json.charAt(i) == '\\') {
        return JsonFactory.readFrom(json.substring(start, end)).asString().equals(key);
      }
    }
    int length = end - start - 2;
    return length == key.length() && json.regionMatches(start + 1, key, 0, length);
  }

  /** The index just after the JSON value starting at {@code at}. */
  private static int skipValue(String json, int at) {
    char first = json.charAt(at);
    if (first == '"') {
      return skipString(json, at);
    }
    if (first == '{' || first == '[') {
      int depth = 0;
      int position = at;
      while (position < json.length()) {
        char c = json.charAt(position);
        if (c == '"') {
          position = skipString(json, position);
          continue;
        }
        if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          depth--;
          if (depth == 0) {
            return position + 1;
          }
        }
        position++;
      }
      return position;
    }
    int position = at;
    while (position < json.length()) {
      char c = json.charAt(position);
      if (c == ',' || c == '}' || c == ']' || Character.isWhitespace(c)) {
        break;
      }
      position++;
    }
    return position;
  }

  /** The index just after the string literal whose opening quote is at {@code at}. */
  private static int skipString(String json, int at) {
    int position = at + 1;
    while (position < json.length()) {
      char c = json.charAt(position);
      if (c == '\\') {
        position += 2;
      } else if (c == '"') {
        return position + 1;
      } else {
        position++;
      }
    }
    return position;
  }

  private static int skipWhitespace(String json, int at) {
    int position = at;
    while (position < json.length() && Character.isWhitespace(json.charAt(position))) {
      position++;
    }
    return position;
  }
}
