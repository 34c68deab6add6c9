package org.citytwin.launcher;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.citytwin.sim.DemoDistrict;
import org.citytwin.sim.District;
import org.citytwin.sim.SimDevice;

/**
 * A started citytwin server with a small generated district, and a plain HTTP client to talk to it:
 * the shared fixture of the end-to-end tests.
 */
final class RunningDistrict implements AutoCloseable {

  static final String PASSWORD = "test-password";

  /** Connections the client opens at most: each event stream holds one. */
  static final int MAX_CONNECTIONS = 20;

  /** The answer to one request; {@code raw} is its body's bytes, for binary answers. */
  record Answer(int status, Map<String, String> headers, String body, byte[] raw) {
    JsonObject json() {
      try {
        return new JsonObject(body);
      } catch (io.vertx.core.json.DecodeException e) {
        throw new AssertionError(
            "status " + status + ", headers " + headers + ": not a JSON object: <" + body + ">", e);
      }
    }
  }

  final District district;
  final CitytwinServer server;
  private final Vertx clientVertx = Vertx.vertx();
  private final HttpClient http;

  RunningDistrict(Path directory, int catchmentsPerSide, int gaugesPerCatchment)
      throws IOException {
    this(directory, catchmentsPerSide, gaugesPerCatchment, devices -> {});
  }

  /**
   * @param editDevices changes the district's device registrations (devices.json) before the server
   *     starts: to add a gateway, say
   */
  RunningDistrict(
      Path directory,
      int catchmentsPerSide,
      int gaugesPerCatchment,
      java.util.function.Consumer<io.vertx.core.json.JsonArray> editDevices)
      throws IOException {
    this(directory, catchmentsPerSide, gaugesPerCatchment, editDevices, Map.of());
  }

  /**
   * @param settings configuration on top of the fixture's (free ports, data in {@code directory})
   */
  RunningDistrict(
      Path directory,
      int catchmentsPerSide,
      int gaugesPerCatchment,
      java.util.function.Consumer<io.vertx.core.json.JsonArray> editDevices,
      Map<String, String> settings)
      throws IOException {
    this(
        directory,
        new DemoDistrict(7, catchmentsPerSide, gaugesPerCatchment, PASSWORD),
        editDevices,
        settings);
  }

  /**
   * @param plan the district to generate (its devices' password must be {@link #PASSWORD})
   */
  RunningDistrict(
      Path directory,
      DemoDistrict plan,
      java.util.function.Consumer<io.vertx.core.json.JsonArray> editDevices,
      Map<String, String> settings)
      throws IOException {
    district = plan.generate();
    Path districtDir = directory.resolve("district");
    district.writeTo(districtDir);
    Path devicesFile = districtDir.resolve(org.citytwin.sim.District.DEVICES_FILE);
    io.vertx.core.json.JsonArray devices =
        new io.vertx.core.json.JsonArray(java.nio.file.Files.readString(devicesFile));
    editDevices.accept(devices);
    java.nio.file.Files.writeString(devicesFile, devices.encodePrettily());
    Map<String, String> flags = new java.util.HashMap<>(settings);
    flags.put("http.port", "0");
    flags.put("mqtt.port", "0");
    flags.put("data.dir", directory.resolve("data").toString());
    CitytwinConfig config =
        CitytwinConfig.resolve(Optional.empty(), Map.of(), flags).withDistrict(districtDir);
    server = CitytwinServer.start(config, Clock.systemUTC());
    // Room for a test's open event streams beside its requests (Vert.x's default is 5).
    http =
        clientVertx.createHttpClient(
            new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()),
            new io.vertx.core.http.PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
  }

  /**
   * Registers a gateway (a copy of the first device's registration under another id and password)
   * and lists it in the {@code via} of the devices at {@code behind}: for {@link
   * #RunningDistrict(Path, int, int, java.util.function.Consumer)}.
   */
  static void addGateway(
      io.vertx.core.json.JsonArray devices, String gateway, String password, int... behind) {
    for (int index : behind) {
      devices.getJsonObject(index).put("via", new io.vertx.core.json.JsonArray().add(gateway));
    }
    devices.add(
        devices
            .getJsonObject(0)
            .copy()
            .put("deviceId", gateway)
            .put("authId", gateway)
            .put("via", new io.vertx.core.json.JsonArray())
            .put("credentials", new JsonObject().put("pwd-plain", password)));
  }

  /** The waterlogging depth, in metres, in a thing's JSON (whole or, as SSE sends it, partial). */
  static double waterloggingDepth(JsonObject thing) {
    return thing
        .getJsonObject("features")
        .getJsonObject("waterlogging")
        .getJsonObject("properties")
        .getDouble("depth");
  }

  SimDevice gauge(int index) {
    return district.devices().get(index);
  }

  Answer get(String path) {
    return send(new RequestOptions().setMethod(HttpMethod.GET).setURI(path), null);
  }

  /** Any request, with headers given as name, value, name, value, ... */
  Answer request(HttpMethod method, String path, String body, String... headers) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(path);
    for (int i = 0; i < headers.length; i += 2) {
      options.putHeader(headers[i], headers[i + 1]);
    }
    return send(options, body);
  }

  /**
   * A waterlogging gauge of the district reports a depth, timed on arrival.
   *
   * @throws AssertionError unless the reading is accepted (202)
   */
  void reportDepth(SimDevice gauge, int depthCentimetres) {
    Answer answer =
        postReading(
            gauge.username(),
            PASSWORD,
            "application/json",
            "{\"depth_cm\": " + depthCentimetres + "}");
    if (answer.status() != 202) {
      throw new AssertionError(
          gauge.thingId()
              + " reporting "
              + depthCentimetres
              + " cm: "
              + answer.status()
              + " "
              + answer.body());
    }
  }

  Answer postReading(String username, String password, String contentType, String body) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setURI("/telemetry")
            .putHeader("Content-Type", contentType);
    if (username != null) {
      options.putHeader(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return send(options, body);
  }

  /**
   * Opens a server-sent-event subscription, with headers given as name, value, ...; everything the
   * server streams is appended to the returned buffer.
   */
  StringBuffer subscribe(String path, String... headers) throws Exception {
    StringBuffer received = new StringBuffer();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setURI(path)
            .putHeader("Accept", "text/event-stream");
    for (int i = 0; i < headers.length; i += 2) {
      options.putHeader(headers[i], headers[i + 1]);
    }
    http.request(options)
        .compose(
            request ->
                request
                    .send()
                    .onSuccess(
                        response ->
                            response.handler(
                                chunk -> received.append(chunk.toString(StandardCharsets.UTF_8)))))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    return received;
  }

  /**
   * A GET with headers given as name, value, ...: the answer, whole for an ordinary one; for an
   * event stream only its status and headers (body empty), the stream then closed.
   */
  Answer peek(String path, String... headers) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(path);
    for (int i = 0; i < headers.length; i += 2) {
      options.putHeader(headers[i], headers[i + 1]);
    }
    return send(options, null, true);
  }

  private Answer send(RequestOptions options, String body) {
    return send(options, body, false);
  }

  /**
   * @param dropEventStream whether an event stream is answered with its status and headers only,
   *     and then closed
   */
  private Answer send(RequestOptions options, String body, boolean dropEventStream) {
    try {
      // The body must be read in the same step that receives the response, or it may be missed.
      return http.request(options)
          .compose(
              request ->
                  (body == null ? request.send() : request.send(Buffer.buffer(body)))
                      .compose(
                          response -> {
                            Map<String, String> headers =
                                new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                            response.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
                            if (dropEventStream
                                && headers
                                    .getOrDefault("Content-Type", "")
                                    .startsWith("text/event-stream")) {
                              request.reset();
                              return io.vertx.core.Future.succeededFuture(
                                  new Answer(response.statusCode(), headers, "", new byte[0]));
                            }
                            return response
                                .body()
                                .map(
                                    buffer ->
                                        new Answer(
                                            response.statusCode(),
                                            headers,
                                            buffer.toString(StandardCharsets.UTF_8),
                                            buffer.getBytes()));
                          }))
          .toCompletionStage()
          .toCompletableFuture()
          .get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(
          "request " + options.getMethod() + " " + options.getURI() + " failed", e);
    }
  }

  @Override
  public void close() {
    clientVertx.close().toCompletionStage().toCompletableFuture().join();
    server.close();
  }
}
