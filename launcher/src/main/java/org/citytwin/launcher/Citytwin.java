package org.citytwin.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.citytwin.sim.DemoDistrict;
import org.citytwin.sim.District;
import org.citytwin.sim.GeneratedDistrict;
import org.citytwin.sim.Rainstorm;
import org.citytwin.sim.RunReport;
import org.citytwin.sim.ScenarioPlan;
import org.citytwin.sim.SimDevice;
import org.citytwin.sim.SimulationDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code citytwin} command. Subcommands: {@code serve} runs the server, {@code demo} runs it
 * with a generated district and a rainstorm, {@code export} and {@code import} move history in
 * bulk, {@code bench} measures.
 */
@Command(
    name = "citytwin",
    mixinStandardHelpOptions = true,
    version = "citytwin 0.1.0",
    description = "Live digital twins of a city district, and the incidents raised from them.",
    subcommands = {
      Citytwin.Serve.class,
      Citytwin.Demo.class,
      Citytwin.Export.class,
      Citytwin.Import.class,
      Citytwin.Bench.class,
      Citytwin.Sim.class,
      Citytwin.Token.class,
      ApiKeyCommand.class
    })
public final class Citytwin implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(Citytwin.class);

  public static void main(String[] args) {
    CommandLine commandLine =
        new CommandLine(new Citytwin())
            .setExecutionExceptionHandler(
                (failure, line, parsed) -> {
                  line.getErr().println("citytwin: " + failure.getMessage());
                  return failure instanceof IllegalArgumentException ? 2 : 1;
                });
    System.exit(commandLine.execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = "Run the server (HTTP on 8080, history under ./data).")
  static final class Serve implements Callable<Integer> {

    @Mixin ConfigOptions options;

    @Option(
        names = "--district",
        paramLabel = "DIR",
        description = "Load zones, twins and devices from DIR (district.dir).")
    Path district;

    @Override
    public Integer call() throws InterruptedException {
      CitytwinConfig config = options.resolve();
      if (district != null) {
        config = config.withDistrict(district);
      }
      LOG.info("effective configuration:\n{}", config.describe());
      CitytwinServer server = CitytwinServer.start(config, Clock.systemUTC());
      LOG.info("citytwin serving on http://{}:{}", config.httpHost(), server.port());
      if (config.apiTokenSecret().isEmpty()) {
        LOG.warn(
            "the API is open: without api.auth.secret (CITYTWIN_API_AUTH_SECRET) every caller"
                + " reads and changes every department's twins, incidents and devices");
      }
      runUntilShutdown(server::close);
      return 0;
    }
  }

  @Command(
      name = "demo",
      mixinStandardHelpOptions = true,
      description = "Run the server with a generated demo district and a rainstorm crossing it.")
  static final class Demo implements Callable<Integer> {

    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws IOException, InterruptedException {
      CitytwinConfig base = options.resolve();
      CitytwinConfig.Demo settings = base.demo();
      District district =
          new DemoDistrict(
                  settings.seed(),
                  settings.catchmentsPerSide(),
                  settings.gaugesPerCatchment(),
                  settings.riverGauges(),
                  settings.rainGaugesPerCatchment(),
                  settings.password())
              .generate();
      Path districtDir = base.dataDir().resolve("demo-district");
      district.writeTo(districtDir);
      CitytwinConfig config = base.withDistrict(districtDir);
      LOG.info("effective configuration:\n{}", config.describe());
      CitytwinServer server = CitytwinServer.start(config, Clock.systemUTC());
      Rainstorm.Settings storm = Rainstorm.Settings.demo().reportingEvery(settings.interval());
      Rainstorm rainstorm =
          new Rainstorm(
              server.vertx(),
              loopbackFor(config.httpHost()),
              server.port(),
              district.devices(),
              storm,
              Clock.systemUTC());
      rainstorm.start();
      SimDevice first = district.devices().get(0);
      String baseUrl = "http://127.0.0.1:" + server.port();
      LOG.info(
          String.join(
              "\n",
              List.of(
                  "citytwin demo is running: {} gauges in {} catchments, a rainstorm crossing every {} min",
                  "  (waterlogging, river and rain gauges; a flood incident within a minute or two)",
                  "  the flood-warning screen: {}/screen/flood",
                  "  a twin:      curl {}/api/2/things/{}",
                  "  live:        curl -N -H 'Accept: text/event-stream' {}/api/2/things",
                  "  incidents:   curl {}/api/incidents",
                  "  a reading:   curl -i -u {}:{} -H 'Content-Type: application/json' -d '{\"depth_cm\": 23}' {}/telemetry")),
          district.devices().size(),
          settings.catchmentsPerSide() * settings.catchmentsPerSide(),
          storm.crossing().toMinutes(),
          baseUrl,
          baseUrl,
          first.thingId(),
          baseUrl,
          baseUrl,
          first.username(),
          settings.password(),
          baseUrl);
      openInBrowser(baseUrl + "/screen/flood");
      runUntilShutdown(
          () -> {
            rainstorm.stop();
            server.close();
          });
      return 0;
    }

    /** Opens the screen where there is a desktop to open it on; a server has none. */
    private static void openInBrowser(String url) {
      try {
        if (!java.awt.GraphicsEnvironment.isHeadless()
            && java.awt.Desktop.isDesktopSupported()
            && java.awt.Desktop.getDesktop().isSupported(java.awt.Desktop.Action.BROWSE)) {
          java.awt.Desktop.getDesktop().browse(java.net.URI.create(url));
        }
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        LOG.info("could not open a browser ({}); open {} yourself", e.getMessage(), url);
      }
    }

    private static String loopbackFor(String host) {
      return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Write the readings of a time range to an Arrow IPC file or CSV, in constant memory.",
        "Reads the configured history (a DuckDB file can be read only while no server holds it)."
      })
  static final class Export implements Callable<Integer> {

    @Mixin ConfigOptions options;

    @Option(
        names = "--from",
        required = true,
        paramLabel = "INSTANT",
        description = "First instant, ISO-8601 (2026-07-01T00:00:00Z).")
    java.time.Instant from;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "INSTANT",
        description = "Instant after the last, ISO-8601.")
    java.time.Instant to;

    @Option(names = "--thing", paramLabel = "ID", description = "Only this thing's readings.")
    String thing;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "The file to write: .arrow (Arrow IPC file) or .csv.")
    Path out;

    @Override
    public Integer call() {
      CitytwinConfig config = options.resolve();
      org.citytwin.history.ExportQuery query =
          new org.citytwin.history.ExportQuery(
              from,
              to,
              java.util.Optional.ofNullable(thing).map(org.eclipse.ditto.things.model.ThingId::of));
      org.citytwin.history.HistoryFileFormat format =
          org.citytwin.history.HistoryFileFormat.of(out);
      long started = System.nanoTime();
      try (org.citytwin.history.Storage storage = CitytwinServer.openStorage(config)) {
        long written =
            org.citytwin.history.HistoryExport.write(storage.readings(), query, format, out);
        System.out.printf(
            "exported %,d readings to %s in %.1f s%n",
            written, out, (System.nanoTime() - started) / 1e9);
      }
      return 0;
    }
  }

  @Command(
      name = "token",
      mixinStandardHelpOptions = true,
      description = {
        "Print an API bearer token signed with api.auth.secret, for a department's user or,",
        "with --district, for a user who reads the whole district."
      })
  static final class Token implements Callable<Integer> {

    @Mixin ConfigOptions options;

    @Mixin ActsForOptions actsFor;

    @Option(
        names = "--user",
        paramLabel = "NAME",
        defaultValue = "${sys:user.name}",
        description = "Who the token speaks for (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(
        names = "--valid-for",
        paramLabel = "DURATION",
        defaultValue = "PT12H",
        description = "How long it is valid, ISO-8601 (default: ${DEFAULT-VALUE}: one shift).")
    java.time.Duration validFor;

    @Override
    public Integer call() {
      java.util.Optional<String> department = actsFor.department();
      CitytwinConfig config = options.resolve();
      String secret =
          config
              .apiTokenSecret()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "api.auth.secret is not set, so the API takes no tokens; set it in"
                              + " citytwin.yaml or CITYTWIN_API_AUTH_SECRET"));
      io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
      try {
        System.out.println(
            new org.citytwin.api.ApiTokens(vertx, secret).issue(user, department, validFor));
      } finally {
        vertx.close();
      }
      return 0;
    }
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Bulk-load historical readings from an Arrow IPC file or stream, or CSV, in constant memory.",
        "Each batch of 50,000 readings is committed before the next is read."
      })
  static final class Import implements Callable<Integer> {

    @Mixin ConfigOptions options;

    @picocli.CommandLine.Parameters(
        paramLabel = "FILE",
        description = "An .arrow (or .arrows, .feather) or .csv file.")
    Path file;

    @Option(
        names = "--skip-invalid",
        description =
            "Count and leave out rows that are no valid reading instead of stopping at the first.")
    boolean skipInvalid;

    @Override
    public Integer call() {
      CitytwinConfig config = options.resolve();
      org.citytwin.history.HistoryFileFormat format =
          org.citytwin.history.HistoryFileFormat.of(file);
      long started = System.nanoTime();
      try (org.citytwin.history.Storage storage = CitytwinServer.openStorage(config)) {
        org.citytwin.history.HistoryImport.Outcome outcome =
            org.citytwin.history.HistoryImport.read(storage.readings(), file, format, skipInvalid);
        System.out.printf(
            "imported %,d readings from %s in %.1f s%s%n",
            outcome.imported(),
            file,
            (System.nanoTime() - started) / 1e9,
            outcome.refused() == 0
                ? ""
                : String.format("; %,d invalid rows left out", outcome.refused()));
        outcome.problems().forEach(problem -> System.out.println("  " + problem));
      } catch (org.citytwin.history.HistoryImport.InvalidRowException e) {
        System.err.printf(
            "citytwin: %s%n  %,d readings before it were committed; --skip-invalid leaves such rows out%n",
            e.getMessage(), e.imported());
        return 1;
      }
      return 0;
    }
  }

  @Command(
      name = "bench",
      mixinStandardHelpOptions = true,
      description =
          "Run a benchmark and print its figures as Markdown. Targets: twins, ingest, history,"
              + " fusion, fusion-jmh, live, load, search.")
  static final class Bench implements Callable<Integer> {

    @picocli.CommandLine.Parameters(
        paramLabel = "TARGET",
        description =
            "What to measure: twins, ingest, history, fusion, fusion-jmh, live, load, search.")
    String target;

    @picocli.CommandLine.Option(
        names = "--scale",
        paramLabel = "S",
        description = "load: the generated district's scale (default 0.1).")
    double scale = 0.1;

    @picocli.CommandLine.Option(
        names = "--seed",
        paramLabel = "N",
        description = "load: the generated district's seed (default 7).")
    long seed = 7;

    @picocli.CommandLine.Option(
        names = "--server",
        paramLabel = "URL",
        description =
            "load: drive this running server (holding the district of --seed and --scale, device"
                + " MQTT on 1884) instead of starting one.")
    java.net.URI server;

    @picocli.CommandLine.Option(
        names = "--write",
        paramLabel = "FILE",
        description =
            "Also write the figures and the machine into FILE (docs/benchmarks.md), replacing"
                + " this benchmark's earlier figures there; load only.")
    Path write;

    @picocli.CommandLine.Option(
        names = "--devices",
        paramLabel = "N",
        description = "history: gauges reporting at 1 Hz (default 1000).")
    int devices = 1000;

    @picocli.CommandLine.Option(
        names = "--hours",
        paramLabel = "N",
        description = "history: hours of their readings to load (default 24).")
    int hours = 24;

    @picocli.CommandLine.Option(
        names = "--summary-days",
        paramLabel = "N",
        description =
            "history: days before the loaded one held as minute summaries, as a year of history"
                + " leaves them (default 0).")
    int summaryDays = 0;

    @picocli.CommandLine.Option(
        names = "--postgres-url",
        paramLabel = "JDBC",
        description =
            "history, fusion: PostgreSQL to measure too (fusion: with PostGIS), as user postgres in"
                + " a schema of its own"
                + " (default jdbc:postgresql://127.0.0.1:5432/test; empty for DuckDB only).")
    String postgresUrl = "jdbc:postgresql://127.0.0.1:5432/test";

    @picocli.CommandLine.Option(
        names = "--seconds",
        paramLabel = "N",
        description =
            "ingest: how long each way is measured, after 30 s of warm-up; load: how long it is"
                + " driven; live: how long each rate is; search: how long searches are measured"
                + " (default 60).")
    int seconds = 60;

    @picocli.CommandLine.Option(
        names = "--rates",
        split = ",",
        paramLabel = "N",
        description = "live: background readings per second, one round each (default 2000,20000).")
    java.util.List<Integer> rates = java.util.List.of(2_000, 20_000);

    @picocli.CommandLine.Option(
        names = "--subscribers",
        paramLabel = "N",
        description = "live: subscribers of the whole twin stream (default 50).")
    int subscribers = 50;

    @picocli.CommandLine.Option(
        names = "--in-flight",
        paramLabel = "N",
        description = "search: searches kept in flight (default 8).")
    int inFlight = 8;

    @picocli.CommandLine.Option(
        names = "--readings",
        paramLabel = "N",
        description =
            "fusion: readings to evaluate (default 1,000,000; a third more warm up); fusion-jmh:"
                + " readings its slices cycle through.")
    int readings = 1_000_000;

    @picocli.CommandLine.Option(
        names = "--only",
        split = ",",
        paramLabel = "PART",
        description = "Run only these parts (store, search, service, cold); all by default.")
    java.util.Set<String> only =
        new java.util.LinkedHashSet<>(org.citytwin.launcher.bench.TwinBenchmark.PARTS);

    @Override
    public Integer call() throws Exception {
      Path work = java.nio.file.Files.createTempDirectory("citytwin-bench");
      String table;
      try {
        table = measure(work);
      } finally {
        // Each run writes its own databases (tens of megabytes); runs are many.
        deleteTree(work);
      }
      Runtime runtime = Runtime.getRuntime();
      String machine =
          String.format(
              java.util.Locale.ROOT,
              "Machine: %d cores, %.1f GiB max heap, %s %s, %s %s",
              runtime.availableProcessors(),
              runtime.maxMemory() / (1024.0 * 1024 * 1024),
              System.getProperty("java.vm.name"),
              System.getProperty("java.version"),
              System.getProperty("os.name"),
              System.getProperty("os.arch"));
      System.out.printf("%s%n%n%s", machine, table);
      if (write != null) {
        if (!target.equals("load")) {
          throw new IllegalArgumentException("--write is for the load benchmark");
        }
        org.citytwin.launcher.bench.LoadBenchmark.writeInto(write, machine, table);
        System.out.println("written into " + write);
      }
      return 0;
    }

    private String measure(Path work) throws Exception {
      return switch (target) {
        case "twins" -> new org.citytwin.launcher.bench.TwinBenchmark(work, only).run();
        case "ingest" ->
            new org.citytwin.launcher.bench.IngestBenchmark(
                    work, java.time.Duration.ofSeconds(seconds))
                .run();
        case "history" ->
            new org.citytwin.launcher.bench.HistoryBenchmark(
                    work,
                    devices,
                    hours,
                    summaryDays,
                    postgresUrl.isBlank()
                        ? java.util.Optional.empty()
                        : java.util.Optional.of(
                            new org.citytwin.history.PostgresSettings(
                                postgresUrl,
                                "postgres",
                                "",
                                "citytwin_bench_" + ProcessHandle.current().pid())))
                .run();
        case "live" ->
            new org.citytwin.launcher.bench.LiveBenchmark(
                    work, java.time.Duration.ofSeconds(seconds), rates, subscribers)
                .run();
        case "load" ->
            new org.citytwin.launcher.bench.LoadBenchmark(
                    work,
                    seed,
                    scale,
                    java.time.Duration.ofSeconds(seconds),
                    java.util.Optional.ofNullable(server))
                .run();
        case "search" ->
            new org.citytwin.launcher.bench.SearchBenchmark(
                    work, java.time.Duration.ofSeconds(seconds), inFlight)
                .run();
        case "fusion" ->
            new org.citytwin.launcher.bench.FusionBenchmark(
                    readings,
                    postgresUrl.isBlank()
                        ? java.util.Optional.empty()
                        : java.util.Optional.of(postgresUrl))
                .run();
        case "fusion-jmh" ->
            org.citytwin.launcher.bench.FusionJmh.table(
                org.citytwin.launcher.bench.FusionJmh.run(
                    1, 2, 3, org.openjdk.jmh.runner.options.TimeValue.seconds(10), readings));
        default ->
            throw new IllegalArgumentException(
                "unknown benchmark '"
                    + target
                    + "'; available: twins, ingest, history, fusion, fusion-jmh, live, load,"
                    + " search");
      };
    }

    /** Removes the run's directory; one left behind is reported, not fatal to the figures. */
    private static void deleteTree(Path root) {
      try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(root)) {
        for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          java.nio.file.Files.deleteIfExists(path);
        }
      } catch (java.io.IOException | java.io.UncheckedIOException notRemoved) {
        System.err.println("citytwin: could not remove " + root + ": " + notRemoved.getMessage());
      }
    }
  }

  @Command(
      name = "sim",
      mixinStandardHelpOptions = true,
      description =
          "The district simulator: write a generated district, or drive a server with it.",
      subcommands = {Citytwin.SimDistrict.class, Citytwin.SimRun.class})
  static final class Sim implements Runnable {
    @Override
    public void run() {
      new CommandLine(this).usage(System.out);
    }
  }

  @Command(
      name = "district",
      mixinStandardHelpOptions = true,
      description = {
        "Write a generated district (zones.geojson, things.json, devices.json) for serve --district.",
        "The same seed and scale always give the same files."
      })
  static final class SimDistrict implements Callable<Integer> {
    @Option(names = "--seed", description = "Random seed (default 7).")
    long seed = 7;

    @Option(
        names = "--scale",
        description =
            "Share of the full district: 1 is 170,000 objects and 34,000 devices (default 0.01).")
    double scale = 0.01;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write.")
    Path out;

    @Override
    public Integer call() throws IOException {
      District district = new GeneratedDistrict(seed, scale).generate();
      district.writeTo(out);
      System.out.printf(
          "wrote %,d twins, %,d devices and %,d zones (seed %d, scale %s) to %s%n",
          district.things().size(),
          district.devices().size(),
          district.zones().getJsonArray("features").size(),
          seed,
          scale,
          out);
      return 0;
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Drive a running server with the seven scenarios (rainstorm, muck trucks, embankment",
        "intrusions, bridge overload, lamp outages, PV hot spots, water pollution), faults",
        "included, as its devices would; score the incidents against the ground truth; exit 1 if",
        "the run fails."
      })
  static final class SimRun implements Callable<Integer> {
    @Option(names = "--server", description = "The server (default http://127.0.0.1:8080).")
    java.net.URI server = java.net.URI.create("http://127.0.0.1:8080");

    @Option(names = "--mqtt-port", description = "The server's device MQTT port (default 1884).")
    int mqttPort = 1884;

    @Option(
        names = "--seed",
        description = "The seed the server's district was written with (default 7).")
    long seed = 7;

    @Option(names = "--scale", description = "The scale it was written with (default 0.01).")
    double scale = 0.01;

    @Option(names = "--seconds", description = "How long readings are sent (default 120).")
    int seconds = 120;

    @Option(
        names = "--report",
        paramLabel = "FILE",
        description = "Where to write the JSON report.")
    Path report;

    @Option(names = "--no-progress", description = "Draw no progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
      RunReport outcome =
          new SimulationDriver(
                  new SimulationDriver.Settings(
                      server,
                      mqttPort,
                      seed,
                      scale,
                      ScenarioPlan.Settings.ci().lasting(java.time.Duration.ofSeconds(seconds)),
                      java.time.Duration.ofSeconds(10),
                      noProgress ? null : System.err),
                  Clock.systemUTC())
              .run();
      if (report != null) {
        java.nio.file.Files.writeString(report, outcome.json().encodePrettily());
      }
      System.out.print(outcome.summary());
      return outcome.passed() ? 0 : 1;
    }
  }

  /** Blocks until the process is asked to stop (Ctrl-C, SIGTERM), then runs {@code shutdown}. */
  private static void runUntilShutdown(Runnable shutdown) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("citytwin stopping");
                  shutdown.run();
                  stopped.countDown();
                },
                "citytwin-shutdown"));
    stopped.await();
  }
}
