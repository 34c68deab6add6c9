package org.citytwin.launcher.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.citytwin.sim.District;
import org.eclipse.ditto.things.model.Thing;

/**
 * The search API's benchmark: indexed searches per second over the full-scale synthetic district of
 * {@link TwinBenchmark} (about 204,000 twins), sent over HTTP to the server in a process of its
 * own, with a fixed number of searches in flight; and each kind's latency.
 *
 * <p>Each search is one of five indexed kinds, in turn, each with its own parameters drawn at
 * random (a grid, a street, a square, a point), for a page of 50 whole things: definition and grid;
 * street and a numeric range, sorted by it; the range alone (about 1 % of the twins); a category
 * within a 500 m square; and near a point. The API is open (no department's policies to check):
 * this measures the search, not authorisation.
 */
public final class SearchBenchmark {

  private static final Duration WARM_UP = Duration.ofSeconds(15);
  private static final String PAGE = "size(50)";
  private static final JsonFactory JSON = new JsonFactory();

  /** One kind of search: its name and, from a random source, its query string. */
  private record Kind(String name, Function<SplittableRandom, String> query) {}

  private static final List<Kind> KINDS =
      List.of(
          new Kind(
              "definition + grid",
              random ->
                  query(
                      String.format(
                          Locale.ROOT,
                          "and(eq(definition,\"citytwin:lamp-post:1.0.0\"),"
                              + "eq(attributes/hierarchy/grid,\"grid-%04d\"))",
                          random.nextInt(2_000)),
                      PAGE,
                      null)),
          new Kind(
              "street + numeric range, sorted by it",
              random ->
                  query(
                      String.format(
                          Locale.ROOT,
                          "and(eq(attributes/hierarchy/street,\"street-%02d\"),"
                              + "gt(attributes/rank,%d))",
                          random.nextInt(10),
                          500 + random.nextInt(490)),
                      PAGE + ",sort(-attributes/rank)",
                      null)),
          new Kind(
              "numeric range alone (about 1 % of twins)",
              random ->
                  query(
                      String.format(
                          Locale.ROOT, "gt(attributes/rank,%d)", 985 + random.nextInt(10)),
                      PAGE,
                      null)),
          new Kind(
              "category within a 500 m square",
              random -> {
                double west = 120.10 + 0.095 * random.nextDouble();
                double south = 30.27 + 0.0855 * random.nextDouble();
                double east = west + 0.0052;
                double north = south + 0.0045;
                return query(
                    "eq(attributes/category,\"lamp-post\")",
                    PAGE,
                    String.format(
                        Locale.ROOT,
                        "within(POLYGON((%.5f %.5f, %.5f %.5f, %.5f %.5f, %.5f %.5f, %.5f %.5f)))",
                        west,
                        south,
                        east,
                        south,
                        east,
                        north,
                        west,
                        north,
                        west,
                        south));
              }),
          new Kind(
              "near a point (300 m)",
              random ->
                  query(
                      null,
                      PAGE,
                      String.format(
                          Locale.ROOT,
                          "near(%.5f,%.5f,300)",
                          120.10 + 0.10 * random.nextDouble(),
                          30.27 + 0.09 * random.nextDouble()))));

  private final Path workDirectory;
  private final Duration duration;
  private final int inFlight;

  /**
   * @param duration how long searches are measured, after a warm-up
   * @param inFlight searches kept in flight
   */
  public SearchBenchmark(Path workDirectory, Duration duration, int inFlight) {
    if (inFlight < 1 || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(
          "--in-flight must be at least 1 and --seconds more than 0, not "
              + inFlight
              + " and "
              + duration.toSeconds());
    }
    this.workDirectory = workDirectory;
    this.duration = duration;
    this.inFlight = inFlight;
  }

  public String run() throws Exception {
    List<Thing> twins = TwinBenchmark.syntheticDistrict(42);
    Path districtDirectory = workDirectory.resolve("district");
    new District(
            new JsonObject().put("type", "FeatureCollection").put("features", new JsonArray()),
            twins,
            List.of())
        .writeTo(districtDirectory);
    try (ServerProcess server =
        ServerProcess.start(workDirectory, districtDirectory, 18_090, 18_894, List.of())) {
      return measure(server.address().getPort(), twins.size());
    }
  }

  /** What was measured of one kind: latencies within the window, hits, failures. */
  private static final class Tally {
    final List<Long> nanos = new ArrayList<>();
    long hits;
    long failed;
    String firstFailure = "";
  }

  private String measure(int port, int twins) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient http = IngestBenchmark.localClient(vertx, port, inFlight);
      List<Tally> tallies = KINDS.stream().map(kind -> new Tally()).toList();
      long measuring = System.nanoTime() + WARM_UP.toNanos();
      long end = measuring + duration.toNanos();
      AtomicLong sent = new AtomicLong();
      CountDownLatch finished = new CountDownLatch(inFlight);
      // Every lane on one event loop, which alone touches the tallies.
      Context client = vertx.getOrCreateContext();
      for (int lane = 0; lane < inFlight; lane++) {
        SplittableRandom random = new SplittableRandom(lane);
        client.runOnContext(start -> next(http, random, sent, tallies, measuring, end, finished));
      }
      if (!finished.await(duration.plus(WARM_UP).toSeconds() + 60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("searches still in flight a minute after the window");
      }
      return table(twins, tallies);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private void next(
      HttpClient http,
      SplittableRandom random,
      AtomicLong sent,
      List<Tally> tallies,
      long measuring,
      long end,
      CountDownLatch finished) {
    if (System.nanoTime() > end) {
      finished.countDown();
      return;
    }
    int kind = (int) (sent.getAndIncrement() % KINDS.size());
    String uri = "/api/2/search/things?" + KINDS.get(kind).query().apply(random);
    long started = System.nanoTime();
    search(http, uri)
        .onComplete(
            answer -> {
              long took = System.nanoTime() - started;
              if (started >= measuring && started <= end) {
                Tally tally = tallies.get(kind);
                if (answer.succeeded()) {
                  tally.nanos.add(took);
                  tally.hits += answer.result();
                } else if (tally.failed++ == 0) {
                  tally.firstFailure = String.valueOf(answer.cause().getMessage());
                }
              }
              next(http, random, sent, tallies, measuring, end, finished);
            });
  }

  /** Sends one search; its hits, or a failure for any answer but 200. */
  private static Future<Integer> search(HttpClient http, String uri) {
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(uri))
        .compose(request -> request.send())
        .compose(
            response ->
                response
                    .body()
                    .map(
                        body -> {
                          if (response.statusCode() != 200) {
                            throw new IllegalStateException(
                                response.statusCode() + " for " + uri + ": " + body);
                          }
                          return itemsIn(body);
                        }));
  }

  /**
   * How many things a page holds, counted with a streaming parser: building the page's JSON tree
   * took the driver, which shares the server's two cores, most of a core.
   */
  static int itemsIn(io.vertx.core.buffer.Buffer body) {
    try (JsonParser parser = JSON.createParser(body.getBytes())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalStateException("a search answers an object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.getCurrentName();
        JsonToken value = parser.nextToken();
        if (field.equals("items") && value == JsonToken.START_ARRAY) {
          int items = 0;
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            items++;
            parser.skipChildren();
          }
          return items;
        }
        parser.skipChildren();
      }
      throw new IllegalStateException("no items in the answer");
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable answer: " + e.getMessage(), e);
    }
  }

  private String table(int twins, List<Tally> tallies) {
    double seconds = duration.toNanos() / 1e9;
    StringBuilder rows = new StringBuilder();
    long total = 0;
    long failed = 0;
    for (int k = 0; k < KINDS.size(); k++) {
      Tally tally = tallies.get(k);
      long[] sorted = tally.nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      total += sorted.length;
      failed += tally.failed;
      rows.append(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f /s | %s | %s | %.1f | %,d |%n",
              KINDS.get(k).name(),
              sorted.length / seconds,
              LiveBenchmark.millis(sorted, 50),
              LiveBenchmark.millis(sorted, 99),
              sorted.length == 0 ? 0.0 : (double) tally.hits / sorted.length,
              tally.failed));
    }
    StringBuilder failures = new StringBuilder();
    for (int k = 0; k < KINDS.size(); k++) {
      if (tallies.get(k).failed > 0) {
        failures.append(
            String.format(
                Locale.ROOT,
                "%nFirst failure of %s: %s%n",
                KINDS.get(k).name(),
                tallies.get(k).firstFailure));
      }
    }
    return String.format(
            Locale.ROOT,
            "%,d twins; %d searches in flight over HTTP, %d s after a %d s warm-up; pages of 50"
                + " whole things; open API.%n%n",
            twins,
            inFlight,
            duration.toSeconds(),
            WARM_UP.toSeconds())
        + "| search | answered | p50 | p99 | hits a page | failed |\n"
        + "| --- | --- | --- | --- | --- | --- |\n"
        + rows
        + String.format(
            Locale.ROOT,
            "| all kinds, in turn | **%,.0f /s** | | | | %,d |%n",
            total / seconds,
            failed)
        + failures;
  }

  /** A search's query string, its parts URL-encoded; null parts left out. */
  private static String query(String filter, String option, String geo) {
    List<String> parts = new ArrayList<>();
    if (filter != null) {
      parts.add("filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8));
    }
    parts.add("option=" + URLEncoder.encode(option, StandardCharsets.UTF_8));
    if (geo != null) {
      parts.add("geo=" + URLEncoder.encode(geo, StandardCharsets.UTF_8));
    }
    return String.join("&", parts);
  }
}
