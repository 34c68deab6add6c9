package org.citytwin.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.twin.ReadScope;
import org.citytwin.twin.SearchPage;
import org.citytwin.twin.ThingQuery;
import org.citytwin.twin.ThingSearch;
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
  private final ThingAccess access;

  public SearchRoutes(Vertx vertx, ThingSearch search, ZoneIndex zones, ThingAccess access) {
    this.vertx = vertx;
    this.search = search;
    this.zones = zones;
    this.access = access;
  }

  public void mount(Router router) {
    router.get("/api/2/search/things").handler(this::onSearch);
    router.get("/api/2/search/things/count").handler(this::onCount);
  }

  /** The search the request asks for, within what its caller may read. */
  private ThingQuery query(RoutingContext context, ReadScope scope) {
    return ThingQuery.parse(
            context.request().getParam("filter"),
            context.request().getParam("namespaces"),
            context.request().getParam("option"),
            GeoParameter.parse(context.request().getParam("geo"), zones))
        .within(scope);
  }

  private void onSearch(RoutingContext context) {
    Caller caller = ApiAuthentication.caller(context);
    ReadScope scope = access.scope(caller);
    ThingQuery query = query(context, scope);
    Optional<JsonFieldSelector> fields = ThingsRoutes.fieldSelector(context);
    vertx
        .executeBlocking(() -> search.search(query), false)
        .onSuccess(
            page ->
                context
                    .response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(
                        render(page, items(access, caller, scope, page.items(), fields))
                            .toString()))
        .onFailure(context::fail);
  }

  private void onCount(RoutingContext context) {
    ThingQuery query = query(context, access.scope(ApiAuthentication.caller(context)));
    vertx
        .executeBlocking(() -> search.count(query), false)
        .onSuccess(
            count ->
                context
                    .response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(String.valueOf(count)))
        .onFailure(context::fail);
  }

  private static JsonObject render(SearchPage page, JsonArray items) {
    var result = JsonFactory.newObjectBuilder().set("items", items);
    page.cursor().ifPresent(cursor -> result.set("cursor", cursor));
    return result.build();
  }

  /**
   * Search hits as Ditto answers them: each thing's JSON, or the {@code fields} of it asked for, as
   * far as the caller may read it (a lent thing's lent parts; each counted as a use of its grants).
   */
  static JsonArray items(
      ThingAccess access,
      Caller caller,
      ReadScope scope,
      List<Thing> things,
      Optional<JsonFieldSelector> fields) {
    return things.stream()
        .map(thing -> access.view(caller, scope, thing, fields, ThingAccess.Use.SEARCH))
        .flatMap(Optional::stream)
        .map(json -> (JsonValue) json)
        .collect(JsonCollectors.valuesToArray());
  }
}
