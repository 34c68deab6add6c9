package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKTReader;

class ThingSearchTest {

  private static final GeometryFactory WGS84 = new GeometryFactory();
  // Not final: RecoveredThingSearchTest runs every case again over the same district recovered as
  // JSON.
  ThingStore store =
      new ThingStore(Clock.fixed(Instant.parse("2026-07-14T08:00:00Z"), ZoneOffset.UTC));
  ThingSearch search = new ThingSearch(store);

  private static Thing thing(String id, String definition, String attributes, String features) {
    return ThingsModelFactory.newThing(
        "{\"thingId\":\""
            + id
            + "\",\"definition\":\""
            + definition
            + "\",\"attributes\":"
            + attributes
            + (features == null ? "" : ",\"features\":" + features)
            + "}");
  }

  @BeforeEach
  void district() {
    store.put(
        thing(
            "water:wlg-1",
            "citytwin:waterlogging-gauge:1.0.0",
            "{\"name\":\"Gauge One\",\"level\":3,\"active\":true,\"note\":null,\"tags\":[\"a\",\"b\"],"
                + "\"hierarchy\":{\"street\":\"s1\",\"grid\":\"g1\"},\"location\":{\"type\":\"Point\",\"coordinates\":[120.12,30.30]}}",
            "{\"waterlogging\":{\"properties\":{\"depth\":0.23}}}"));
    store.put(
        thing(
            "water:wlg-2",
            "citytwin:waterlogging-gauge:1.0.0",
            "{\"name\":\"gauge two\",\"level\":10,\"active\":false,"
                + "\"hierarchy\":{\"street\":\"s1\",\"grid\":\"g2\"},\"location\":{\"type\":\"Point\",\"coordinates\":[120.13,30.29]}}",
            "{\"waterlogging\":{\"properties\":{\"depth\":0.05}}}"));
    store.put(
        thing(
            "water:wlg-3",
            "citytwin:waterlogging-gauge:1.0.0",
            "{\"name\":\"Gauge Three\",\"level\":\"7\",\"hierarchy\":{\"street\":\"s2\",\"grid\":\"g3\"},"
                + "\"location\":{\"type\":\"Point\",\"coordinates\":[120.17,30.30]}}",
            null));
    store.put(
        thing(
            "traffic:bridge-1",
            "citytwin:bridge:1.0.0",
            "{\"name\":\"Gongchen Bridge\",\"level\":2.5,"
                + "\"location\":{\"type\":\"LineString\",\"coordinates\":[[120.139,30.318],[120.141,30.319]]}}",
            null));
    store.put(thing("traffic:cam-1", "citytwin:camera:1.0.0", "{\"name\":\"Camera\"}", null));
  }

  List<String> ids(String filter) {
    return ids(filter, null, null, Optional.empty());
  }

  private List<String> ids(
      String filter, String namespaces, String options, Optional<GeoFilter> geo) {
    return search.search(ThingQuery.parse(filter, namespaces, options, geo)).items().stream()
        .map(thing -> thing.getEntityId().orElseThrow().toString())
        .toList();
  }

  @Test
  void eqMatchesPresentEqualValuesAcrossNumberAndStringLikeDitto() {
    assertThat(ids("eq(attributes/name,\"Gauge One\")")).containsExactly("water:wlg-1");
    assertThat(ids("eq(attributes/level,7)"))
        .as("the string \"7\" equals 7")
        .containsExactly("water:wlg-3");
    assertThat(ids("eq(attributes/level,3.0)")).containsExactly("water:wlg-1");
    assertThat(ids("eq(attributes/note,null)")).containsExactly("water:wlg-1");
    assertThat(ids("eq(attributes/tags,\"a\")")).as("arrays are not compared").isEmpty();
    assertThat(ids("eq(thingId,\"traffic:cam-1\")")).containsExactly("traffic:cam-1");
  }

  @Test
  void neAlsoMatchesThingsWithoutTheProperty() {
    assertThat(ids("ne(attributes/active,true)"))
        .containsExactly("traffic:bridge-1", "traffic:cam-1", "water:wlg-2", "water:wlg-3");
  }

  @Test
  void orderingComparisonsNeedAPresentValue() {
    assertThat(ids("gt(attributes/level,3)")).containsExactly("water:wlg-2", "water:wlg-3");
    assertThat(ids("ge(attributes/level,3)"))
        .containsExactly("water:wlg-1", "water:wlg-2", "water:wlg-3");
    assertThat(ids("lt(attributes/level,3)")).containsExactly("traffic:bridge-1");
    assertThat(ids("le(attributes/level,2.5)")).containsExactly("traffic:bridge-1");
    assertThat(ids("gt(features/waterlogging/properties/depth,0.1)"))
        .containsExactly("water:wlg-1");
    assertThat(ids("lt(attributes/name,\"H\")"))
        .as("strings order by their text")
        .containsExactly("traffic:bridge-1", "traffic:cam-1", "water:wlg-1", "water:wlg-3");
  }

  @Test
  void inMatchesAnyListedValue() {
    assertThat(ids("in(attributes/level,3,10)")).containsExactly("water:wlg-1", "water:wlg-2");
    assertThat(ids("in(thingId,\"water:wlg-3\",\"traffic:cam-1\",\"nowhere:x\")"))
        .containsExactly("traffic:cam-1", "water:wlg-3");
  }

  @Test
  void likeUsesWildcardsAndIlikeIgnoresCase() {
    assertThat(ids("like(attributes/name,\"Gauge*\")"))
        .containsExactly("water:wlg-1", "water:wlg-3");
    assertThat(ids("like(attributes/name,\"?auge*\")"))
        .containsExactly("water:wlg-1", "water:wlg-2", "water:wlg-3");
    assertThat(ids("like(attributes/name,\"Gauge T*e\")")).containsExactly("water:wlg-3");
    assertThat(ids("ilike(attributes/name,\"GAUGE*\")"))
        .containsExactly("water:wlg-1", "water:wlg-2", "water:wlg-3");
    assertThat(ids("like(attributes/name,\"Gauge.One\")"))
        .as("regex characters are literal")
        .isEmpty();
  }

  @Test
  void existsMatchesAnyPresentValueNullIncluded() {
    assertThat(ids("exists(attributes/active)")).containsExactly("water:wlg-1", "water:wlg-2");
    assertThat(ids("exists(attributes/note)")).containsExactly("water:wlg-1");
    assertThat(ids("exists(features)")).containsExactly("water:wlg-1", "water:wlg-2");
  }

  @Test
  void logicalOperatorsCombine() {
    assertThat(ids("and(eq(attributes/hierarchy/street,\"s1\"),gt(attributes/level,5))"))
        .containsExactly("water:wlg-2");
    assertThat(ids("or(eq(attributes/level,3),lt(attributes/level,3))"))
        .containsExactly("traffic:bridge-1", "water:wlg-1");
    assertThat(ids("not(exists(attributes/level))")).containsExactly("traffic:cam-1");
    assertThat(
            ids(
                "and(eq(definition,\"citytwin:waterlogging-gauge:1.0.0\"),not(eq(attributes/hierarchy/grid,\"g1\")))"))
        .containsExactly("water:wlg-2", "water:wlg-3");
  }

  @Test
  void specialFieldsAreSearchable() {
    store.merge(ThingId.of("water:wlg-2"), JsonPointer.of("attributes/level"), JsonValue.of(11));
    assertThat(ids("gt(_revision,1)")).containsExactly("water:wlg-2");
  }

  @Test
  void namespacesNarrowTheSearch() {
    assertThat(ids(null, "traffic", null, Optional.empty()))
        .containsExactly("traffic:bridge-1", "traffic:cam-1");
    assertThat(ids("exists(attributes/level)", "traffic, water", null, Optional.empty()))
        .hasSize(4);
  }

  @Test
  void sortsMixedValuesWithAbsentOnesFirstAscending() {
    assertThat(ids(null, null, "sort(-attributes/level)", Optional.empty()))
        .containsExactly(
            "water:wlg-2", "water:wlg-3", "water:wlg-1", "traffic:bridge-1", "traffic:cam-1");
    assertThat(ids(null, null, "sort(+attributes/hierarchy/street,-thingId)", Optional.empty()))
        .containsExactly(
            "traffic:cam-1", "traffic:bridge-1", "water:wlg-2", "water:wlg-1", "water:wlg-3");
  }

  @Test
  void pagesWithCursorsUntilTheLastPage() {
    List<String> seen = new ArrayList<>();
    String options = "size(2),sort(-attributes/level)";
    SearchPage page = search.search(ThingQuery.parse(null, null, options, Optional.empty()));
    seen.addAll(page.items().stream().map(t -> t.getEntityId().orElseThrow().toString()).toList());
    int pages = 1;
    while (page.cursor().isPresent()) {
      page =
          search.search(
              ThingQuery.parse(
                  null, null, options + ",cursor(" + page.cursor().get() + ")", Optional.empty()));
      seen.addAll(
          page.items().stream().map(t -> t.getEntityId().orElseThrow().toString()).toList());
      pages++;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(seen)
        .containsExactly(
            "water:wlg-2", "water:wlg-3", "water:wlg-1", "traffic:bridge-1", "traffic:cam-1");

    String cursor =
        search
            .search(ThingQuery.parse(null, null, options, Optional.empty()))
            .cursor()
            .orElseThrow();
    assertThatThrownBy(
            () ->
                search.search(
                    ThingQuery.parse(
                        "exists(attributes)",
                        null,
                        options + ",cursor(" + cursor + ")",
                        Optional.empty())))
        .isInstanceOfSatisfying(
            DittoRuntimeException.class,
            e -> assertThat(e.getErrorCode()).isEqualTo("thing-search:search.option.invalid"));
  }

  @Test
  void countsMatches() {
    assertThat(
            search.count(
                ThingQuery.parse(
                    "eq(definition,\"citytwin:waterlogging-gauge:1.0.0\")",
                    null,
                    null,
                    Optional.empty())))
        .isEqualTo(3);
    assertThat(search.count(ThingQuery.parse(null, null, null, Optional.empty()))).isEqualTo(5);
  }

  @Test
  void withinAnAreaIntersectingAGeometryAndNearAPoint() throws Exception {
    WKTReader wkt = new WKTReader(WGS84);
    GeoFilter westCatchment =
        GeoFilter.within(
            wkt.read(
                "POLYGON((120.10 30.27, 120.15 30.27, 120.15 30.32, 120.10 30.32, 120.10 30.27))"));
    assertThat(ids(null, null, null, Optional.of(westCatchment)))
        .containsExactly("traffic:bridge-1", "water:wlg-1", "water:wlg-2");
    assertThat(
            ids(
                "eq(definition,\"citytwin:waterlogging-gauge:1.0.0\")",
                null,
                null,
                Optional.of(westCatchment)))
        .containsExactly("water:wlg-1", "water:wlg-2");

    GeoFilter acrossTheBridge =
        GeoFilter.intersects(wkt.read("LINESTRING(120.140 30.317, 120.140 30.320)"));
    assertThat(ids(null, null, null, Optional.of(acrossTheBridge)))
        .containsExactly("traffic:bridge-1");

    // wlg-2 lies 0.01 deg east and 0.01 deg south of wlg-1: 961.1 m and 1105.7 m, so 1465 m away.
    WgsPoint gaugeOne = new WgsPoint(120.12, 30.30);
    assertThat(ids(null, null, null, Optional.of(GeoFilter.near(gaugeOne, 1_000, WGS84))))
        .containsExactly("water:wlg-1");
    assertThat(ids(null, null, null, Optional.of(GeoFilter.near(gaugeOne, 1_460, WGS84))))
        .containsExactly("water:wlg-1");
    assertThat(ids(null, null, null, Optional.of(GeoFilter.near(gaugeOne, 1_470, WGS84))))
        .containsExactly("water:wlg-1", "water:wlg-2");
  }

  @Test
  void indexesFollowChangesAndDeletions() {
    store.merge(
        ThingId.of("water:wlg-3"),
        JsonPointer.of("attributes/hierarchy/street"),
        JsonValue.of("s1"));
    assertThat(ids("eq(attributes/hierarchy/street,\"s1\")"))
        .containsExactly("water:wlg-1", "water:wlg-2", "water:wlg-3");
    store.merge(
        ThingId.of("water:wlg-1"),
        JsonPointer.of("attributes/location"),
        JsonFactory.nullLiteral());
    WgsPoint gaugeOne = new WgsPoint(120.12, 30.30);
    assertThat(ids(null, null, null, Optional.of(GeoFilter.near(gaugeOne, 10, WGS84)))).isEmpty();
    store.apply(
        ThingChanges.delete(
            ThingId.of("water:wlg-2"),
            store.twin(ThingId.of("water:wlg-2")).orElseThrow(),
            Instant.now()));
    assertThat(ids("eq(attributes/hierarchy/street,\"s1\")"))
        .containsExactly("water:wlg-1", "water:wlg-3");
    assertThat(ids(null, "water", null, Optional.empty()))
        .containsExactly("water:wlg-1", "water:wlg-3");
  }

  @Test
  void refusesInvalidFiltersAndOptionsWithDittoCodes() {
    assertThatThrownBy(() -> ThingQuery.parse("eq(attributes/name", null, null, Optional.empty()))
        .isInstanceOfSatisfying(
            DittoRuntimeException.class,
            e -> assertThat(e.getErrorCode()).isEqualTo("rql.expression.invalid"));
    assertThatThrownBy(() -> ThingQuery.parse("unknown(a,1)", null, null, Optional.empty()))
        .isInstanceOfSatisfying(
            DittoRuntimeException.class,
            e -> assertThat(e.getErrorCode()).isEqualTo("rql.expression.invalid"));
    for (String option :
        List.of("size(0)", "size(201)", "size(x)", "sort(name)", "limit(1,2)", "cursor()")) {
      assertThatThrownBy(() -> ThingQuery.parse(null, null, option, Optional.empty()))
          .as(option)
          .isInstanceOfSatisfying(
              DittoRuntimeException.class,
              e -> assertThat(e.getErrorCode()).isEqualTo("thing-search:search.option.invalid"));
    }
  }
}
