package org.citytwin.twin;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import org.citytwin.twin.search.JsonValues;
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
 * eq(thingId,..)} or {@code in(thingId,..)}, an indexed property's equality, the namespaces, or the
 * spatial index) and scans every twin only when nothing narrows it. Every candidate is then tested
 * against the whole query. Pages are cut by key (the sort values and the thing id of the last
 * item), so paging stays consistent while twins change, and only the page plus one item is ever
 * held in sorted order.
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
    // A max-heap of the best size + 1 matches: the extra one tells whether another page exists.
    PriorityQueue<Match> best = new PriorityQueue<>(size + 1, order.reversed());
    for (Twin twin : candidates(query)) {
      Optional<Match> match = match(twin, query);
      if (match.isEmpty() || (after.isPresent() && order.compare(match.get(), after.get()) <= 0)) {
        continue;
      }
      best.add(match.get());
      if (best.size() > size + 1) {
        best.poll();
      }
    }
    List<Match> sorted = new ArrayList<>(best);
    sorted.sort(order);
    Optional<String> cursor = Optional.empty();
    if (sorted.size() > size) {
      sorted = sorted.subList(0, size);
      cursor = Optional.of(encodeCursor(sorted.get(size - 1), query));
    }
    return new SearchPage(sorted.stream().map(match -> match.twin().thing()).toList(), cursor);
  }

  /** How many twins match the query (its options aside). */
  public long count(ThingQuery query) {
    long count = 0;
    for (Twin twin : candidates(query)) {
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
    if (!query.namespaces().isEmpty() && !query.namespaces().contains(thingId.getNamespace())) {
      return Optional.empty();
    }
    if (query.geo().isPresent()) {
      Optional<Geometry> location = store.index().location(thingId);
      if (location.isEmpty() || !query.geo().get().matches(location.get())) {
        return Optional.empty();
      }
    }
    TwinFields fields = new TwinFields(twin);
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

  private Collection<Twin> candidates(ThingQuery query) {
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
    if (!query.namespaces().isEmpty()) {
      Set<ThingId> inNamespaces;
      if (query.namespaces().size() == 1) {
        inNamespaces = index.inNamespace(query.namespaces().iterator().next());
      } else {
        inNamespaces = new HashSet<>();
        for (String namespace : query.namespaces()) {
          inNamespaces.addAll(index.inNamespace(namespace));
        }
      }
      narrowest = smaller(narrowest, inNamespaces);
    }
    if (query.geo().isPresent()) {
      narrowest = smaller(narrowest, index.near(query.geo().get().searchEnvelope()));
    }
    if (narrowest == null) {
      return store.twins();
    }
    List<Twin> twins = new ArrayList<>(narrowest.size());
    for (ThingId thingId : narrowest) {
      store.twin(thingId).ifPresent(twins::add);
    }
    return twins;
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
