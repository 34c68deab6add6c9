package org.citytwin.fusion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.citytwin.fusion.rules.Condition;
import org.citytwin.fusion.rules.CorrelationRule;
import org.citytwin.fusion.rules.Grade;
import org.citytwin.fusion.rules.IncidentTemplate;
import org.citytwin.fusion.rules.Rule;
import org.citytwin.fusion.rules.Scope;
import org.citytwin.fusion.rules.Signal;
import org.citytwin.fusion.rules.TrajectoryRule;
import org.citytwin.fusion.rules.ValueWindow;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads rules from YAML or JSON (JSON is YAML) and refuses a malformed one with the file, the line
 * and the reason, so that a rule author can fix it without reading code. Unknown fields are refused
 * too: a misspelt {@code abvoe} must not silently make a rule fire on everything.
 *
 * <p>Only plain data is read: the document is composed into nodes (which keep their line) and never
 * constructed into Java objects, so a YAML tag cannot instantiate a class.
 */
public final class RuleLoader {

  /** The rules citytwin ships, one per scenario of the district, as classpath resources. */
  public static final List<String> SHIPPED_RULES =
      List.of(
          "rules/flood-warning.yaml",
          "rules/muck-truck.yaml",
          "rules/embankment-intrusion.yaml",
          "rules/bridge-overload.yaml",
          "rules/dark-lamps.yaml",
          "rules/pv-hot-spot.yaml",
          "rules/water-quality.yaml");

  /** The file names a rules directory is read from. */
  public static boolean isRuleFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }

  /** Loads every shipped rule. */
  public List<Rule> loadShipped() {
    List<Rule> rules = new ArrayList<>();
    for (String resource : SHIPPED_RULES) {
      try (InputStream in = RuleLoader.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(
              "shipped rule " + resource + " is missing from the build");
        }
        rules.add(parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read shipped rule " + resource, e);
      }
    }
    return checkUnique(rules);
  }

  /**
   * Loads every rule file in a directory (not its subdirectories), in name order.
   *
   * @throws RuleException for the first file that is not a valid rule, or a second rule with an id
   *     already taken; then none of the directory's rules are loaded
   * @throws UncheckedIOException if the directory cannot be read
   */
  public List<Rule> loadDirectory(Path directory) {
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory)) {
      files = listing.filter(Files::isRegularFile).filter(RuleLoader::isRuleFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list rules in " + directory, e);
    }
    List<Rule> rules = new ArrayList<>();
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new RuleException(file + ": cannot be read: " + e.getMessage());
      }
      rules.add(parse(file.toString(), text));
    }
    return checkUnique(rules);
  }

  private static List<Rule> checkUnique(List<Rule> rules) {
    Map<String, Rule> byId = new HashMap<>();
    for (Rule rule : rules) {
      Rule earlier = byId.putIfAbsent(rule.id(), rule);
      if (earlier != null) {
        throw new RuleException(
            rule.source() + ": id '" + rule.id() + "' is already used at " + earlier.source());
      }
    }
    return List.copyOf(rules);
  }

  /**
   * Parses one rule.
   *
   * @param source where the text came from, for messages
   * @throws RuleException naming {@code source}, the line and what is wrong
   */
  public Rule parse(String source, String text) {
    Node document;
    try {
      document =
          new Yaml(new SafeConstructor(new LoaderOptions()))
              .compose(new java.io.StringReader(text));
    } catch (MarkedYAMLException e) {
      throw new RuleException(
          source
              + ":"
              + (e.getProblemMark().getLine() + 1)
              + ": not valid YAML or JSON: "
              + e.getProblem());
    } catch (YAMLException e) {
      throw new RuleException(source + ":1: not valid YAML or JSON: " + e.getMessage());
    }
    if (document == null) {
      throw new RuleException(source + ":1: the file is empty");
    }
    Field root = new Field(source, "the rule", document);
    String kind = root.text("kind");
    return switch (kind) {
      case "correlation" -> correlation(root);
      case "trajectory" -> trajectory(root);
      default ->
          throw root.child("kind").fail("must be correlation or trajectory, not '" + kind + "'");
    };
  }

  private static final Set<String> CORRELATION_FIELDS =
      Set.of("id", "kind", "description", "incident", "scope", "within", "signals", "grades");
  private static final Set<String> TRAJECTORY_FIELDS =
      Set.of(
          "id",
          "kind",
          "description",
          "incident",
          "tracker",
          "attributes",
          "sites",
          "trace",
          "check");
  private static final Set<String> INCIDENT_FIELDS =
      Set.of(
          "type",
          "severity",
          "lead",
          "cooperating",
          "level",
          "autoDispatch",
          "mergeWithin",
          "clusterMetres");
  private static final Set<String> SIGNAL_FIELDS =
      Set.of(
          "name",
          "definition",
          "value",
          "above",
          "below",
          "equals",
          "rise",
          "window",
          "attributes",
          "minTwins",
          "near");

  private CorrelationRule correlation(Field root) {
    root.only(CORRELATION_FIELDS);
    Field incident = root.child("incident");
    List<Signal> signals = new ArrayList<>();
    for (Field signal : root.child("signals").items()) {
      signals.add(signal(signal));
    }
    if (signals.isEmpty()) {
      throw root.child("signals").fail("needs at least one signal");
    }
    List<Grade> grades = new ArrayList<>();
    Optional<Field> gradesField = root.optional("grades");
    if (gradesField.isPresent()) {
      for (Field grade : gradesField.get().items()) {
        grade.only(Set.of("severity", "signals"));
        List<String> needed = grade.child("signals").texts();
        for (String name : needed) {
          if (signals.stream().noneMatch(signal -> signal.name().equals(name))) {
            throw grade.child("signals").fail("names signal '" + name + "', which is not defined");
          }
        }
        if (needed.isEmpty()) {
          throw grade.child("signals").fail("needs at least one signal");
        }
        grades.add(new Grade(grade.text("severity"), needed));
      }
    }
    return wrap(
        root,
        () ->
            new CorrelationRule(
                root.text("id"),
                root.where(),
                root.optional("description").map(Field::scalar).orElse(""),
                template(incident),
                scope(root.child("scope")),
                signals,
                root.optional("within").map(Field::duration).orElse(Duration.ofMinutes(30)),
                grades,
                mergeWithin(incident),
                incident.optional("clusterMetres").map(Field::positive),
                level(incident),
                autoDispatch(incident)));
  }

  private TrajectoryRule trajectory(Field root) {
    root.only(TRAJECTORY_FIELDS);
    Field incident = root.child("incident");
    List<String> checks = root.child("check").texts();
    for (String check : checks) {
      if (!check.equals("unapproved") && !check.equals("outside-hours")) {
        throw root.child("check")
            .fail("checks are unapproved and outside-hours, not '" + check + "'");
      }
    }
    if (checks.isEmpty()) {
      throw root.child("check").fail("needs unapproved, outside-hours or both");
    }
    return wrap(
        root,
        () ->
            new TrajectoryRule(
                root.text("id"),
                root.where(),
                root.optional("description").map(Field::scalar).orElse(""),
                template(incident),
                root.text("tracker"),
                root.optional("attributes").map(Field::textMap).orElse(Map.of()),
                root.text("sites"),
                root.optional("trace").map(Field::duration).orElse(Duration.ofHours(2)),
                checks.contains("unapproved"),
                checks.contains("outside-hours"),
                mergeWithin(incident),
                level(incident),
                autoDispatch(incident)));
  }

  private static IncidentTemplate template(Field incident) {
    incident.only(INCIDENT_FIELDS);
    return new IncidentTemplate(
        incident.text("type"),
        incident.text("severity"),
        incident.text("lead"),
        incident.optional("cooperating").map(Field::texts).orElse(List.of()));
  }

  private static Duration mergeWithin(Field incident) {
    return incident.optional("mergeWithin").map(Field::duration).orElse(Duration.ofHours(2));
  }

  private static String level(Field incident) {
    Optional<Field> level = incident.optional("level");
    if (level.isEmpty()) {
      return Zone.LEVELS.get(0);
    }
    String text = level.get().scalar();
    if (!Zone.LEVELS.contains(text)) {
      throw level.get().fail("must be one of " + Zone.LEVELS + ", not '" + text + "'");
    }
    return text;
  }

  private static boolean autoDispatch(Field incident) {
    return incident.optional("autoDispatch").map(Field::bool).orElse(false);
  }

  private static Scope scope(Field scope) {
    if (scope.node instanceof ScalarNode) {
      String kind = scope.scalar();
      return switch (kind) {
        case "observed" -> new Scope(Scope.Kind.OBSERVED, "");
        case "thing" -> new Scope(Scope.Kind.THING, "");
        default ->
            throw scope.fail("must be observed, thing or {zone: <type>}, not '" + kind + "'");
      };
    }
    scope.only(Set.of("zone"));
    return Scope.zone(scope.text("zone"));
  }

  private static Signal signal(Field signal) {
    signal.only(SIGNAL_FIELDS);
    List<String> conditions =
        Stream.of("rise", "window").filter(name -> signal.optional(name).isPresent()).toList();
    boolean threshold =
        Stream.of("above", "below", "equals").anyMatch(name -> signal.optional(name).isPresent());
    if (conditions.size() + (threshold ? 1 : 0) != 1) {
      throw signal.fail("needs exactly one condition: above/below/equals, rise or window");
    }
    Condition condition;
    if (threshold) {
      condition =
          new Condition.Threshold(
              signal.optional("above").map(Field::number),
              signal.optional("below").map(Field::number),
              signal.optional("equals").map(Field::jsonValue));
    } else if (conditions.get(0).equals("rise")) {
      Field rise = signal.child("rise");
      rise.only(Set.of("above", "within"));
      condition = new Condition.Rise(rise.number("above"), rise.child("within").duration());
    } else {
      Field window = signal.child("window");
      window.only(Set.of("aggregate", "over", "above", "below"));
      String aggregate = window.text("aggregate");
      ValueWindow.Aggregate function;
      try {
        function = ValueWindow.Aggregate.valueOf(aggregate.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw window
            .child("aggregate")
            .fail("must be sum, avg, max, min or count, not '" + aggregate + "'");
      }
      condition =
          wrap(
              window,
              () ->
                  new Condition.Window(
                      function,
                      window.child("over").duration(),
                      window.optional("above").map(Field::number),
                      window.optional("below").map(Field::number)));
    }
    Optional<Signal.Near> near =
        signal
            .optional("near")
            .map(
                field -> {
                  field.only(Set.of("definition", "metres"));
                  return new Signal.Near(
                      field.text("definition"), field.child("metres").positive());
                });
    String value = signal.text("value");
    int minTwins = signal.optional("minTwins").map(Field::count).orElse(1);
    return wrap(
        signal,
        () ->
            new Signal(
                signal.text("name"),
                signal.text("definition"),
                JsonPointer.of(value),
                condition,
                signal.optional("attributes").map(Field::textMap).orElse(Map.of()),
                minTwins,
                near));
  }

  private static <T> T wrap(Field where, java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (RuleException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw where.fail(e.getMessage());
    }
  }

  /** A node of the rule document with where it sits, for messages that point at it. */
  private static final class Field {

    private final String source;
    private final String name;
    private final Node node;

    Field(String source, String name, Node node) {
      this.source = source;
      this.name = name;
      this.node = node;
    }

    String where() {
      return source + ":" + (node.getStartMark().getLine() + 1);
    }

    RuleException fail(String reason) {
      return new RuleException(where() + ": " + name + " " + reason);
    }

    Map<String, Field> fields() {
      if (!(node instanceof MappingNode mapping)) {
        throw fail("must be a mapping of fields");
      }
      Map<String, Field> fields = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
          throw new Field(source, "a key", tuple.getKeyNode()).fail("must be plain text");
        }
        String label = name.equals("the rule") ? key.getValue() : name + "." + key.getValue();
        fields.put(key.getValue(), new Field(source, label, tuple.getValueNode()));
      }
      return fields;
    }

    void only(Set<String> allowed) {
      for (Map.Entry<String, Field> field : fields().entrySet()) {
        if (!allowed.contains(field.getKey())) {
          throw field
              .getValue()
              .fail(
                  "is not a known field here; known: "
                      + String.join(", ", allowed.stream().sorted().toList()));
        }
      }
    }

    Optional<Field> optional(String key) {
      return Optional.ofNullable(fields().get(key));
    }

    Field child(String key) {
      Field child = fields().get(key);
      if (child == null) {
        String label = name.equals("the rule") ? key : name + "." + key;
        throw new RuleException(where() + ": " + label + " is required");
      }
      return child;
    }

    String scalar() {
      if (!(node instanceof ScalarNode scalar) || scalar.getValue().isBlank()) {
        throw fail("must be text");
      }
      return scalar.getValue();
    }

    String text(String key) {
      return child(key).scalar();
    }

    double number() {
      String text = scalar();
      try {
        double number = Double.parseDouble(text);
        if (Double.isFinite(number)) {
          return number;
        }
      } catch (NumberFormatException e) {
        // answered below
      }
      throw fail("must be a number, not '" + text + "'");
    }

    double number(String key) {
      return child(key).number();
    }

    Double positive() {
      double number = number();
      if (number <= 0) {
        throw fail("must be more than 0");
      }
      return number;
    }

    int count() {
      double number = positive();
      if (number != Math.rint(number) || number > 10_000) {
        throw fail("must be a whole number from 1 to 10000, not '" + scalar() + "'");
      }
      return (int) number;
    }

    boolean bool() {
      String text = scalar();
      if (text.equals("true") || text.equals("false")) {
        return Boolean.parseBoolean(text);
      }
      throw fail("must be true or false, not '" + text + "'");
    }

    Duration duration() {
      String text = scalar();
      try {
        Duration duration = Duration.parse(text);
        if (!duration.isNegative() && !duration.isZero()) {
          return duration;
        }
      } catch (DateTimeParseException e) {
        // answered below
      }
      throw fail("must be a positive ISO-8601 duration such as PT30M, not '" + text + "'");
    }

    /** A scalar as the JSON value it reads as: a number, true/false, or text. */
    JsonValue jsonValue() {
      String text = scalar();
      boolean quoted =
          ((ScalarNode) node).getScalarStyle()
              != org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN;
      if (!quoted) {
        if (text.equals("true") || text.equals("false")) {
          return JsonValue.of(Boolean.parseBoolean(text));
        }
        try {
          return JsonValue.of(Double.parseDouble(text));
        } catch (NumberFormatException notANumber) {
          // text, below
        }
      }
      return JsonValue.of(text);
    }

    List<Field> items() {
      if (!(node instanceof SequenceNode sequence)) {
        throw fail("must be a list");
      }
      List<Field> items = new ArrayList<>();
      int index = 0;
      for (Node item : sequence.getValue()) {
        items.add(new Field(source, name + "[" + index++ + "]", item));
      }
      return items;
    }

    List<String> texts() {
      return items().stream().map(Field::scalar).toList();
    }

    Map<String, String> textMap() {
      Map<String, String> texts = new LinkedHashMap<>();
      fields().forEach((key, value) -> texts.put(key, value.scalar()));
      return texts;
    }
  }
}
