package org.citytwin.fusion.rules;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.ditto.json.JsonPointer;

/**
 * One department's evidence a rule listens for: twins of a definition whose value at a path meets a
 * condition, optionally only twins with given attributes, or only those within some metres of twins
 * of another definition.
 *
 * @param name unique within its rule; grades name the signals they need
 * @param definition the Ditto definition of the twins that give it
 * @param value where the value sits in the thing, for example {@code
 *     features/waterlogging/properties/depth}
 * @param condition what the value must do
 * @param attributes attribute values the twin must have (text), for example {@code kind:
 *     muck-truck}
 * @param minTwins how many distinct twins must meet the condition in one scope for the signal to be
 *     active (a cluster of dark lamps, not one)
 * @param near if present, only twins within that distance of a twin of another definition count
 */
public record Signal(
    String name,
    String definition,
    JsonPointer value,
    Condition condition,
    Map<String, String> attributes,
    int minTwins,
    Optional<Near> near) {

  public Signal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(condition, "condition");
    attributes = Map.copyOf(attributes);
    Objects.requireNonNull(near, "near");
    if (minTwins < 1) {
      throw new IllegalArgumentException("minTwins must be at least 1");
    }
  }

  /**
   * The spatial relation "within {@code metres} of a twin of {@code definition}", measured on the
   * Gauss-Kruger plane.
   */
  public record Near(String definition, double metres) {

    public Near {
      Objects.requireNonNull(definition, "definition");
      if (!(metres > 0)) {
        throw new IllegalArgumentException("near needs a positive distance in metres");
      }
    }
  }
}
