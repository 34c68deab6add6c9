package org.citytwin.fusion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads rules from YAML and refuses a malformed one with a message naming the file and the field,
 * so a rule author can fix it without reading code. Only plain YAML is accepted (no tags that
 * construct Java objects).
 */
public final class RuleLoader {

  /** The rules citytwin ships, as classpath resources. */
  public static final List<String> SHIPPED_RULES = List.of("rules/waterlogging-depth.yaml");

  /** Loads every shipped rule. */
  public List<ThresholdInZoneRule> loadShipped() {
    List<ThresholdInZoneRule> rules = new ArrayList<>();
    for (String resource : SHIPPED_RULES) {
      try (InputStream in = RuleLoader.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(
              "shipped rule " + resource + " is missing from the build");
        }
        rules.add(parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read shipped rule " + resource, e);
      }
    }
    return rules;
  }

  /**
   * Parses one rule.
   *
   * @param source where the text came from, for error messages
   * @throws RuleException naming {@code source} and the offending field
   */
  public ThresholdInZoneRule parse(String source, String yaml) {
    Object document;
    try {
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new RuleException(source + ": not valid YAML: " + e.getMessage());
    }
    Map<?, ?> root = map(source, document, "the document");
    String kind = text(source, root, "kind");
    if (!kind.equals("threshold-in-zone")) {
      throw new RuleException(source + ": 'kind' must be threshold-in-zone, not " + kind);
    }
    Map<?, ?> when = map(source, root.get("when"), "'when'");
    Map<?, ?> raise = map(source, root.get("raise"), "'raise'");
    Object above = when.get("above");
    if (!(above instanceof Number threshold)) {
      throw new RuleException(source + ": 'when.above' must be a number, got " + above);
    }
    Object cooperating = raise.get("cooperating");
    if (cooperating != null && !(cooperating instanceof List<?>)) {
      throw new RuleException(source + ": 'raise.cooperating' must be a list of departments");
    }
    List<String> cooperatingDepartments = new ArrayList<>();
    if (cooperating instanceof List<?> list) {
      list.forEach(department -> cooperatingDepartments.add(String.valueOf(department)));
    }
    return new ThresholdInZoneRule(
        text(source, root, "id"),
        text(source, when, "definition"),
        text(source, when, "feature"),
        text(source, when, "property"),
        threshold.doubleValue(),
        text(source, when, "insideZoneOfType"),
        new IncidentTemplate(
            text(source, raise, "type"),
            text(source, raise, "severity"),
            text(source, raise, "lead"),
            cooperatingDepartments));
  }

  private static Map<?, ?> map(String source, Object value, String what) {
    if (value instanceof Map<?, ?> map) {
      return map;
    }
    throw new RuleException(source + ": " + what + " must be a mapping");
  }

  private static String text(String source, Map<?, ?> map, String field) {
    Object value = map.get(field);
    if (value instanceof String text && !text.isBlank()) {
      return text;
    }
    throw new RuleException(source + ": '" + field + "' is required and must be text");
  }
}
