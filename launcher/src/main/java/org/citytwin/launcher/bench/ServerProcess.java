package org.citytwin.launcher.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built jar's {@code citytwin serve} in a process of its own, as it is deployed: a benchmark
 * that drives it from its own process measures the server, not the server sharing a heap, a
 * collector and JIT with its load and its subscribers. Its output goes to {@code server.log} in the
 * work directory. Closing it stops the process.
 */
final class ServerProcess implements AutoCloseable {

  /** The environment variable with further JVM options for the server's process. */
  static final String JAVA_OPTIONS = "CITYTWIN_BENCH_SERVER_JAVA_OPTIONS";

  private final Process process;
  private final URI address;
  private final Path log;

  private ServerProcess(Process process, URI address, Path log) {
    this.process = process;
    this.address = address;
    this.log = log;
  }

  /**
   * Starts the server on {@code district} with a fresh data directory under {@code work}, and
   * returns once {@code /ready} answers 200.
   *
   * @param settings further {@code key=value} settings
   */
  static ServerProcess start(
      Path work, Path district, int httpPort, int mqttPort, List<String> settings)
      throws IOException, InterruptedException {
    Path jar =
        Path.of(
            URI.create(
                ServerProcess.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toString()));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "this benchmark starts the server from the built jar; run it as ./citytwin bench");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED"));
    command.addAll(javaOptions());
    command.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "serve",
            "--district",
            district.toString(),
            "--data-dir",
            work.resolve("data").toString(),
            "--port",
            String.valueOf(httpPort),
            "--set",
            "mqtt.port=" + mqttPort,
            // One driver is every user at once here: measure the server, not one client's
            // share.
            "--set",
            "api.rate-limit.per-second=0"));
    for (String setting : settings) {
      command.add("--set");
      command.add(setting);
    }
    Path log = work.resolve("server.log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServerProcess server =
        new ServerProcess(process, URI.create("http://127.0.0.1:" + httpPort), log);
    try {
      server.awaitReady();
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * JVM options for the server's process from {@value #JAVA_OPTIONS} (split at white space), so
   * that a collector or heap setting can be tried on the server alone, not on the load driver too
   * as {@code JAVA_TOOL_OPTIONS} would.
   */
  private static List<String> javaOptions() {
    String options = System.getenv(JAVA_OPTIONS);
    return options == null || options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
  }

  /** The server's HTTP address. */
  URI address() {
    return address;
  }

  private void awaitReady() throws IOException, InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the server exited early; its log: " + log);
      }
      try {
        HttpResponse<Void> answer =
            client.send(
                HttpRequest.newBuilder(address.resolve("/ready")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (answer.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the server was not ready (/ready) within 180 s; log: " + log);
  }

  /** Stops the server: SIGTERM, then SIGKILL after 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
