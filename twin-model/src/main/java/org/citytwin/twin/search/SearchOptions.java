package org.citytwin.twin.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.thingsearch.model.signals.commands.exceptions.InvalidOptionException;

/**
 * Ditto's search options, {@code option=size(50),sort(+attributes/name,-thingId),cursor(...)}.
 *
 * @param size how many things a page holds: 1 to 200, 25 if not given (Ditto's default)
 * @param sort the sort keys in order; {@code thingId} ascending always breaks ties
 * @param cursor the cursor of a previous page, to continue after it
 */
public record SearchOptions(int size, List<SortKey> sort, Optional<String> cursor) {

  public static final int DEFAULT_SIZE = 25;
  public static final int MAX_SIZE = 200;

  /** One sort key: a JSON pointer into the thing, ascending or descending. */
  public record SortKey(JsonPointer path, boolean ascending) {}

  public SearchOptions {
    sort = List.copyOf(sort);
  }

  /**
   * Parses the {@code option} parameter; null or blank gives the defaults.
   *
   * @throws InvalidOptionException (400 {@code things-search:option.invalid})
   */
  public static SearchOptions parse(String options) {
    int size = DEFAULT_SIZE;
    List<SortKey> sort = new ArrayList<>();
    Optional<String> cursor = Optional.empty();
    if (options == null || options.isBlank()) {
      return new SearchOptions(size, sort, cursor);
    }
    for (String option : splitTopLevel(options)) {
      int open = option.indexOf('(');
      if (open < 1 || !option.endsWith(")")) {
        throw invalid(
            "'" + option + "' is not an option such as size(50), sort(+thingId) or cursor(...)");
      }
      String name = option.substring(0, open).trim();
      String argument = option.substring(open + 1, option.length() - 1).trim();
      switch (name) {
        case "size" -> {
          try {
            size = Integer.parseInt(argument);
          } catch (NumberFormatException e) {
            throw invalid("size(" + argument + ") needs a whole number");
          }
          if (size < 1 || size > MAX_SIZE) {
            throw invalid("size must lie between 1 and " + MAX_SIZE + ", not " + size);
          }
        }
        case "sort" -> {
          for (String key : argument.split(",")) {
            String trimmed = key.trim();
            if (trimmed.length() < 2 || (trimmed.charAt(0) != '+' && trimmed.charAt(0) != '-')) {
              throw invalid("a sort key is +property or -property, not '" + trimmed + "'");
            }
            sort.add(new SortKey(JsonPointer.of(trimmed.substring(1)), trimmed.charAt(0) == '+'));
          }
        }
        case "cursor" -> {
          if (argument.isEmpty()) {
            throw invalid("cursor() needs the cursor of a previous page");
          }
          cursor = Optional.of(argument);
        }
        default -> throw invalid("unknown option '" + name + "'; use size, sort or cursor");
      }
    }
    return new SearchOptions(size, sort, cursor);
  }

  static InvalidOptionException invalid(String message) {
    return InvalidOptionException.newBuilder()
        .message(message)
        .dittoHeaders(DittoHeaders.empty())
        .build();
  }

  private static List<String> splitTopLevel(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      }
      if (c == ',' && depth == 0) {
        parts.add(current.toString().trim());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString().trim());
    return parts;
  }
}
