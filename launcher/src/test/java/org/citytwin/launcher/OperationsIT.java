package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.citytwin.api.ApiTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What operators and services meet: {@code /ready} asks every part, services call with API keys
 * issued and revoked by {@code citytwin api-key} while the server runs, and each client's request
 * rate is bounded with Ditto's 429.
 */
@Timeout(120)
class OperationsIT {

  private static final String SECRET = "a-test-secret-that-is-at-least-32-bytes-long";

  @TempDir Path directory;

  /** Runs {@code citytwin} in this process; its standard output, or a failure with its errors. */
  private String citytwin(String... arguments) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(new Citytwin())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(arguments);
    assertThat(exit).as("citytwin %s: %s", String.join(" ", arguments), err).isZero();
    return out.toString();
  }

  private static RunningDistrict.Answer get(RunningDistrict city, String path, String... headers) {
    return city.request(HttpMethod.GET, path, null, headers);
  }

  @Test
  void isReadyWhenEveryPartAnswersAndSaysWhatEachIsDoing() throws Exception {
    try (RunningDistrict city =
        new RunningDistrict(directory, 1, 2, devices -> {}, Map.of("api.auth.secret", SECRET))) {
      RunningDistrict.Answer ready = get(city, "/ready");

      assertThat(ready.status()).isEqualTo(200);
      JsonObject checks = ready.json().getJsonObject("checks");
      assertThat(ready.json().getString("status")).isEqualTo("UP");
      assertThat(checks.fieldNames())
          .containsExactlyInAnyOrder("twins", "history", "fusion", "ingest");
      checks.forEach(
          check -> assertThat(((JsonObject) check.getValue()).getString("status")).isEqualTo("UP"));
      assertThat(checks.getJsonObject("twins").getString("detail")).contains("twins");
      assertThat(checks.getJsonObject("fusion").getString("detail")).endsWith("rules");
      assertThat(checks.getJsonObject("ingest").getString("detail"))
          .contains("of at most 200000 readings");
    }
  }

  @Test
  void servicesCallWithApiKeysThatCountAtOnceAndStopWhenRevoked() throws Exception {
    try (RunningDistrict city =
        new RunningDistrict(directory, 1, 2, devices -> {}, Map.of("api.auth.secret", SECRET))) {
      String dataDir = directory.resolve("data").toString();
      String gauge = city.gauge(0).thingId().toString();

      String key =
          citytwin(
                  "api-key",
                  "create",
                  "--service",
                  "flood-screen",
                  "--department",
                  "water",
                  "--data-dir",
                  dataDir)
              .strip();
      assertThat(key).startsWith("ctk_");
      assertThat(Files.readString(directory.resolve("data").resolve("api-keys.json")))
          .doesNotContain(key.substring(key.lastIndexOf('_') + 1));

      // Issued while the server runs: it counts once the server has re-read the file.
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(get(city, "/api/2/things/" + gauge, "X-Api-Key", key).status())
                      .isEqualTo(200));
      assertThat(get(city, "/api/2/things/" + gauge, "Authorization", "Bearer " + key).status())
          .isEqualTo(200);
      // A water key reads water's things only, as a water user's token does.
      String construction =
          new ApiTokens(city.server.vertx(), SECRET)
              .issue("zhao", Optional.of("construction"), Duration.ofHours(1));
      assertThat(
              get(city, "/api/2/things/" + gauge, "Authorization", "Bearer " + construction)
                  .status())
          .isEqualTo(404);
      String districtKey =
          citytwin("api-key", "create", "--service", "etl", "--district", "--data-dir", dataDir)
              .strip();
      String constructionKey =
          citytwin(
                  "api-key",
                  "create",
                  "--service",
                  "site-app",
                  "--department",
                  "construction",
                  "--data-dir",
                  dataDir)
              .strip();
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(get(city, "/api/2/things/" + gauge, "X-Api-Key", districtKey).status())
                      .isEqualTo(200));
      assertThat(get(city, "/api/2/things/" + gauge, "X-Api-Key", constructionKey).status())
          .isEqualTo(404);

      RunningDistrict.Answer wrong =
          get(
              city,
              "/api/2/things/" + gauge,
              "X-Api-Key",
              key.substring(0, key.length() - 3) + "abc");
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.json().getString("error")).isEqualTo("gateway:authentication.failed");
      assertThat(wrong.json().getString("message")).contains("not known");

      String id = key.substring("ctk_".length(), key.indexOf('_', "ctk_".length()));
      citytwin("api-key", "revoke", id, "--data-dir", dataDir);
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                RunningDistrict.Answer revoked =
                    get(city, "/api/2/things/" + gauge, "X-Api-Key", key);
                assertThat(revoked.status()).isEqualTo(401);
                assertThat(revoked.json().getString("message")).contains("revoked");
              });
      assertThat(get(city, "/api/2/things/" + gauge, "X-Api-Key", districtKey).status())
          .isEqualTo(200);
      String listed = citytwin("api-key", "list", "--data-dir", dataDir);
      assertThat(listed).contains(id, "flood-screen", "water", "etl", "(district)", "site-app");
      assertThat(listed.lines().filter(line -> line.startsWith(id)).findFirst().orElseThrow())
          .doesNotEndWith("-");
    }
  }

  /** The value of the sample {@code series} (name with its labels) in a Prometheus text. */
  private static long sample(String metrics, String series) {
    return metrics
        .lines()
        .filter(line -> line.startsWith(series + " "))
        .mapToLong(line -> (long) Double.parseDouble(line.substring(series.length() + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + series + " in\n" + metrics));
  }

  @Test
  void metricsTellHowLongReadingsWaitHowLongRulesTakeAndWhoIsSubscribed() throws Exception {
    try (RunningDistrict city = new RunningDistrict(directory, 1, 2, devices -> {}, Map.of())) {
      StringBuffer live = city.subscribe("/api/2/things");
      for (int depth = 10; depth < 13; depth++) {
        city.reportDepth(city.gauge(0), depth);
      }
      // Once the last change reached a subscriber, history, the twin and fusion have had it too.
      await().atMost(Duration.ofSeconds(10)).until(() -> live.toString().contains("0.12"));

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                String metrics = get(city, "/metrics").body();
                // One batch per reading sent one by one: each waited for history and for its twin.
                assertThat(sample(metrics, "citytwin_ingest_commit_seconds_count")).isEqualTo(3);
                assertThat(sample(metrics, "citytwin_ingest_commit_seconds_bucket{le=\"+Inf\"}"))
                    .isEqualTo(3);
                assertThat(sample(metrics, "citytwin_ingest_twin_update_seconds_count"))
                    .isEqualTo(3);
                // The journal took the three twin changes (with the district's own, at start).
                assertThat(sample(metrics, "citytwin_twin_changes_committed_total"))
                    .isGreaterThanOrEqualTo(3);
                assertThat(sample(metrics, "citytwin_twin_commit_seconds_count")).isPositive();
                // Each change published is counted once, as the journal counted it.
                assertThat(sample(metrics, "citytwin_twin_change_published_seconds_count"))
                    .isEqualTo(sample(metrics, "citytwin_twin_changes_committed_total"));
                // History committed those three rows in one to three group commits.
                assertThat(sample(metrics, "citytwin_history_rows_committed_total")).isEqualTo(3);
                assertThat(sample(metrics, "citytwin_history_commit_seconds_count"))
                    .isBetween(1L, 3L);
                // The flood rule listens to waterlogging gauges; the bridge rule does not.
                assertThat(
                        sample(
                            metrics, "citytwin_fusion_rule_seconds_count{rule=\"flood-warning\"}"))
                    .isGreaterThanOrEqualTo(3);
                assertThat(
                        sample(
                            metrics,
                            "citytwin_fusion_rule_seconds_count{rule=\"bridge-overload\"}"))
                    .isZero();
                assertThat(sample(metrics, "citytwin_fusion_lag_seconds_count")).isPositive();
                assertThat(sample(metrics, "citytwin_fusion_skipped_events_total")).isZero();
                assertThat(sample(metrics, "citytwin_live_subscribers{feed=\"twins\"}"))
                    .isEqualTo(1);
                assertThat(sample(metrics, "citytwin_live_dropped_too_slow_total{feed=\"twins\"}"))
                    .isZero();
                assertThat(metrics)
                    .contains("# TYPE citytwin_ingest_commit_seconds histogram")
                    .contains("# TYPE citytwin_fusion_rule_seconds histogram")
                    .doesNotContain("metrics missing");
              });
    }
  }

  @Test
  void eachClientIsHeldToItsRateWithDittosTooManyRequests() throws Exception {
    try (RunningDistrict city =
        new RunningDistrict(
            directory,
            1,
            2,
            devices -> {},
            Map.of(
                "api.auth.secret",
                SECRET,
                "api.rate-limit.per-second",
                "1",
                "api.rate-limit.burst",
                "3"))) {
      ApiTokens tokens = new ApiTokens(city.server.vertx(), SECRET);
      String water = "Bearer " + tokens.issue("wang", Optional.of("water"), Duration.ofHours(1));
      String traffic = "Bearer " + tokens.issue("li", Optional.of("traffic"), Duration.ofHours(1));

      for (int i = 0; i < 3; i++) {
        assertThat(get(city, "/api/zones", "Authorization", water).status()).isEqualTo(200);
      }
      RunningDistrict.Answer refused = get(city, "/api/zones", "Authorization", water);

      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.json().getString("error")).isEqualTo("gateway:too.many.requests");
      assertThat(refused.json().getInteger("status")).isEqualTo(429);
      assertThat(refused.json().getString("description")).contains("Retry-After");
      assertThat(Integer.parseInt(refused.headers().get("Retry-After"))).isBetween(1, 2);
      // Another client has its own allowance; probes and metrics are not limited.
      assertThat(get(city, "/api/zones", "Authorization", traffic).status()).isEqualTo(200);
      for (int i = 0; i < 5; i++) {
        assertThat(get(city, "/health").status()).isEqualTo(200);
      }
      assertThat(get(city, "/metrics").body()).contains("citytwin_api_rate_limited_total 1");
      // The allowance refills at the rate: one more a second.
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(get(city, "/api/zones", "Authorization", water).status())
                      .isEqualTo(200));
    }
  }
}
