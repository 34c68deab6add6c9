package org.citytwin.ingest.clean;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * How cleaning judges each feature property: the fastest it really changes and how long it may read
 * the same value. Declared in YAML keyed by {@code feature/property} (the shipped rules are in
 * {@code cleaning.yaml}); a property without a rule gets only the checks every reading gets.
 */
public final class CleaningRules {

  /**
   * One feature property's rule.
   *
   * @param maxChangePerMinute the largest real change in one minute, in the canonical unit
   * @param stuckAfter how long the exact same value may last before the sensor counts as frozen
   * @param restingValues values the quantity may keep for days, never called stuck
   */
  public record Rule(
      OptionalDouble maxChangePerMinute, Optional<Duration> stuckAfter, Set<Double> restingValues) {

    public Rule {
      restingValues = Set.copyOf(restingValues);
      if (maxChangePerMinute.isPresent() && !(maxChangePerMinute.getAsDouble() > 0)) {
        throw new IllegalArgumentException("maxChangePerMinute must be positive");
      }
      if (stuckAfter.isPresent() && (stuckAfter.get().isNegative() || stuckAfter.get().isZero())) {
        throw new IllegalArgumentException("stuckAfter must be positive");
      }
    }
  }

  private final Map<String, Rule> byProperty;

  private CleaningRules(Map<String, Rule> byProperty) {
    this.byProperty = Map.copyOf(byProperty);
  }

  /** The rules citytwin ships, from {@code cleaning.yaml}. */
  public static CleaningRules shipped() {
    try (InputStream in = CleaningRules.class.getResourceAsStream("/cleaning.yaml")) {
      if (in == null) {
        throw new IllegalStateException("cleaning.yaml is missing from the ingest jar");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** No rules: only duplicates, order, lateness and clocks are checked. */
  public static CleaningRules none() {
    return new CleaningRules(Map.of());
  }

  /**
   * Reads rules from YAML.
   *
   * @throws IllegalArgumentException naming the first malformed entry
   */
  public static CleaningRules parse(String yaml) {
    Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    if (!(document instanceof Map<?, ?> entries)) {
      throw new IllegalArgumentException("cleaning rules must be a map of feature/property");
    }
    Map<String, Rule> rules = new HashMap<>();
    entries.forEach(
        (key, value) -> {
          String property = String.valueOf(key);
          if (property.split("/", -1).length != 2 || property.startsWith("/")) {
            throw new IllegalArgumentException(
                "a cleaning rule is keyed feature/property, got '" + property + "'");
          }
          if (!(value instanceof Map<?, ?> fields)) {
            throw new IllegalArgumentException("rule " + property + " must be a map");
          }
          try {
            rules.put(property, rule(fields));
          } catch (RuntimeException e) {
            throw new IllegalArgumentException("rule " + property + ": " + e.getMessage(), e);
          }
        });
    return new CleaningRules(rules);
  }

  private static Rule rule(Map<?, ?> fields) {
    for (Object name : fields.keySet()) {
      if (!List.of("maxChangePerMinute", "stuckAfter", "restingValues").contains(name)) {
        throw new IllegalArgumentException("unknown key '" + name + "'");
      }
    }
    OptionalDouble maxChange = OptionalDouble.empty();
    if (fields.get("maxChangePerMinute") instanceof Number number) {
      maxChange = OptionalDouble.of(number.doubleValue());
    } else if (fields.containsKey("maxChangePerMinute")) {
      throw new IllegalArgumentException("maxChangePerMinute must be a number");
    }
    Optional<Duration> stuckAfter = Optional.empty();
    if (fields.containsKey("stuckAfter")) {
      try {
        stuckAfter = Optional.of(Duration.parse(String.valueOf(fields.get("stuckAfter"))));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "stuckAfter must be an ISO-8601 duration such as PT6H", e);
      }
    }
    Set<Double> resting = new HashSet<>();
    Object restingValues = fields.get("restingValues");
    if (restingValues instanceof List<?> values) {
      for (Object value : values) {
        if (!(value instanceof Number number)) {
          throw new IllegalArgumentException("restingValues must be numbers");
        }
        resting.add(number.doubleValue());
      }
    } else if (restingValues != null) {
      throw new IllegalArgumentException("restingValues must be a list of numbers");
    }
    return new Rule(maxChange, stuckAfter, resting);
  }

  /** The rule for one feature property, if one is declared. */
  public Optional<Rule> rule(String feature, String property) {
    return Optional.ofNullable(byProperty.get(feature + "/" + property));
  }

  /** Every declared property, as {@code feature/property}. */
  public Set<String> properties() {
    return byProperty.keySet();
  }
}
