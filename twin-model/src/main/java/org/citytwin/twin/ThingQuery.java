package org.citytwin.twin;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.citytwin.twin.search.RqlFilter;
import org.citytwin.twin.search.SearchOptions;

/**
 * A search for things, as Ditto's {@code /search/things} takes it: an RQL {@code filter}, {@code
 * namespaces} to look in, {@code option}s (size, sort, cursor), and citytwin's spatial condition,
 * which must hold too; searched within what the caller may read ({@link ReadScope}).
 */
public record ThingQuery(
    Optional<RqlFilter> filter,
    Set<String> namespaces,
    SearchOptions options,
    Optional<GeoFilter> geo,
    ReadScope scope) {

  public ThingQuery {
    namespaces = Set.copyOf(namespaces);
    java.util.Objects.requireNonNull(scope, "scope");
  }

  /** A search of the whole district. */
  public ThingQuery(
      Optional<RqlFilter> filter,
      Set<String> namespaces,
      SearchOptions options,
      Optional<GeoFilter> geo) {
    this(filter, namespaces, options, geo, ReadScope.wholeDistrict());
  }

  /** The same search within {@code readable}. */
  public ThingQuery within(ReadScope readable) {
    return new ThingQuery(filter, namespaces, options, geo, readable);
  }

  /** The same search from another cursor (or from the start). */
  public ThingQuery from(Optional<String> cursor) {
    return new ThingQuery(
        filter, namespaces, new SearchOptions(options.size(), options.sort(), cursor), geo, scope);
  }

  /**
   * The namespaces to search: those asked for, within those the scope reads anything in; null for
   * every namespace. Empty when nothing asked for is readable.
   */
  Set<String> searchedNamespaces() {
    if (scope.isWholeDistrict()) {
      return namespaces.isEmpty() ? null : namespaces;
    }
    Set<String> readable = new java.util.LinkedHashSet<>(scope.namespaces());
    if (!namespaces.isEmpty()) {
      readable.retainAll(namespaces);
    }
    return readable;
  }

  /**
   * Parses the query parameters.
   *
   * @param filter RQL, or null for every thing
   * @param namespaces comma-separated namespaces, or null for all
   * @param options Ditto's option string, or null for the defaults
   * @throws org.eclipse.ditto.base.model.exceptions.DittoRuntimeException for an invalid filter
   *     ({@code rql.expression.invalid}) or option ({@code things-search:option.invalid})
   */
  public static ThingQuery parse(
      String filter, String namespaces, String options, Optional<GeoFilter> geo) {
    Set<String> namespaceSet =
        namespaces == null || namespaces.isBlank()
            ? Set.of()
            : Arrays.stream(namespaces.split(","))
                .map(String::trim)
                .filter(n -> !n.isEmpty())
                .collect(Collectors.toSet());
    return new ThingQuery(
        filter == null || filter.isBlank()
            ? Optional.empty()
            : Optional.of(RqlFilter.parse(filter)),
        namespaceSet,
        SearchOptions.parse(options),
        geo);
  }

  /**
   * Identifies the query apart from paging, so a cursor is only taken by the query it came from.
   */
  String fingerprint() {
    return Integer.toHexString(
        (filter.map(Object::toString).orElse("")
                + "|"
                + namespaces.stream().sorted().toList()
                + "|"
                + options.sort()
                + "|"
                + geo.map(Object::toString).orElse(""))
            .hashCode());
  }
}
