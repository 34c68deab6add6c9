package org.citytwin.twin.search;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.eclipse.ditto.base.model.exceptions.InvalidRqlExpressionException;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.rql.model.ParserException;
import org.eclipse.ditto.rql.model.predicates.ast.ExistsNode;
import org.eclipse.ditto.rql.model.predicates.ast.LogicalNode;
import org.eclipse.ditto.rql.model.predicates.ast.MultiComparisonNode;
import org.eclipse.ditto.rql.model.predicates.ast.Node;
import org.eclipse.ditto.rql.model.predicates.ast.RootNode;
import org.eclipse.ditto.rql.model.predicates.ast.SingleComparisonNode;
import org.eclipse.ditto.rql.parser.RqlPredicateParser;

/**
 * A Ditto RQL filter, parsed by Ditto's own parser and compiled into a predicate over a thing's
 * JSON (including its special fields such as {@code _revision}), with Ditto's semantics:
 *
 * <ul>
 *   <li>{@code eq}, {@code gt}, {@code ge}, {@code lt}, {@code le}, {@code in}, {@code like},
 *       {@code ilike} match only a present, comparable (non-array, non-object) value;
 *   <li>{@code ne(p,v)} is {@code not(eq(p,v))}: a thing without {@code p} matches it;
 *   <li>{@code like} and {@code ilike} take {@code *} for any run of characters and {@code ?} for
 *       one; {@code ilike} ignores case;
 *   <li>{@code exists(p)} matches a present value, {@code null} included.
 * </ul>
 *
 * <p>It also tells which indexed equalities every match must satisfy ({@link #requiredEqualities}),
 * so a search can start from an index instead of scanning.
 */
public final class RqlFilter {

  private final String expression;
  private final Predicate<Fields> predicate;
  private final Map<String, List<Object>> requiredEqualities;
  private final Map<String, NumberRange> requiredRanges;

  private RqlFilter(
      String expression,
      Predicate<Fields> predicate,
      Map<String, List<Object>> required,
      Map<String, NumberRange> ranges) {
    this.expression = expression;
    this.predicate = predicate;
    this.requiredEqualities = required;
    this.requiredRanges = ranges;
  }

  /**
   * Parses a filter.
   *
   * @throws InvalidRqlExpressionException (400 {@code rql.expression.invalid}) if it is not valid
   *     RQL
   */
  public static RqlFilter parse(String expression) {
    RootNode root;
    try {
      root = RqlPredicateParser.getInstance().parse(expression);
    } catch (ParserException | IllegalArgumentException e) {
      throw InvalidRqlExpressionException.newBuilder()
          .message("The filter '" + expression + "' is not valid RQL: " + e.getMessage())
          .dittoHeaders(DittoHeaders.empty())
          .build();
    }
    if (root.getChildren().size() != 1) {
      throw InvalidRqlExpressionException.newBuilder()
          .message("A filter is one expression; combine several with and(...) or or(...).")
          .dittoHeaders(DittoHeaders.empty())
          .build();
    }
    Node top = root.getChildren().get(0);
    Map<String, List<Object>> required = new HashMap<>();
    Map<String, NumberRange> ranges = new HashMap<>();
    collectRequired(top, required, ranges);
    return new RqlFilter(expression, compile(top), Map.copyOf(required), Map.copyOf(ranges));
  }

  /** Whether the thing, given as its JSON (with Ditto's special fields), matches. */
  public boolean test(JsonObject thingJson) {
    return predicate.test(thingJson::getValue);
  }

  /** Whether the thing whose values {@code fields} gives matches. */
  public boolean test(Fields fields) {
    return predicate.test(fields);
  }

  /**
   * Properties every match must equal one of the listed literals: from {@code eq} and {@code in} at
   * the top level or inside a top-level {@code and}.
   */
  public Map<String, List<Object>> requiredEqualities() {
    return requiredEqualities;
  }

  /**
   * Properties every match must hold a number within a range at: from {@code gt}, {@code ge},
   * {@code lt}, {@code le} and {@code eq} with a number, at the top level or inside a top-level
   * {@code and}. A string holding a number can match too (RQL compares it as a number), so an index
   * answering from this must hold only numbers there.
   */
  public Map<String, NumberRange> requiredRanges() {
    return requiredRanges;
  }

  @Override
  public String toString() {
    return expression;
  }

  private static void collectRequired(
      Node node, Map<String, List<Object>> required, Map<String, NumberRange> ranges) {
    if (node instanceof LogicalNode logical && logical.getType() == LogicalNode.Type.AND) {
      logical.getChildren().forEach(child -> collectRequired(child, required, ranges));
    } else if (node instanceof SingleComparisonNode single) {
      SingleComparisonNode.Type type = (SingleComparisonNode.Type) single.getComparisonType();
      Object literal = JsonValues.literal(single.getComparisonValue());
      String property = normalise(single.getComparisonProperty());
      if (type == SingleComparisonNode.Type.EQ) {
        required.putIfAbsent(property, List.of(literal));
      }
      if (literal instanceof BigDecimal number) {
        double bound = number.doubleValue();
        NumberRange range =
            switch (type) {
              case EQ -> new NumberRange(bound, bound);
              case GT, GE -> new NumberRange(bound, Double.POSITIVE_INFINITY);
              case LT, LE -> new NumberRange(Double.NEGATIVE_INFINITY, bound);
              default -> null;
            };
        if (range != null) {
          ranges.merge(property, range, NumberRange::and);
        }
      }
    } else if (node instanceof MultiComparisonNode multi) {
      List<Object> values = new ArrayList<>();
      ((List<?>) multi.getComparisonValue())
          .forEach(value -> values.add(JsonValues.literal(value)));
      required.putIfAbsent(normalise(multi.getComparisonProperty()), List.copyOf(values));
    }
  }

  private static String normalise(String property) {
    return JsonPointer.of(property).toString();
  }

  private static Predicate<Fields> compile(Node node) {
    if (node instanceof LogicalNode logical) {
      List<Predicate<Fields>> children =
          logical.getChildren().stream().map(RqlFilter::compile).toList();
      return switch (logical.getType()) {
        case AND -> json -> children.stream().allMatch(child -> child.test(json));
        case OR -> json -> children.stream().anyMatch(child -> child.test(json));
        case NOT -> children.get(0).negate();
      };
    }
    if (node instanceof ExistsNode exists) {
      JsonPointer pointer = JsonPointer.of(exists.getProperty());
      return json -> json.get(pointer).isPresent();
    }
    if (node instanceof MultiComparisonNode multi) {
      JsonPointer pointer = JsonPointer.of(multi.getComparisonProperty());
      List<Object> values =
          ((List<?>) multi.getComparisonValue()).stream().map(JsonValues::literal).toList();
      return json ->
          value(json, pointer)
              .filter(v -> values.stream().anyMatch(l -> JsonValues.compare(v, l) == 0))
              .isPresent();
    }
    if (node instanceof SingleComparisonNode single) {
      return compileSingle(single);
    }
    throw InvalidRqlExpressionException.newBuilder()
        .message("Unsupported RQL node: " + node)
        .dittoHeaders(DittoHeaders.empty())
        .build();
  }

  private static Predicate<Fields> compileSingle(SingleComparisonNode node) {
    JsonPointer pointer = JsonPointer.of(node.getComparisonProperty());
    Object literal = JsonValues.literal(node.getComparisonValue());
    SingleComparisonNode.Type type = (SingleComparisonNode.Type) node.getComparisonType();
    return switch (type) {
      case EQ ->
          json -> value(json, pointer).filter(v -> JsonValues.compare(v, literal) == 0).isPresent();
      case NE ->
          json -> value(json, pointer).filter(v -> JsonValues.compare(v, literal) == 0).isEmpty();
      case GT -> ordered(pointer, literal, c -> c > 0);
      case GE -> ordered(pointer, literal, c -> c >= 0);
      case LT -> ordered(pointer, literal, c -> c < 0);
      case LE -> ordered(pointer, literal, c -> c <= 0);
      case LIKE, ILIKE -> {
        if (!(literal instanceof String pattern)) {
          throw InvalidRqlExpressionException.newBuilder()
              .message(type.getName() + " takes a string pattern, not " + literal)
              .dittoHeaders(DittoHeaders.empty())
              .build();
        }
        Pattern regex = likePattern(pattern, type == SingleComparisonNode.Type.ILIKE);
        yield json ->
            json.get(pointer)
                .filter(JsonValue::isString)
                .map(JsonValue::asString)
                .filter(text -> regex.matcher(text).matches())
                .isPresent();
      }
    };
  }

  private static Predicate<Fields> ordered(
      JsonPointer pointer, Object literal, java.util.function.IntPredicate accept) {
    if (literal == JsonValues.NULL) {
      return json -> false;
    }
    return json ->
        value(json, pointer)
            .filter(v -> v != JsonValues.NULL)
            .filter(v -> accept.test(JsonValues.compare(v, literal)))
            .isPresent();
  }

  private static Optional<Object> value(Fields json, JsonPointer pointer) {
    return json.get(pointer).flatMap(JsonValues::comparable);
  }

  /** {@code *} is any run of characters, {@code ?} one character; everything else is literal. */
  static Pattern likePattern(String pattern, boolean ignoreCase) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      if (c == '*' || c == '?') {
        if (!literal.isEmpty()) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (!literal.isEmpty()) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(
        regex.toString(),
        ignoreCase
            ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL
            : Pattern.DOTALL);
  }
}
