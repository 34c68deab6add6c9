package org.citytwin.launcher.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.citytwin.sim.District;
import org.citytwin.sim.FloodScenario;
import org.citytwin.sim.GeneratedDistrict;
import org.citytwin.sim.LoadDriver;
import org.citytwin.sim.SimDevice;

/**
 * The load benchmark: a generated district served by the built jar in a process of its own (as
 * {@code citytwin serve} runs it, embedded DuckDB on a fresh data directory), driven from this
 * process by the simulator's {@link LoadDriver}: HTTP single readings, HTTP batches, MQTT QoS 1,
 * the twin change seen by an SSE subscriber, and searches. Both processes share the machine, as a
 * driver on the same host would.
 *
 * <p>With {@code server} given, it drives that server instead (which must hold the district of the
 * same seed and scale).
 */
public final class LoadBenchmark {

  /** Where {@link #writeInto} puts the figures, replacing what it put there before. */
  static final String BEGIN = "<!-- citytwin bench load: begin -->";

  static final String END = "<!-- citytwin bench load: end -->";

  private final Path work;
  private final long seed;
  private final double scale;
  private final Duration window;
  private final Optional<URI> server;

  public LoadBenchmark(Path work, long seed, double scale, Duration window, Optional<URI> server) {
    this.work = work;
    this.seed = seed;
    this.scale = scale;
    this.window = window;
    this.server = server;
  }

  /** Runs the benchmark and returns its figures as Markdown. */
  public String run() throws Exception {
    int httpPort = 18_080;
    int mqttPort = 18_884;
    ServerProcess process = null;
    URI address = server.orElse(URI.create("http://127.0.0.1:" + httpPort));
    try {
      District generated = new GeneratedDistrict(seed, scale).generate();
      List<SimDevice> gauges = generated.devicesOfKind(FloodScenario.GAUGE_KIND);
      Optional<LoadDriver.Gateway> gateway;
      if (server.isEmpty()) {
        Path district = work.resolve("district");
        generated.writeTo(district);
        gateway =
            Optional.of(
                IngestBenchmark.registerGateway(district.resolve(District.DEVICES_FILE), gauges));
        process = ServerProcess.start(work, district, httpPort, mqttPort, List.of());
      } else {
        gateway = registeredGateway(address, gauges);
      }
      LoadDriver.Result result =
          new LoadDriver(
                  new LoadDriver.Settings(
                      address,
                      server.isEmpty() ? mqttPort : 1884,
                      seed,
                      scale,
                      window,
                      32,
                      100,
                      50,
                      Duration.ofSeconds(10),
                      gateway))
              .run();
      // The base, after the server is done with the machine: the same readings written straight
      // into the same database (DuckDB, a file of its own) through its bulk path.
      boolean serverStopped = process != null;
      if (process != null) {
        process.close();
        process = null;
      }
      double direct =
          IngestBenchmark.directAppendRate(work.resolve("direct.duckdb"), gauges, window);
      return String.format(
              Locale.ROOT,
              "`./citytwin bench load --scale %s --seconds %d`, %s: a district of seed %d at scale %s"
                  + " (%,d waterlogging gauges send), each way driven for %d s after the last, HTTP"
                  + " with 32 requests in flight after 10 s of each HTTP way uncounted.%n%n",
              scale,
              window.toSeconds(),
              LocalDate.now(),
              seed,
              scale,
              result.gauges(),
              window.toSeconds())
          + result.markdown()
          + ratios(result, direct, serverStopped);
    } finally {
      if (process != null) {
        process.close();
      }
    }
  }

  /** Each way's readings per second against the direct append's, measured in the same run. */
  private static String ratios(LoadDriver.Result result, double direct, boolean serverStopped) {
    StringBuilder text =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%nThe same readings appended straight into DuckDB (a file of its own, the history"
                    + " store's bulk path, 20,000 a transaction), %s: %,.0f readings/s. Each way"
                    + " against it:",
                serverStopped ? "after the server stopped" : "beside the running server",
                direct));
    for (LoadDriver.Figures way : result.ways()) {
      if (!way.way().startsWith("search")) {
        text.append(
            String.format(
                Locale.ROOT,
                " %s %.3f x;",
                way.way().replaceAll(" \\(.*", ""),
                way.readingsPerSecond() / direct));
      }
    }
    text.setLength(text.length() - 1);
    return text.append(".\n").toString();
  }

  /** The bench gateway, if the running server's registry has it (a district made by this bench). */
  private static Optional<LoadDriver.Gateway> registeredGateway(URI server, List<SimDevice> gauges)
      throws IOException, InterruptedException {
    String tenant = gauges.get(0).tenant();
    HttpResponse<Void> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        server.resolve("/api/devices/" + tenant + "/" + IngestBenchmark.GATEWAY))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
    return answer.statusCode() == 200
        ? Optional.of(
            new LoadDriver.Gateway(tenant, IngestBenchmark.GATEWAY, IngestBenchmark.PASSWORD))
        : Optional.empty();
  }

  /**
   * Puts {@code figures} into {@code file} between the benchmark's markers, replacing what was
   * there; appends a section with the markers when the file has none.
   */
  public static void writeInto(Path file, String machine, String figures) throws IOException {
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    String section = BEGIN + "\n" + machine + "\n\n" + figures + END;
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    String written;
    if (begin >= 0 && end > begin) {
      written = text.substring(0, begin) + section + text.substring(end + END.length());
    } else {
      written =
          text
              + (text.endsWith("\n") || text.isEmpty() ? "" : "\n")
              + "\n## Load: `./citytwin bench load`\n\n"
              + section
              + "\n";
    }
    Files.writeString(file, written, StandardCharsets.UTF_8);
  }
}
