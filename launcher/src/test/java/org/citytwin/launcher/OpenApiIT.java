package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.citytwin.api.ApiTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The OpenAPI document at {@code /api/openapi.yaml} matches the routes: every operation the server
 * routes to an exact path is documented, and every documented operation is answered by a route
 * (never Ditto's route-not-found or method-not-allowed), tried over HTTP with ids that name
 * nothing, so that no probe changes anything.
 */
class OpenApiIT {

  private static final String SECRET = "a-test-secret-that-is-at-least-32-bytes-long";

  @TempDir Path directory;

  private static final Map<String, String> SAMPLE_PATH_VALUES =
      Map.ofEntries(
          Map.entry("thingId", "water:openapi-probe"),
          Map.entry("featureId", "waterlogging"),
          Map.entry("attributePath", "location"),
          Map.entry("propertyPath", "depth"),
          Map.entry("feature", "waterlogging"),
          Map.entry("property", "depth"),
          Map.entry("id", "no-such-incident"),
          Map.entry("tenant", "water"),
          Map.entry("device", "openapi-probe"),
          Map.entry("definition", "citytwin:waterlogging-gauge:1.0.0"),
          Map.entry("policyId", "water:owner"));

  /**
   * An operation's path with a sample in place of each parameter: ids that name nothing, so that a
   * probe changes nothing.
   *
   * @param path as the OpenAPI document and {@code routedOperations} write it ({@code {thingId}})
   */
  static String samplePath(String path) {
    for (var sample : SAMPLE_PATH_VALUES.entrySet()) {
      path = path.replace("{" + sample.getKey() + "}", sample.getValue());
    }
    return path;
  }

  /** Every operation the OpenAPI document describes, as {@code "GET /api/2/things/{thingId}"}. */
  @SuppressWarnings("unchecked")
  static SortedSet<String> operations(Map<String, Object> document) {
    Map<String, Map<String, Object>> paths =
        (Map<String, Map<String, Object>>) document.get("paths");
    SortedSet<String> documented = new TreeSet<>();
    paths.forEach(
        (path, item) ->
            item.keySet().stream()
                .filter(key -> !key.equals("parameters"))
                .forEach(method -> documented.add(method.toUpperCase() + " " + path)));
    return documented;
  }

  /** Every operation the server documents at {@code /api/openapi.yaml}. */
  static SortedSet<String> documentedOperations(RunningDistrict city) {
    return operations(new Yaml().load(city.get("/api/openapi.yaml").body()));
  }

  @Test
  void documentsEveryRouteAndEveryDocumentedOperationIsRouted() throws Exception {
    try (RunningDistrict city =
        new RunningDistrict(directory, 1, 1, devices -> {}, Map.of("api.auth.secret", SECRET))) {
      String token =
          "Bearer "
              + new ApiTokens(city.server.vertx(), SECRET)
                  .issue("probe", Optional.empty(), Duration.ofMinutes(5));
      // Public, like /health: tools read it before anyone signs in.
      RunningDistrict.Answer answer = city.get("/api/openapi.yaml");
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.headers().get("content-type")).isEqualTo("application/yaml");
      Map<String, Object> document = new Yaml().load(answer.body());
      assertThat(document.get("openapi")).isEqualTo("3.0.3");
      SortedSet<String> documented = operations(document);
      assertThat(documented).containsAll(city.server.routedOperations());

      for (String operation : documented) {
        String method = operation.substring(0, operation.indexOf(' '));
        String path = samplePath(operation.substring(operation.indexOf(' ') + 1));
        assertThat(path).as(operation + ": every path parameter has a sample").doesNotContain("{");
        RunningDistrict.Answer probe =
            city.request(
                HttpMethod.valueOf(method),
                path,
                method.equals("GET") ? null : "",
                "Authorization",
                token);
        String error =
            probe.body().startsWith("{") ? new JsonObject(probe.body()).getString("error", "") : "";
        assertThat(error)
            .as(operation + " answered " + probe.status() + " " + probe.body())
            .isNotIn("api:route.notfound", "api:method.notallowed");
        assertThat(probe.status()).as(operation).isNotIn(405, 500);
      }
    }
  }
}
