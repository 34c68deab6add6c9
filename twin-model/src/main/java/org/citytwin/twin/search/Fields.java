package org.citytwin.twin.search;

import java.util.Optional;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;

/**
 * The values of one thing as RQL reads them: by JSON pointer into the thing's JSON, special fields
 * ({@code _revision}, {@code _modified}, ...) included. Lets a filter be tested against a twin
 * without building the thing's whole JSON.
 */
@FunctionalInterface
public interface Fields {

  /** The value at {@code pointer}, or empty where the thing has none. */
  Optional<JsonValue> get(JsonPointer pointer);
}
