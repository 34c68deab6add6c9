package org.citytwin.twin.search;

import java.math.BigDecimal;
import java.util.Optional;
import org.eclipse.ditto.json.JsonValue;

/**
 * How RQL compares JSON values, following Ditto's in-memory evaluation: numbers compare as decimals
 * whatever their JSON type; a string and a number compare numerically when the string is a number;
 * values of other mixed types compare by their text; arrays and objects are never comparable.
 */
public final class JsonValues {

  /** Stands for JSON {@code null}, which only {@code eq(p,null)} matches. */
  public static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  private JsonValues() {}

  /** The comparable Java value of a JSON value, empty for arrays and objects. */
  public static Optional<Object> comparable(JsonValue value) {
    if (value.isString()) {
      return Optional.of(value.asString());
    } else if (value.isBoolean()) {
      return Optional.of(value.asBoolean());
    } else if (value.isNull()) {
      return Optional.of(NULL);
    } else if (value.isNumber()) {
      return Optional.of(new BigDecimal(value.toString()));
    }
    return Optional.empty();
  }

  /** An RQL literal (String, Number, Boolean or null) as a comparable value. */
  public static Object literal(Object literal) {
    if (literal == null) {
      return NULL;
    }
    if (literal instanceof Number number) {
      return new BigDecimal(number.toString());
    }
    return literal;
  }

  /**
   * Compares two comparable values; {@code NULL} equals only {@code NULL}.
   *
   * @return negative, zero or positive as {@code left} sorts before, with or after {@code right}
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static int compare(Object left, Object right) {
    if (left == NULL || right == NULL) {
      return left == right ? 0 : (left == NULL ? -1 : 1);
    }
    if (left instanceof BigDecimal number && right instanceof String text) {
      Optional<BigDecimal> parsed = decimal(text);
      if (parsed.isPresent()) {
        return number.compareTo(parsed.get());
      }
    } else if (left instanceof String text && right instanceof BigDecimal number) {
      Optional<BigDecimal> parsed = decimal(text);
      if (parsed.isPresent()) {
        return parsed.get().compareTo(number);
      }
    }
    if (left.getClass().equals(right.getClass()) && left instanceof Comparable comparable) {
      return comparable.compareTo(right);
    }
    return left.toString().compareTo(right.toString());
  }

  private static Optional<BigDecimal> decimal(String text) {
    try {
      return Optional.of(new BigDecimal(text));
    } catch (NumberFormatException notANumber) {
      return Optional.empty();
    }
  }
}
