package org.citytwin.twin;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import org.citytwin.twin.search.Fields;
import org.citytwin.twin.search.JsonValues;
import org.citytwin.twin.search.NumberRange;
import org.citytwin.twin.search.RqlFilter;
import org.citytwin.twin.search.SearchIndex;
import org.citytwin.twin.search.SearchOptions;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.json.JsonArray;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.thingsearch.model.signals.commands.exceptions.InvalidOptionException;
import org.locationtech.jts.geom.Geometry;

/**
 * Searches the twins of a {@link ThingStore} with Ditto's RQL semantics plus spatial conditions.
 *
 * <p>A search starts from the smallest candidate set an index offers (ids named by {@code
 * eq(thingId,..)} or {@code in(thingId,..)}, an indexed property's equality, the namespaces, the
 * spatial index, or the twins whose numeric attribute lies in a range the filter requires) and
 * scans every twin only when nothing narrows it. Every candidate is then tested against the whole
 * query. Pages are cut by key (the sort values and the thing id of the last item), so paging stays
 * consistent while twins change, and only the page plus one item is ever held in sorted order.
 *
 * <p>A search sorted first by a numeric attribute that its filter also bounds ({@code
 * and(eq(attributes/hierarchy/street,"s3"),gt(attributes/rank,500))} sorted by {@code
 * -attributes/rank}) reads that attribute's numbers in sort order instead, tests each twin, and
 * stops once the page is full: like a database reading an ordered index for {@code ORDER BY ...
 * LIMIT}. Twins outside the narrowest index's candidates are skipped by a set lookup; should the
 * walk pass many times more entries than those candidates hold, the search falls back to testing
 * the candidates.
 */
public final class ThingSearch {

  private static final JsonPointer THING_ID = JsonPointer.of("/thingId");

  private final ThingStore store;

  public ThingSearch(ThingStore store) {
    this.store = store;
  }

  /** The page of matches the query's options ask for. */
  public SearchPage search(ThingQuery query) {
    Comparator<Match> order = order(query.options().sort());
    Optional<Match> after = query.options().cursor().map(cursor -> decodeCursor(cursor, query));
    int size = query.options().size();
    Set<ThingId> narrowest = narrowestCandidates(query);
    PriorityQueue<Match> best =
        inSortOrder(query, narrowest, order, after, size)
            .orElseGet(
                () -> byCandidates(query, narrowedByRanges(query, narrowest), order, after, size));
    List<Match> sorted = new ArrayList<>(best);
    sorted.sort(order);
    Optional<String> cursor = Optional.empty();
    if (sorted.size() > size) {
      sorted = sorted.subList(0, size);
      cursor = Optional.of(encodeCursor(sorted.get(size - 1), query));
    }
    return new SearchPage(sorted.stream().map(match -> match.twin().thing()).toList(), cursor);
  }

  /** A max-heap of the best size + 1 matches: the extra one tells whether another page exists. */
  private PriorityQueue<Match> byCandidates(
      ThingQuery query,
      Set<ThingId> narrowest,
      Comparator<Match> order,
      Optional<Match> after,
      int size) {
    PriorityQueue<Match> best = new PriorityQueue<>(size + 1, order.reversed());
    for (Twin twin : candidates(narrowest)) {
      offer(best, match(twin, query), order, after, size);
    }
    return best;
  }

  private static void offer(
      PriorityQueue<Match> best,
      Optional<Match> match,
      Comparator<Match> order,
      Optional<Match> after,
      int size) {
    if (match.isEmpty() || (after.isPresent() && order.compare(match.get(), after.get()) <= 0)) {
      return;
    }
    best.add(match.get());
    if (best.size() > size + 1) {
      best.poll();
    }
  }

  /**
   * The best size + 1 matches read from the ordered numbers of the first sort key, or empty when
   * that key is not a numeric attribute the filter bounds, or when the walk would cost more than
   * testing the candidates.
   */
  private Optional<PriorityQueue<Match>> inSortOrder(
      ThingQuery query,
      Set<ThingId> narrowest,
      Comparator<Match> order,
      Optional<Match> after,
      int size) {
    List<SearchOptions.SortKey> sort = query.options().sort();
    if (sort.isEmpty() || query.filter().isEmpty()) {
      return Optional.empty();
    }
    SearchOptions.SortKey first = sort.get(0);
    NumberRange range = query.filter().get().requiredRanges().get(first.path().toString());
    if (range == null) {
      return Optional.empty();
    }
    Optional<NavigableSet<SearchIndex.NumberEntry>> numbers =
        store.index().numbersBetween(first.path(), range.from(), range.to());
    if (numbers.isEmpty()) {
      return Optional.empty();
    }
    NavigableSet<SearchIndex.NumberEntry> walk = numbers.get();
    Optional<JsonValue> resumeAt = after.flatMap(last -> last.sortValues().get(0));
    if (resumeAt.isPresent() && resumeAt.get().isNumber()) {
      double resume = resumeAt.get().asDouble();
      walk =
          first.ascending()
              ? walk.tailSet(SearchIndex.NumberEntry.before(resume), true)
              : walk.headSet(SearchIndex.NumberEntry.after(resume), true);
    }
    if (!first.ascending()) {
      walk = walk.descendingSet();
    }
    // A set lookup costs a few per cent of testing a twin: past this many, testing wins.
    long budget = narrowest == null ? Long.MAX_VALUE : 32L * narrowest.size() + 1_024;
    PriorityQueue<Match> best = new PriorityQueue<>(size + 1, order.reversed());
    for (SearchIndex.NumberEntry entry : walk) {
      if (best.size() > size && beyond(entry.number(), best.peek(), first.ascending())) {
        break;
      }
      if (--budget < 0) {
        return Optional.empty();
      }
      if (narrowest != null && !narrowest.contains(entry.thingId())) {
        continue;
      }
      Optional<Twin> twin = store.twin(entry.thingId());
      if (twin.isPresent()) {
        offer(best, match(twin.get(), query), order, after, size);
      }
    }
    return Optional.of(best);
  }

  /**
   * Whether a number read in sort order comes strictly after the worst match held, so that no entry
   * from here on can make the page. Ties go on: later sort keys and the id may still rank a tied
   * twin higher.
   */
  private static boolean beyond(double number, Match worst, boolean ascending) {
    Optional<JsonValue> value = worst.sortValues().get(0);
    if (value.isEmpty() || !value.get().isNumber()) {
      // Changed since it was indexed: no safe place to stop.
      return false;
    }
    double worstNumber = value.get().asDouble();
    return ascending ? number > worstNumber : number < worstNumber;
  }

  /** How many twins match the query (its options aside). */
  public long count(ThingQuery query) {
    long count = 0;
    for (Twin twin : candidates(narrowedByRanges(query, narrowestCandidates(query)))) {
      if (match(twin, query).isPresent()) {
        count++;
      }
    }
    return count;
  }

  /** A thing that matched, with the values it sorts by. */
  private record Match(Twin twin, String thingId, List<Optional<JsonValue>> sortValues) {}

  private Optional<Match> match(Twin twin, ThingQuery query) {
    ThingId thingId = twin.thingId();
    Set<String> namespaces = query.searchedNamespaces();
    if (namespaces != null && !namespaces.contains(thingId.getNamespace())) {
      return Optional.empty();
    }
    if (query.geo().isPresent()) {
      Optional<Geometry> location = store.index().location(thingId);
      if (location.isEmpty() || !query.geo().get().matches(location.get())) {
        return Optional.empty();
      }
    }
    // The caller's filter and sort read only what it may read of the twin.
    Optional<Fields> readable = query.scope().readable(thingId, new TwinFields(twin));
    if (readable.isEmpty()) {
      return Optional.empty();
    }
    Fields fields = readable.get();
    if (query.filter().isPresent() && !query.filter().get().test(fields)) {
      return Optional.empty();
    }
    List<SearchOptions.SortKey> sort = query.options().sort();
    List<Optional<JsonValue>> values = new ArrayList<>(sort.size());
    for (SearchOptions.SortKey key : sort) {
      if (key.path().equals(THING_ID)) {
        values.add(Optional.of(JsonValue.of(thingId.toString())));
      } else {
        values.add(fields.get(key.path()));
      }
    }
    return Optional.of(new Match(twin, thingId.toString(), values));
  }

  /**
   * The smallest set of ids named in the filter, an indexed equality, the namespaces or the place
   * offer for the query, or null if none narrows it.
   */
  private Set<ThingId> narrowestCandidates(ThingQuery query) {
    SearchIndex index = store.index();
    Set<ThingId> narrowest = null;
    Map<String, List<Object>> required =
        query.filter().map(RqlFilter::requiredEqualities).orElse(Map.of());
    for (Map.Entry<String, List<Object>> equality : required.entrySet()) {
      JsonPointer pointer = JsonPointer.of(equality.getKey());
      Set<ThingId> ids = null;
      if (pointer.equals(THING_ID)) {
        ids = new HashSet<>();
        for (Object value : equality.getValue()) {
          if (value instanceof String text) {
            try {
              ids.add(ThingId.of(text));
            } catch (RuntimeException notAThingId) {
              // Cannot match any thing.
            }
          }
        }
      } else if (SearchIndex.isIndexed(pointer)) {
        ids = index.equalTo(pointer, equality.getValue());
      }
      narrowest = smaller(narrowest, ids);
    }
    Set<String> namespaces = query.searchedNamespaces();
    if (namespaces != null) {
      Set<ThingId> inNamespaces;
      if (namespaces.size() == 1) {
        inNamespaces = index.inNamespace(namespaces.iterator().next());
      } else {
        inNamespaces = new HashSet<>();
        for (String namespace : namespaces) {
          inNamespaces.addAll(index.inNamespace(namespace));
        }
      }
      narrowest = smaller(narrowest, inNamespaces);
    }
    if (query.geo().isPresent()) {
      narrowest = smaller(narrowest, index.near(query.geo().get().searchEnvelope()));
    }
    return narrowest;
  }

  /**
   * {@code narrowest}, or the twins of a numeric range the filter requires where that is smaller.
   * Kept apart from {@link #narrowestCandidates}: a walk in sort order reads its range anyway and
   * needs no count of it.
   */
  private Set<ThingId> narrowedByRanges(ThingQuery query, Set<ThingId> narrowest) {
    Map<String, NumberRange> ranges =
        query.filter().map(RqlFilter::requiredRanges).orElse(Map.of());
    for (Map.Entry<String, NumberRange> range : ranges.entrySet()) {
      Optional<NavigableSet<SearchIndex.NumberEntry>> numbers =
          store
              .index()
              .numbersBetween(
                  JsonPointer.of(range.getKey()), range.getValue().from(), range.getValue().to());
      if (numbers.isPresent()) {
        narrowest = smaller(narrowest, idsIfFewer(numbers.get(), narrowest));
      }
    }
    return narrowest;
  }

  private Collection<Twin> candidates(Set<ThingId> narrowest) {
    if (narrowest == null) {
      return store.twins();
    }
    List<Twin> twins = new ArrayList<>(narrowest.size());
    for (ThingId thingId : narrowest) {
      store.twin(thingId).ifPresent(twins::add);
    }
    return twins;
  }

  /**
   * The ids of a range's numbers, if there are fewer of them than candidates already found (or
   * twins held): counting a range means reading it, so reading stops at that many.
   */
  private Set<ThingId> idsIfFewer(
      NavigableSet<SearchIndex.NumberEntry> numbers, Set<ThingId> narrowest) {
    int limit = narrowest == null ? store.size() : narrowest.size();
    // Counting first: walking the entries costs far less than filling a set with them.
    int count = 0;
    for (Iterator<SearchIndex.NumberEntry> entries = numbers.iterator(); entries.hasNext(); ) {
      entries.next();
      if (++count >= limit) {
        return null;
      }
    }
    Set<ThingId> ids = new HashSet<>(count * 2);
    numbers.forEach(entry -> ids.add(entry.thingId()));
    return ids;
  }

  private static Set<ThingId> smaller(Set<ThingId> current, Set<ThingId> candidate) {
    if (candidate == null) {
      return current;
    }
    return current == null || candidate.size() < current.size() ? candidate : current;
  }

  private static Comparator<Match> order(List<SearchOptions.SortKey> sort) {
    Comparator<Match> order = null;
    for (int i = 0; i < sort.size(); i++) {
      int position = i;
      Comparator<Match> byKey =
          (a, b) -> compareValues(a.sortValues().get(position), b.sortValues().get(position));
      if (!sort.get(i).ascending()) {
        byKey = byKey.reversed();
      }
      order = order == null ? byKey : order.thenComparing(byKey);
    }
    Comparator<Match> byId = Comparator.comparing(Match::thingId);
    return order == null ? byId : order.thenComparing(byId);
  }

  /**
   * Absent values sort first, then values in RQL's order; arrays and objects sort by their text.
   */
  private static int compareValues(Optional<JsonValue> a, Optional<JsonValue> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.isEmpty() ? (b.isEmpty() ? 0 : -1) : 1;
    }
    Object left = JsonValues.comparable(a.get()).orElse(a.get().toString());
    Object right = JsonValues.comparable(b.get()).orElse(b.get().toString());
    return JsonValues.compare(left, right);
  }

  private static String encodeCursor(Match last, ThingQuery query) {
    JsonArray values =
        last.sortValues().stream()
            .map(
                value ->
                    (JsonValue)
                        value
                            .map(v -> JsonArray.of(JsonValue.of(true), v))
                            .orElse(JsonArray.of(JsonValue.of(false))))
            .collect(org.eclipse.ditto.json.JsonCollectors.valuesToArray());
    JsonObject cursor =
        JsonObject.newBuilder()
            .set("q", query.fingerprint())
            .set("v", values)
            .set("id", last.thingId())
            .build();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(cursor.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static Match decodeCursor(String cursor, ThingQuery query) {
    JsonObject decoded;
    try {
      decoded =
          JsonFactory.newObject(
              new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw invalidCursor("the cursor is not one this server gave out");
    }
    if (!decoded
        .getValue("q")
        .map(JsonValue::formatAsString)
        .orElse("")
        .equals(query.fingerprint())) {
      throw invalidCursor(
          "the cursor belongs to another query; page with the same filter, namespaces and sort");
    }
    List<Optional<JsonValue>> values = new ArrayList<>();
    for (JsonValue entry :
        decoded
            .getValue("v")
            .filter(JsonValue::isArray)
            .map(JsonValue::asArray)
            .orElse(JsonArray.empty())) {
      JsonArray pair = entry.asArray();
      values.add(
          pair.get(0).map(JsonValue::asBoolean).orElse(false) ? pair.get(1) : Optional.empty());
    }
    if (values.size() != query.options().sort().size()) {
      throw invalidCursor("the cursor does not fit this query's sort");
    }
    return new Match(null, decoded.getValue("id").map(JsonValue::asString).orElse(""), values);
  }

  private static InvalidOptionException invalidCursor(String message) {
    return InvalidOptionException.newBuilder()
        .message(message)
        .dittoHeaders(DittoHeaders.empty())
        .build();
  }
}
