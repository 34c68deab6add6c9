package org.citytwin.launcher.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.citytwin.sim.DemoDistrict;
import org.citytwin.sim.District;
import org.citytwin.sim.SimDevice;

/**
 * The live API's benchmark: how long a reading takes from being sent to reaching subscribers of the
 * twin stream ({@code GET /api/2/things}, server-sent events), while a gateway keeps a background
 * load of readings coming at a set rate and every subscriber takes the whole stream.
 *
 * <p>One gauge is the tracer: ten times a second it sends a reading with a depth no other reading
 * has (rising a hundredth of a millimetre each time, so that cleaning passes it), and every
 * subscriber notes when that depth arrives. The latency is from the tracer's send to its arrival,
 * so it includes the reading's whole way in (authenticated, normalised, cleaned, in history, in the
 * twin); it is no less than from acceptance to delivery. The server runs from the built jar in a
 * process of its own; the load and the subscribers run in this one, on the same two cores.
 */
public final class LiveBenchmark {

  private static final String PASSWORD = "bench-password";
  private static final int ITEMS_PER_BATCH = IngestBenchmark.ITEMS_PER_BATCH;
  private static final int MAX_BATCHES_IN_FLIGHT = 32;
  private static final int TRACER_PER_SECOND = 10;
  private static final Duration SETTLE = Duration.ofSeconds(3);
  private static final Duration LOADED_WARM_UP = Duration.ofSeconds(30);

  private final Path workDirectory;
  private final Duration duration;
  private final List<Integer> rates;
  private final int subscribers;
  private final List<String> rows = new ArrayList<>();
  private final List<String> spreadRows = new ArrayList<>();

  /**
   * @param rates background readings per second to measure at, one after the other
   * @param subscribers twin-stream subscribers connected throughout
   */
  public LiveBenchmark(
      Path workDirectory, Duration duration, List<Integer> rates, int subscribers) {
    this.workDirectory = workDirectory;
    this.duration = duration;
    this.rates = List.copyOf(rates);
    this.subscribers = subscribers;
  }

  public String run() throws Exception {
    District district = new DemoDistrict(5, 10, 20, PASSWORD).generate();
    Path districtDir = workDirectory.resolve("district");
    district.writeTo(districtDir);
    List<SimDevice> gauges = district.devices();
    IngestBenchmark.registerGateway(districtDir.resolve(District.DEVICES_FILE), gauges);
    // The server in a process of its own, as deployed: the load's and the subscribers' garbage,
    // JIT and threads are not the server's.
    try (ServerProcess server =
        ServerProcess.start(workDirectory, districtDir, 18_080, 18_884, List.of())) {
      int round = 0;
      for (int rate : rates) {
        measure(server.address().getPort(), gauges, rate, round++);
      }
    }
    return "| background readings/s asked | accepted | subscribers | events delivered/s (all"
        + " subscribers) | MB/s delivered | send to delivery, p50 | p99 | max | tracer readings"
        + " seen by every subscriber | subscribers dropped |\n"
        + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        + String.join("\n", rows)
        + "\n\nEach tracer reading's first and last delivery among the subscribers: the first is the"
        + " server's way to one subscriber, the gap to the last is the fan-out to the others.\n\n"
        + "| background readings/s asked | first subscriber, p50 | p99 | last subscriber, p50 | p99"
        + " | gap from first to last, p50 | p99 |\n"
        + "| --- | --- | --- | --- | --- | --- | --- |\n"
        + String.join("\n", spreadRows)
        + "\n";
  }

  private void measure(int port, List<SimDevice> gauges, int rate, int round) throws Exception {
    Vertx clients = Vertx.vertx();
    try {
      HttpClient http =
          IngestBenchmark.localClient(clients, port, MAX_BATCHES_IN_FLIGHT + subscribers + 4);
      SimDevice tracer = gauges.get(0);
      String marker = "\"thingId\":\"" + tracer.thingId() + "\"";
      Map<Long, Long> tracerSentAt = new ConcurrentHashMap<>();
      List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
      Map<Long, AtomicInteger> seenBy = new ConcurrentHashMap<>();
      // Per tracer reading: its first and its last delivery's latency among the subscribers.
      Map<Long, long[]> firstAndLast = new ConcurrentHashMap<>();
      AtomicLong delivered = new AtomicLong();
      AtomicLong deliveredBytes = new AtomicLong();
      AtomicInteger dropped = new AtomicInteger();
      AtomicInteger connected = new AtomicInteger();
      // Let the streams settle; under load, let the server compile its paths at this rate first:
      // a server started cold spent 40-60 % of a core in C2 for its first 20-30 s at 20,000/s.
      long measuring = System.nanoTime() + (rate == 0 ? SETTLE : LOADED_WARM_UP).toNanos();
      long end = measuring + duration.toNanos();
      for (int s = 0; s < subscribers; s++) {
        subscribe(
            http,
            marker,
            tracerSentAt,
            latencies,
            seenBy,
            firstAndLast,
            delivered,
            deliveredBytes,
            dropped,
            connected,
            measuring,
            end);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (connected.get() < subscribers && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      AtomicLong accepted = new AtomicLong();
      AtomicInteger inFlight = new AtomicInteger();
      List<Buffer> batches =
          IngestBenchmark.gatewayBatches(gauges.subList(1, gauges.size()), round);
      String gateway = IngestBenchmark.basic(IngestBenchmark.GATEWAY + "@water", PASSWORD);
      long batchEveryMillis = Math.max(1, 1000L * ITEMS_PER_BATCH / Math.max(1, rate));
      AtomicInteger batchIndex = new AtomicInteger();
      long loadTimer =
          clients.setPeriodic(
              batchEveryMillis,
              tick -> {
                if (rate == 0 || inFlight.get() >= MAX_BATCHES_IN_FLIGHT) {
                  return;
                }
                inFlight.incrementAndGet();
                post(
                        http,
                        "/telemetry/batch",
                        gateway,
                        batches.get(batchIndex.getAndIncrement() % batches.size()))
                    .onComplete(
                        done -> {
                          inFlight.decrementAndGet();
                          long now = System.nanoTime();
                          if (done.succeeded() && now >= measuring && now <= end) {
                            accepted.addAndGet(done.result().getInteger("readings", 0));
                          }
                        });
              });
      String tracerAuth = IngestBenchmark.basic(tracer.username(), PASSWORD);
      AtomicLong tracerSequence = new AtomicLong();
      long tracerTimer =
          clients.setPeriodic(
              1000 / TRACER_PER_SECOND,
              tick -> {
                long sequence = tracerSequence.incrementAndGet();
                // a depth no other reading of this run has: 20 cm plus a hundredth of a mm a step
                long tenThousandths = 2000 + sequence + round * 1000L;
                double centimetres = tenThousandths / 100.0;
                tracerSentAt.put(tenThousandths, System.nanoTime());
                post(
                    http,
                    "/telemetry",
                    tracerAuth,
                    new JsonObject().put("depth_cm", centimetres).toBuffer());
              });
      Thread.sleep(TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + 2_000);
      clients.cancelTimer(loadTimer);
      clients.cancelTimer(tracerTimer);
      double seconds = duration.toNanos() / 1e9;
      long traced =
          tracerSentAt.entrySet().stream()
              .filter(sent -> sent.getValue() >= measuring && sent.getValue() <= end)
              .count();
      long seenByAll =
          tracerSentAt.entrySet().stream()
              .filter(sent -> sent.getValue() >= measuring && sent.getValue() <= end)
              .filter(
                  sent ->
                      Optional.ofNullable(seenBy.get(sent.getKey()))
                              .map(AtomicInteger::get)
                              .orElse(0)
                          >= subscribers - dropped.get())
              .count();
      long[] sorted;
      synchronized (latencies) {
        sorted = latencies.stream().mapToLong(Long::longValue).toArray();
      }
      Arrays.sort(sorted);
      String row =
          String.format(
              Locale.ROOT,
              "| %,d | %,.0f /s | %d | %,.0f | %,.1f | %s | %s | %s | %,d of %,d | %d |",
              rate,
              accepted.get() / seconds,
              subscribers,
              delivered.get() / seconds,
              deliveredBytes.get() / seconds / 1e6,
              millis(sorted, 50),
              millis(sorted, 99),
              sorted.length == 0
                  ? "-"
                  : String.format(Locale.ROOT, "%.1f ms", sorted[sorted.length - 1] / 1e6),
              seenByAll,
              traced,
              dropped.get());
      rows.add(row);
      System.err.println(row);
      long[] first = firstAndLast.values().stream().mapToLong(pair -> pair[0]).sorted().toArray();
      long[] last = firstAndLast.values().stream().mapToLong(pair -> pair[1]).sorted().toArray();
      long[] gap =
          firstAndLast.values().stream().mapToLong(pair -> pair[1] - pair[0]).sorted().toArray();
      String spread =
          String.format(
              Locale.ROOT,
              "| %,d | %s | %s | %s | %s | %s | %s |",
              rate,
              millis(first, 50),
              millis(first, 99),
              millis(last, 50),
              millis(last, 99),
              millis(gap, 50),
              millis(gap, 99));
      spreadRows.add(spread);
      System.err.println(spread);
    } finally {
      clients.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** One subscriber of the whole twin stream, noting when each tracer depth arrives. */
  private static void subscribe(
      HttpClient http,
      String marker,
      Map<Long, Long> tracerSentAt,
      List<Long> latencies,
      Map<Long, AtomicInteger> seenBy,
      Map<Long, long[]> firstAndLast,
      AtomicLong delivered,
      AtomicLong deliveredBytes,
      AtomicInteger dropped,
      AtomicInteger connected,
      long measuring,
      long end) {
    http.request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setURI("/api/2/things")
                .putHeader("Accept", "text/event-stream"))
        .compose(request -> request.send())
        .onSuccess(
            response -> {
              connected.incrementAndGet();
              StreamScan scan =
                  new StreamScan(
                      marker,
                      (tenThousandths, now) -> {
                        Long sent = tracerSentAt.get(tenThousandths);
                        if (sent != null && sent >= measuring && sent <= end) {
                          long latency = now - sent;
                          latencies.add(latency);
                          firstAndLast.merge(
                              tenThousandths,
                              new long[] {latency, latency},
                              (known, one) ->
                                  new long[] {
                                    Math.min(known[0], one[0]), Math.max(known[1], one[1])
                                  });
                          seenBy
                              .computeIfAbsent(tenThousandths, k -> new AtomicInteger())
                              .incrementAndGet();
                        }
                      });
              response.handler(
                  buffer -> {
                    long now = System.nanoTime();
                    int events = scan.accept(buffer, now);
                    if (now >= measuring && now <= end) {
                      delivered.addAndGet(events);
                      deliveredBytes.addAndGet(buffer.length());
                    }
                  });
              response.endHandler(
                  ended -> {
                    if (System.nanoTime() < end) {
                      dropped.incrementAndGet();
                    }
                  });
            });
  }

  /**
   * What one subscriber does with its stream: counts the events and finds the tracer's, reading
   * each buffer as it arrives rather than splitting it into lines. The subscribers share the
   * server's two cores, and a copy and a search per line cost them more than the server spent
   * writing the lines; whole-buffer searches are intrinsics of {@link String}. The bytes are read
   * as ISO-8859-1: every byte one character, and UTF-8 never puts an ASCII byte inside a multi-byte
   * character, so newlines, the marker and the depth are found where they are.
   */
  static final class StreamScan {

    /** Told of each tracer depth seen, in ten-thousandths of a metre, and when. */
    interface TracerSeen {
      void seen(long tenThousandths, long nanoTime);
    }

    private static final String DATA = "data: ";
    private static final String DEPTH = "\"depth\":";

    private final String marker;
    private final TracerSeen tracerSeen;
    // The line the last buffer ended inside, carried into the next.
    private String unfinishedLine = "";

    StreamScan(String marker, TracerSeen tracerSeen) {
      this.marker = marker;
      this.tracerSeen = tracerSeen;
    }

    /** Reads one buffer of the stream; returns the events whose line it finished. */
    int accept(Buffer buffer, long nanoTime) {
      String text = unfinishedLine + buffer.toString(StandardCharsets.ISO_8859_1);
      int finished = text.lastIndexOf('\n') + 1;
      unfinishedLine = text.substring(finished);
      int events = 0;
      for (int line = 0; line < finished; line = text.indexOf('\n', line) + 1) {
        if (text.startsWith(DATA, line)) {
          events++;
        }
      }
      for (int at = text.indexOf(marker);
          at >= 0 && at < finished;
          at = text.indexOf(marker, at + 1)) {
        int lineEnd = text.indexOf('\n', at);
        // The depth's number, not a feature of that name whose value is an object.
        int from = -1;
        for (int depthAt = text.indexOf(DEPTH, at);
            depthAt >= 0 && depthAt < lineEnd;
            depthAt = text.indexOf(DEPTH, depthAt + 1)) {
          if (Character.isDigit(text.charAt(depthAt + DEPTH.length()))) {
            from = depthAt + DEPTH.length();
            break;
          }
        }
        if (from < 0) {
          continue;
        }
        int to = from;
        while (to < lineEnd && "0123456789.".indexOf(text.charAt(to)) >= 0) {
          to++;
        }
        tracerSeen.seen(
            Math.round(Double.parseDouble(text.substring(from, to)) * 10_000), nanoTime);
      }
      return events;
    }
  }

  private static io.vertx.core.Future<JsonObject> post(
      HttpClient http, String uri, String authorization, Buffer body) {
    return http.request(
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setURI(uri)
                .putHeader("Authorization", authorization)
                .putHeader("Content-Type", "application/json"))
        .compose(request -> request.send(body))
        .compose(
            response ->
                response
                    .body()
                    .map(
                        answer ->
                            response.statusCode() / 100 == 2 && answer.length() > 0
                                ? new JsonObject(answer)
                                : new JsonObject()));
  }

  /** The {@code percentile} of sorted nanoseconds, in milliseconds; "-" when there are none. */
  static String millis(long[] sorted, int percentile) {
    if (sorted.length == 0) {
      return "-";
    }
    return String.format(
        Locale.ROOT, "%.1f ms", sorted[(int) ((long) sorted.length * percentile / 100)] / 1e6);
  }
}
