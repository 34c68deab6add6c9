package org.citytwin.sim;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A subscriber of the server's twin changes, as server-sent events, the way a screen reads them.
 */
final class TwinChangeStream {

  private TwinChangeStream() {}

  /**
   * Subscribes to {@code uri} (a {@code GET /api/2/things} stream) and hands each change over.
   *
   * @return the client, to close when done
   */
  static HttpClient subscribe(
      Vertx vertx, URI server, String uri, Consumer<JsonObject> changes, Consumer<String> failed) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(0));
    client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(server.getHost())
                .setPort(server.getPort())
                .setURI(uri)
                .addHeader("Accept", "text/event-stream"))
        .compose(request -> request.send())
        .onSuccess(
            response -> {
              StringBuilder pending = new StringBuilder();
              response.handler(
                  chunk -> {
                    pending.append(chunk.toString(StandardCharsets.UTF_8));
                    int end;
                    while ((end = pending.indexOf("\n\n")) >= 0) {
                      String event = pending.substring(0, end);
                      pending.delete(0, end + 2);
                      for (String line : event.split("\n")) {
                        if (line.startsWith("data: ")) {
                          changes.accept(new JsonObject(line.substring(6)));
                        }
                      }
                    }
                  });
            })
        .onFailure(failure -> failed.accept(failure.getMessage()));
    return client;
  }
}
