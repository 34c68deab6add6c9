package org.citytwin.api.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.citytwin.twin.ThingModelCatalogue;
import org.eclipse.ditto.json.JsonArray;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingDefinition;
import org.eclipse.ditto.things.model.ThingsModelFactory;

/**
 * The thing models: {@code GET /api/models} lists them, {@code GET /api/models/{definition}} (for
 * example {@code citytwin:waterlogging-gauge:1.0.0}) answers the W3C WoT Thing Model.
 */
public final class ModelRoutes {

  private final ThingModelCatalogue catalogue;

  public ModelRoutes(ThingModelCatalogue catalogue) {
    this.catalogue = catalogue;
  }

  public void mount(Router router) {
    router.get("/api/models").handler(this::onList);
    router.get("/api/models/:definition").handler(this::onModel);
  }

  private void onList(RoutingContext context) {
    JsonArray list = JsonFactory.newArray();
    for (var entry : catalogue.all().entrySet()) {
      JsonObject model = entry.getValue();
      list =
          list.add(
              JsonFactory.newObjectBuilder()
                  .set("definition", entry.getKey().toString())
                  .set("title", model.getValue("title").orElse(JsonValue.nullLiteral()))
                  .set(
                      "category",
                      model.getValue("citytwin:category").orElse(JsonValue.nullLiteral()))
                  .set(
                      "department",
                      model.getValue("citytwin:department").orElse(JsonValue.nullLiteral()))
                  .set("href", "/api/models/" + entry.getKey())
                  .build());
    }
    context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(list.toString());
  }

  private void onModel(RoutingContext context) {
    String requested = context.pathParam("definition");
    ThingDefinition definition;
    try {
      definition = ThingsModelFactory.newDefinition(requested);
    } catch (RuntimeException notADefinition) {
      throw ApiErrors.MODEL_NOT_FOUND.toException("There is no thing model '" + requested + "'.");
    }
    JsonObject model =
        catalogue
            .find(definition)
            .orElseThrow(
                () ->
                    ApiErrors.MODEL_NOT_FOUND.toException(
                        "There is no thing model '" + requested + "'."));
    context
        .response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/tm+json")
        .end(model.toString());
  }
}
