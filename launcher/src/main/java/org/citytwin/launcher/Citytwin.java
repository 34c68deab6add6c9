package org.citytwin.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.citytwin.sim.DemoDistrict;
import org.citytwin.sim.District;
import org.citytwin.sim.Rainstorm;
import org.citytwin.sim.SimDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code citytwin} command. Subcommands: {@code serve} runs the server, {@code demo} runs it
 * with a generated district and a rainstorm. Later subcommands ({@code sim}, {@code export}) join
 * the {@code subcommands} list below.
 */
@Command(
    name = "citytwin",
    mixinStandardHelpOptions = true,
    version = "citytwin 0.1.0",
    description = "Live digital twins of a city district, and the incidents raised from them.",
    subcommands = {Citytwin.Serve.class, Citytwin.Demo.class, Citytwin.Bench.class})
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
                  "  a twin:      curl {}/api/2/things/{}",
                  "  live:        curl -N -H 'Accept: text/event-stream' {}/api/2/things",
                  "  incidents:   curl {}/api/incidents",
                  "  a reading:   curl -i -u {}:{} -H 'Content-Type: application/json' -d '{\"depth_cm\": 23}' {}/telemetry")),
          district.devices().size(),
          settings.catchmentsPerSide() * settings.catchmentsPerSide(),
          storm.crossing().toMinutes(),
          baseUrl,
          first.thingId(),
          baseUrl,
          baseUrl,
          first.username(),
          settings.password(),
          baseUrl);
      runUntilShutdown(
          () -> {
            rainstorm.stop();
            server.close();
          });
      return 0;
    }

    private static String loopbackFor(String host) {
      return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    }
  }

  @Command(
      name = "bench",
      mixinStandardHelpOptions = true,
      description = "Run a benchmark and print its figures as Markdown. Targets: twins, ingest.")
  static final class Bench implements Callable<Integer> {

    @picocli.CommandLine.Parameters(
        paramLabel = "TARGET",
        description = "What to measure: twins, ingest.")
    String target;

    @picocli.CommandLine.Option(
        names = "--seconds",
        paramLabel = "N",
        description = "ingest: how long each protocol is driven (default 60).")
    int seconds = 60;

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
      String table =
          switch (target) {
            case "twins" -> new org.citytwin.launcher.bench.TwinBenchmark(work, only).run();
            case "ingest" ->
                new org.citytwin.launcher.bench.IngestBenchmark(
                        work, java.time.Duration.ofSeconds(seconds))
                    .run();
            default ->
                throw new IllegalArgumentException(
                    "unknown benchmark '" + target + "'; available: twins, ingest");
          };
      Runtime runtime = Runtime.getRuntime();
      System.out.printf(
          "Machine: %d cores, %.1f GiB max heap, %s %s%n%n%s",
          runtime.availableProcessors(),
          runtime.maxMemory() / (1024.0 * 1024 * 1024),
          System.getProperty("java.vm.name"),
          System.getProperty("java.version"),
          table);
      return 0;
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
