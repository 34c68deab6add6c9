package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.citytwin.twin.search.SearchIndex;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Searches bounded and sorted by a numeric attribute, which read the attribute's numbers in order,
 * must page exactly as sorting every match would: checked against a sort of the matches done here.
 */
class OrderedRangeSearchTest {

  private static final JsonPointer RANK = JsonPointer.of("/attributes/rank");

  private final ThingStore store =
      new ThingStore(Clock.fixed(Instant.parse("2026-07-14T08:00:00Z"), ZoneOffset.UTC));
  private final ThingSearch search = new ThingSearch(store);

  /** A twin's street and rank, as the reference sort sees them. */
  private record Row(String id, String street, BigDecimal rank, String name) {}

  private final List<Row> rows = new ArrayList<>();

  @BeforeEach
  void district() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 900; i++) {
      String street = "s" + random.nextInt(3);
      // Few distinct ranks, so that ties must be broken by the next key and the id; some
      // fractional, some negative, and -0.0 beside 0.
      Object rank =
          switch (i % 4) {
            case 0 -> random.nextInt(40);
            case 1 -> random.nextInt(40) - 20;
            case 2 -> random.nextInt(80) / 2.0;
            default -> i % 40 == 3 ? -0.0 : random.nextInt(40);
          };
      String name = "n" + random.nextInt(5);
      put(String.format("water:g-%04d", i), street, rank, name);
    }
    // Twins without a rank, or without a street, never match.
    store.put(
        ThingsModelFactory.newThing(
            "{\"thingId\":\"water:no-rank\",\"attributes\":{\"hierarchy\":{\"street\":\"s1\"}}}"));
    store.put(
        ThingsModelFactory.newThing(
            "{\"thingId\":\"water:no-street\",\"attributes\":{\"rank\":5}}"));
    // No name either: it sorts last by descending name, as "" does.
    rows.add(new Row("water:no-street", "", BigDecimal.valueOf(5), ""));
  }

  private void put(String id, String street, Object rank, String name) {
    JsonValue rankJson =
        rank instanceof Integer whole ? JsonValue.of(whole) : JsonValue.of((Double) rank);
    Thing thing =
        ThingsModelFactory.newThingBuilder()
            .setId(ThingId.of(id))
            .setAttribute(JsonPointer.of("hierarchy/street"), JsonValue.of(street))
            .setAttribute(JsonPointer.of("rank"), rankJson)
            .setAttribute(JsonPointer.of("name"), JsonValue.of(name))
            .build();
    store.put(thing);
    rows.removeIf(row -> row.id().equals(id));
    rows.add(new Row(id, street, new BigDecimal(rankJson.toString()), name));
  }

  /** Every page of the search, joined, following cursors. */
  private List<String> allPages(String filter, String sortAndSize) {
    List<String> seen = new ArrayList<>();
    Optional<String> cursor = Optional.empty();
    do {
      String options = sortAndSize + cursor.map(c -> ",cursor(" + c + ")").orElse("");
      SearchPage page = search.search(ThingQuery.parse(filter, null, options, Optional.empty()));
      page.items().forEach(thing -> seen.add(thing.getEntityId().orElseThrow().toString()));
      cursor = page.cursor();
    } while (cursor.isPresent());
    return seen;
  }

  private List<String> expected(Predicate<Row> filter, Comparator<Row> order) {
    return rows.stream().filter(filter).sorted(order.thenComparing(Row::id)).map(Row::id).toList();
  }

  @Test
  void descendingRangeWithAnIndexedEqualityPagesLikeAFullSort() {
    List<String> found =
        allPages(
            "and(eq(attributes/hierarchy/street,\"s1\"),gt(attributes/rank,10))",
            "size(7),sort(-attributes/rank)");
    List<String> expected =
        expected(
            row -> row.street().equals("s1") && row.rank().compareTo(BigDecimal.TEN) > 0,
            Comparator.comparing(Row::rank).reversed());
    assertThat(expected).hasSizeGreaterThan(50);
    assertThat(found).containsExactlyElementsOf(expected);
  }

  @Test
  void ascendingClosedRangeWithASecondSortKeyPagesLikeAFullSort() {
    List<String> found =
        allPages(
            "and(ge(attributes/rank,-5),le(attributes/rank,12.5))",
            "size(13),sort(+attributes/rank,-attributes/name)");
    List<String> expected =
        expected(
            row ->
                row.rank().compareTo(BigDecimal.valueOf(-5)) >= 0
                    && row.rank().compareTo(new BigDecimal("12.5")) <= 0,
            Comparator.comparing(Row::rank).thenComparing(Row::name, Comparator.reverseOrder()));
    assertThat(found).containsExactlyElementsOf(expected);
    assertThat(found).contains("water:g-0003");
  }

  @Test
  void aNarrowRangeWithoutSortPagesByThingId() {
    List<String> found = allPages("gt(attributes/rank,37)", "size(10)");
    List<String> expected =
        expected(row -> row.rank().compareTo(BigDecimal.valueOf(37)) > 0, (a, b) -> 0);
    assertThat(expected).hasSizeBetween(10, 90);
    assertThat(found).containsExactlyElementsOf(expected);
    assertThat(
            search.count(ThingQuery.parse("gt(attributes/rank,37)", null, null, Optional.empty())))
        .isEqualTo(expected.size());
  }

  @Test
  void equalityOnANumberFindsMinusZeroAsZero() {
    List<String> found = allPages("eq(attributes/rank,0)", "size(50),sort(+attributes/rank)");
    assertThat(found)
        .containsExactlyElementsOf(
            expected(row -> row.rank().signum() == 0, Comparator.comparing(Row::rank)));
    assertThat(found).contains("water:g-0003");
  }

  @Test
  void changedAndDeletedRanksMoveInTheOrder() {
    put("water:g-0001", "s1", 1_000, "n0");
    put("water:g-0002", "s1", 999.5, "n0");
    store.apply(
        ThingChanges.delete(
            ThingId.of("water:g-0005"),
            store.twin(ThingId.of("water:g-0005")).orElseThrow(),
            Instant.now()));
    rows.removeIf(row -> row.id().equals("water:g-0005"));
    List<String> found =
        allPages(
            "and(eq(attributes/hierarchy/street,\"s1\"),gt(attributes/rank,10))",
            "size(20),sort(-attributes/rank)");
    assertThat(found).startsWith("water:g-0001", "water:g-0002");
    assertThat(found)
        .containsExactlyElementsOf(
            expected(
                row -> row.street().equals("s1") && row.rank().compareTo(BigDecimal.TEN) > 0,
                Comparator.comparing(Row::rank).reversed()));
  }

  @Test
  void aStringHeldWhereNumbersAreStillMatchesAndTheOrderedIndexStandsAside() {
    assertThat(store.index().numbersBetween(RANK, 10, 20)).isPresent();
    // RQL compares the string "35" with a number as a number.
    store.put(
        ThingsModelFactory.newThing(
            "{\"thingId\":\"water:text-rank\",\"attributes\":{\"hierarchy\":{\"street\":\"s1\"},\"rank\":\"35\"}}"));
    assertThat(store.index().numbersBetween(RANK, 10, 20)).isEmpty();
    List<String> found =
        allPages(
            "and(eq(attributes/hierarchy/street,\"s1\"),gt(attributes/rank,34))",
            "size(5),sort(-attributes/rank)");
    assertThat(found).contains("water:text-rank");
    assertThat(found)
        .hasSize(
            1
                + expected(
                        row ->
                            row.street().equals("s1")
                                && row.rank().compareTo(BigDecimal.valueOf(34)) > 0,
                        Comparator.comparing(Row::rank))
                    .size());

    store.apply(
        ThingChanges.delete(
            ThingId.of("water:text-rank"),
            store.twin(ThingId.of("water:text-rank")).orElseThrow(),
            Instant.now()));
    assertThat(store.index().numbersBetween(RANK, 10, 20)).isPresent();
  }

  @Test
  void theOrderedIndexHoldsEveryNumberInItsRangeAndNoOther() {
    List<SearchIndex.NumberEntry> between =
        List.copyOf(store.index().numbersBetween(RANK, -2, 3).orElseThrow());
    long expectedCount =
        rows.stream()
            .filter(row -> row.rank().compareTo(BigDecimal.valueOf(-2)) >= 0)
            .filter(row -> row.rank().compareTo(BigDecimal.valueOf(3)) <= 0)
            .count();
    assertThat(between).hasSize((int) expectedCount);
    assertThat(between)
        .isSortedAccordingTo(Comparator.comparingDouble(SearchIndex.NumberEntry::number));
    assertThat(store.index().numbersBetween(JsonPointer.of("/attributes/unheard-of"), 0, 1))
        .hasValueSatisfying(set -> assertThat(set).isEmpty());
    assertThat(store.index().numbersBetween(JsonPointer.of("/features/x/properties/y"), 0, 1))
        .as("feature properties are not held in order")
        .isEmpty();
  }

  @Test
  void attributesDeeperThanTheIndexGoesAreStillFound() {
    store.put(
        ThingsModelFactory.newThing(
            "{\"thingId\":\"water:deep\",\"attributes\":"
                + "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":7}}}}}}}}"));
    JsonPointer deep = JsonPointer.of("/attributes/a/b/c/d/e/f/g");
    assertThat(store.index().numbersBetween(deep, 0, 10)).isEmpty();
    assertThat(
            allPages("gt(attributes/a/b/c/d/e/f/g,5)", "size(5),sort(-attributes/a/b/c/d/e/f/g)"))
        .containsExactly("water:deep");
    assertThat(allPages("gt(attributes/a/b/c/d/e/f,5)", "size(5),sort(-attributes/a/b/c/d/e/f)"))
        .as("an object is never greater than a number")
        .isEmpty();
  }
}
