package org.citytwin.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.twin.SearchPage;
import org.citytwin.twin.ThingQuery;
import org.citytwin.twin.ThingSearch;
import org.eclipse.ditto.base.model.json.JsonSchemaVersion;
import org.eclipse.ditto.json.JsonArray;
import org.eclipse.ditto.json.JsonCollectors;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonFieldSelector;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;

/**
 * Ditto's search, {@code GET /api/2/search/things} and {@code /api/2/search/things/count}, with
 * {@code filter}, {@code namespaces}, {@code option} (size, sort, cursor) and {@code fields}, plus
 * citytwin's {@code geo} parameter. Searches run on a worker thread: one that no index narrows
 * reads every twin.
 */
public final class SearchRoutes {

  private final Vertx vertx;
  private final ThingSearch search;
  private final ZoneIndex zones;

  public SearchRoutes(Vertx vertx, ThingSearch search, ZoneIndex zones) {
    this.vertx = vertx;
    this.search = search;
    this.zones = zones;
  }

  public void mount(Router router) {
    router.get("/api/2/search/things").handler(this::onSearch);
    router.get("/api/2/search/things/count").handler(this::onCount);
  }

  private ThingQuery query(RoutingContext context) {
    return ThingQuery.parse(
        context.request().getParam("filter"),
        context.request().getParam("namespaces"),
        context.request().getParam("option"),
        GeoParameter.parse(context.request().getParam("geo"), zones));
  }

  private void onSearch(RoutingContext context) {
    Optional<ThingQuery> query = ApiAuthentication.caller(context).narrow(query(context));
    Optional<JsonFieldSelector> fields = ThingsRoutes.fieldSelector(context);
    vertx
        .executeBlocking(
            () -> query.map(search::search).orElse(new SearchPage(List.of(), Optional.empty())),
            false)
        .onSuccess(
            page ->
                context
                    .response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(render(page, fields).toString()))
        .onFailure(context::fail);
  }

  private void onCount(RoutingContext context) {
    Optional<ThingQuery> query = ApiAuthentication.caller(context).narrow(query(context));
    vertx
        .executeBlocking(() -> query.map(search::count).orElse(0L), false)
        .onSuccess(
            count ->
                context
                    .response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(String.valueOf(count)))
        .onFailure(context::fail);
  }

  private static JsonObject render(SearchPage page, Optional<JsonFieldSelector> fields) {
    var result = JsonFactory.newObjectBuilder().set("items", items(page.items(), fields));
    page.cursor().ifPresent(cursor -> result.set("cursor", cursor));
    return result.build();
  }

  /**
   * Search hits as Ditto answers them: each thing's JSON, or the {@code fields} of it asked for.
   */
  static JsonArray items(List<Thing> things, Optional<JsonFieldSelector> fields) {
    return things.stream()
        .map(
            thing ->
                (JsonValue)
                    fields
                        .map(f -> thing.toJson(JsonSchemaVersion.V_2, f))
                        .orElseGet(thing::toJson))
        .collect(JsonCollectors.valuesToArray());
  }
}
