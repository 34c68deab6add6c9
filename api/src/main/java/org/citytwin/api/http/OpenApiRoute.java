package org.citytwin.api.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3 document of the HTTP API, at {@code /api/openapi.yaml}. It takes no token, so that
 * tools can read it before anyone signs in; it says nothing a token would protect.
 */
public final class OpenApiRoute {

  static final String PATH = "/api/openapi.yaml";
  private static final String RESOURCE = "/openapi/openapi.yaml";

  private final Buffer document;

  /** Reads the document from the classpath: call off the event loop (at start-up). */
  public OpenApiRoute() {
    try (InputStream in = OpenApiRoute.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the build");
      }
      document = Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Mounts the route; mount it before the authentication handler of {@code /api}. */
  public void mount(Router router) {
    router
        .get(PATH)
        .handler(
            context ->
                context
                    .response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml")
                    .end(document));
  }
}
