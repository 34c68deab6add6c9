package org.citytwin.api.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The reference screens citytwin serves itself, built only on the public API: {@code
 * /screen/flood}, the flood-warning screen, with its scripts under {@code /screen/} and Leaflet
 * from its WebJar under {@code /webjars/}, so that the screen works with no network beyond
 * citytwin. The pages are public; the data they show comes from the API under the token the user
 * signs in with.
 */
public final class ScreenRoutes {

  public void mount(Router router) {
    router.get("/screen/flood").handler(context -> context.reroute("/screen/flood.html"));
    router.get("/screen/*").handler(StaticHandler.create("screen").setCachingEnabled(true));
    router
        .get("/webjars/*")
        .handler(StaticHandler.create("META-INF/resources/webjars").setMaxAgeSeconds(86_400));
  }
}
