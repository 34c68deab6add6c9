package org.citytwin.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.citytwin.api.ApiTokens;
import org.citytwin.history.PostgresSettings;
import org.citytwin.history.RetentionPolicy;
import org.citytwin.ingest.DeviceMqttIngest;
import org.citytwin.ingest.HonoNorthbound;
import org.citytwin.ingest.MqttBridge;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * citytwin's settings, resolved from four layers, each overriding the one before: built-in
 * defaults, a YAML file, environment variables ({@code http.port} is {@code CITYTWIN_HTTP_PORT})
 * and command-line flags. Unknown keys are refused, so a typo never passes silently.
 *
 * @param httpHost the address the HTTP server binds; loopback by default, because the API has no
 *     authentication yet
 * @param httpPort the HTTP port; 0 picks a free one
 * @param mqttPort the device MQTT port (on {@code httpHost}); 0 picks a free one
 * @param mqttReceiveMaximum QoS 1 messages a device's MQTT 5 connection may have awaiting their
 *     PUBACK, announced in the CONNACK (flow control while storage is behind)
 * @param dataDir where history (and later twin journals) are kept
 * @param historyBackend where readings and the twin journal live: {@code duckdb} (a file in {@code
 *     dataDir}) or {@code postgresql}
 * @param postgres how to reach PostgreSQL, used when {@code historyBackend} is {@code postgresql}
 * @param retention how long raw readings and their minute aggregates are kept
 * @param snapshotEvery how many twin changes the journal takes between snapshots
 * @param districtDir a directory with {@code zones.geojson}, {@code things.json} and {@code
 *     devices.json} to load at start, if any
 * @param mqttBridge the city's own MQTT broker to take readings from, if any
 * @param hono an Eclipse Hono northbound API to take telemetry and events from, if any
 * @param formatsDir a directory of vendor-format YAML files to add to (or replace) the shipped ones
 * @param rulesDir a directory of fusion rule files (YAML or JSON) to add to (or replace) the
 *     shipped rules, watched and reloaded while running
 * @param apiTokenSecret the secret API bearer tokens are signed with; without one (and without API
 *     keys) the API is open to every caller (fine on a laptop, never in a city)
 * @param apiKeysFile where services' API keys are kept ({@code citytwin api-key} writes it)
 * @param apiRequestsPerSecond each API client's sustained request rate; 0 for no limit
 * @param apiRequestBurst how many requests an API client may send at once
 * @param demo the demo district and its rainstorm
 */
public record CitytwinConfig(
    String httpHost,
    int httpPort,
    int mqttPort,
    int mqttReceiveMaximum,
    Path dataDir,
    String historyBackend,
    PostgresSettings postgres,
    RetentionPolicy retention,
    long snapshotEvery,
    Optional<Path> districtDir,
    Optional<Path> formatsDir,
    Optional<Path> rulesDir,
    Optional<MqttBridge.Settings> mqttBridge,
    Optional<HonoNorthbound.Settings> hono,
    Optional<String> apiTokenSecret,
    Path apiKeysFile,
    double apiRequestsPerSecond,
    int apiRequestBurst,
    Demo demo) {

  /** The generated demo district and the rainstorm played over it. */
  public record Demo(
      long seed,
      int catchmentsPerSide,
      int gaugesPerCatchment,
      int riverGauges,
      int rainGaugesPerCatchment,
      String password,
      Duration interval) {}

  /** Every key, with its default: the complete list of what can be set. */
  static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("http.host", "127.0.0.1");
    defaults.put("http.port", "8080");
    // Not 1883: that is where a city's own broker (and this machine's Mosquitto) usually listens.
    defaults.put("mqtt.port", "1884");
    defaults.put(
        "mqtt.receive-maximum",
        String.valueOf(DeviceMqttIngest.FlowControl.DEFAULT.receiveMaximum()));
    defaults.put("data.dir", "./data");
    defaults.put("history.backend", "duckdb");
    defaults.put("history.postgresql.url", "jdbc:postgresql://127.0.0.1:5432/citytwin");
    defaults.put("history.postgresql.user", "");
    defaults.put("history.postgresql.password", "");
    defaults.put("history.postgresql.schema", "citytwin");
    // A year of raw readings answers "same storm last year"; five years of minutes, the trends.
    defaults.put("history.retention.raw-days", "365");
    defaults.put("history.retention.aggregate-days", "1830");
    defaults.put("twins.snapshot-every", "100000");
    defaults.put("district.dir", "");
    defaults.put("ingest.formats-dir", "");
    defaults.put("fusion.rules-dir", "");
    defaults.put("bridge.mqtt.host", "");
    defaults.put("bridge.mqtt.port", "1883");
    defaults.put("bridge.mqtt.username", "");
    defaults.put("bridge.mqtt.password", "");
    defaults.put("bridge.mqtt.client-id", "citytwin-bridge");
    defaults.put("bridge.mqtt.topics", "");
    defaults.put("hono.host", "");
    defaults.put("hono.port", "5672");
    defaults.put("hono.username", "");
    defaults.put("hono.password", "");
    defaults.put("hono.tenants", "");
    defaults.put("api.auth.secret", "");
    defaults.put("api.auth.keys-file", "");
    // A dashboard asks a few times a second and a data-bureau script tens: this bounds a runaway.
    defaults.put("api.rate-limit.per-second", "200");
    defaults.put("api.rate-limit.burst", "400");
    defaults.put("demo.seed", "42");
    defaults.put("demo.catchments-per-side", "3");
    defaults.put("demo.gauges-per-catchment", "4");
    defaults.put("demo.river-gauges", "6");
    defaults.put("demo.rain-gauges-per-catchment", "1");
    defaults.put("demo.password", "demo-password");
    defaults.put("demo.interval", "2s");
    return Map.copyOf(defaults);
  }

  /**
   * Resolves the configuration.
   *
   * @param file a YAML file to read, if given
   * @param environment the process environment
   * @param flags settings from the command line, by key
   * @throws IllegalArgumentException naming the bad key or value
   */
  public static CitytwinConfig resolve(
      Optional<Path> file, Map<String, String> environment, Map<String, String> flags) {
    Map<String, String> settings = new TreeMap<>(DEFAULTS);
    file.ifPresent(path -> settings.putAll(checked(readYaml(path), path.toString())));
    for (String key : DEFAULTS.keySet()) {
      String value = environment.get(environmentName(key));
      if (value != null) {
        settings.put(key, value);
      }
    }
    settings.putAll(checked(flags, "the command line"));
    return fromSettings(settings);
  }

  /** The environment variable that sets {@code key}. */
  static String environmentName(String key) {
    return "CITYTWIN_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static CitytwinConfig fromSettings(Map<String, String> settings) {
    String backend = settings.get("history.backend");
    if (!backend.equals("duckdb") && !backend.equals("postgresql")) {
      throw new IllegalArgumentException(
          "history.backend must be duckdb or postgresql, not '" + backend + "'");
    }
    PostgresSettings postgres;
    try {
      postgres =
          new PostgresSettings(
              settings.get("history.postgresql.url"),
              settings.get("history.postgresql.user"),
              settings.get("history.postgresql.password"),
              settings.get("history.postgresql.schema"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("history.postgresql: " + e.getMessage(), e);
    }
    RetentionPolicy retention;
    try {
      retention =
          new RetentionPolicy(
              Duration.ofDays(integer(settings, "history.retention.raw-days", 1, 100_000)),
              Duration.ofDays(integer(settings, "history.retention.aggregate-days", 1, 100_000)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("history.retention: " + e.getMessage(), e);
    }
    if (integer(settings, "api.rate-limit.per-second", 0, 1_000_000) > 0
        && integer(settings, "api.rate-limit.burst", 0, 1_000_000) < 1) {
      throw new IllegalArgumentException(
          "api.rate-limit.burst must be at least 1 while api.rate-limit.per-second is set");
    }
    String district = settings.get("district.dir");
    String formats = settings.get("ingest.formats-dir");
    String rules = settings.get("fusion.rules-dir");
    return new CitytwinConfig(
        settings.get("http.host"),
        integer(settings, "http.port", 0, 65_535),
        integer(settings, "mqtt.port", 0, 65_535),
        integer(settings, "mqtt.receive-maximum", 1, 65_535),
        Path.of(settings.get("data.dir")),
        backend,
        postgres,
        retention,
        integer(settings, "twins.snapshot-every", 1, Integer.MAX_VALUE),
        district.isBlank() ? Optional.empty() : Optional.of(Path.of(district)),
        formats.isBlank() ? Optional.empty() : Optional.of(Path.of(formats)),
        rules.isBlank() ? Optional.empty() : Optional.of(Path.of(rules)),
        mqttBridge(settings),
        hono(settings),
        apiTokenSecret(settings),
        settings.get("api.auth.keys-file").isBlank()
            ? Path.of(settings.get("data.dir")).resolve("api-keys.json")
            : Path.of(settings.get("api.auth.keys-file")),
        integer(settings, "api.rate-limit.per-second", 0, 1_000_000),
        integer(settings, "api.rate-limit.burst", 0, 1_000_000),
        new Demo(
            integer(settings, "demo.seed", Integer.MIN_VALUE, Integer.MAX_VALUE),
            integer(settings, "demo.catchments-per-side", 1, 20),
            integer(settings, "demo.gauges-per-catchment", 1, 100),
            integer(settings, "demo.river-gauges", 0, 100),
            integer(settings, "demo.rain-gauges-per-catchment", 0, 10),
            settings.get("demo.password"),
            duration(settings, "demo.interval")));
  }

  private static Optional<MqttBridge.Settings> mqttBridge(Map<String, String> settings) {
    String host = settings.get("bridge.mqtt.host");
    if (host.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new MqttBridge.Settings(
              host,
              integer(settings, "bridge.mqtt.port", 1, 65_535),
              Optional.of(settings.get("bridge.mqtt.username")).filter(u -> !u.isEmpty()),
              Optional.of(settings.get("bridge.mqtt.password")).filter(p -> !p.isEmpty()),
              settings.get("bridge.mqtt.client-id"),
              commaSeparated(settings, "bridge.mqtt.topics")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bridge.mqtt: " + e.getMessage(), e);
    }
  }

  private static Optional<HonoNorthbound.Settings> hono(Map<String, String> settings) {
    String host = settings.get("hono.host");
    if (host.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new HonoNorthbound.Settings(
              host,
              integer(settings, "hono.port", 1, 65_535),
              Optional.of(settings.get("hono.username")).filter(u -> !u.isEmpty()),
              Optional.of(settings.get("hono.password")).filter(p -> !p.isEmpty()),
              commaSeparated(settings, "hono.tenants")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("hono: " + e.getMessage(), e);
    }
  }

  private static List<String> commaSeparated(Map<String, String> settings, String key) {
    return java.util.Arrays.stream(settings.get(key).split(","))
        .map(String::strip)
        .filter(item -> !item.isEmpty())
        .toList();
  }

  /** The effective configuration as {@code key=value} lines, secrets masked: logged at start. */
  public String describe() {
    Map<String, String> effective = new TreeMap<>();
    effective.put("http.host", httpHost);
    effective.put("http.port", String.valueOf(httpPort));
    effective.put("mqtt.port", String.valueOf(mqttPort));
    effective.put("mqtt.receive-maximum", String.valueOf(mqttReceiveMaximum));
    effective.put("data.dir", dataDir.toAbsolutePath().normalize().toString());
    effective.put("history.backend", historyBackend);
    if (historyBackend.equals("postgresql")) {
      effective.put("history.postgresql.url", postgres.url());
      effective.put("history.postgresql.user", postgres.user());
      effective.put("history.postgresql.password", postgres.password().isEmpty() ? "" : "****");
      effective.put("history.postgresql.schema", postgres.schema());
    }
    effective.put("history.retention.raw-days", String.valueOf(retention.raw().toDays()));
    effective.put(
        "history.retention.aggregate-days", String.valueOf(retention.aggregates().toDays()));
    effective.put("twins.snapshot-every", String.valueOf(snapshotEvery));
    effective.put("district.dir", districtDir.map(Path::toString).orElse("(none)"));
    effective.put("ingest.formats-dir", formatsDir.map(Path::toString).orElse("(none)"));
    effective.put("fusion.rules-dir", rulesDir.map(Path::toString).orElse("(none)"));
    effective.put(
        "bridge.mqtt",
        mqttBridge
            .map(
                bridge ->
                    bridge.host()
                        + ":"
                        + bridge.port()
                        + " topics "
                        + bridge.topics()
                        + bridge.username().map(user -> " as " + user).orElse("")
                        + (bridge.password().isPresent() ? " (password ****)" : ""))
            .orElse("(off)"));
    effective.put(
        "hono",
        hono.map(
                northbound ->
                    northbound.host()
                        + ":"
                        + northbound.port()
                        + " tenants "
                        + northbound.tenants()
                        + northbound.username().map(user -> " as " + user).orElse("")
                        + (northbound.password().isPresent() ? " (password ****)" : ""))
            .orElse("(off)"));
    effective.put(
        "api.auth.secret", apiTokenSecret.isPresent() ? "**** (bearer tokens required)" : "(open)");
    effective.put("api.auth.keys-file", apiKeysFile.toString());
    effective.put(
        "api.rate-limit",
        apiRequestsPerSecond == 0
            ? "(off)"
            : (long) apiRequestsPerSecond + "/s per client, bursts of " + apiRequestBurst);
    effective.put("demo.seed", String.valueOf(demo.seed()));
    effective.put("demo.catchments-per-side", String.valueOf(demo.catchmentsPerSide()));
    effective.put("demo.gauges-per-catchment", String.valueOf(demo.gaugesPerCatchment()));
    effective.put("demo.river-gauges", String.valueOf(demo.riverGauges()));
    effective.put("demo.rain-gauges-per-catchment", String.valueOf(demo.rainGaugesPerCatchment()));
    effective.put("demo.password", "****");
    effective.put("demo.interval", demo.interval().toMillis() + "ms");
    return effective.entrySet().stream()
        .map(e -> "  " + e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("\n"));
  }

  /** This configuration with another district directory. */
  public CitytwinConfig withDistrict(Path directory) {
    return new CitytwinConfig(
        httpHost,
        httpPort,
        mqttPort,
        mqttReceiveMaximum,
        dataDir,
        historyBackend,
        postgres,
        retention,
        snapshotEvery,
        Optional.of(directory),
        formatsDir,
        rulesDir,
        mqttBridge,
        hono,
        apiTokenSecret,
        apiKeysFile,
        apiRequestsPerSecond,
        apiRequestBurst,
        demo);
  }

  private static Optional<String> apiTokenSecret(Map<String, String> settings) {
    String secret = settings.get("api.auth.secret");
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    if (secret.getBytes(StandardCharsets.UTF_8).length < ApiTokens.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "api.auth.secret must be at least "
              + ApiTokens.MIN_SECRET_BYTES
              + " bytes long (try: openssl rand -hex 32)");
    }
    return Optional.of(secret);
  }

  private static Map<String, String> checked(Map<String, String> settings, String source) {
    for (String key : settings.keySet()) {
      if (!DEFAULTS.containsKey(key)) {
        throw new IllegalArgumentException(
            source
                + ": unknown setting '"
                + key
                + "'; known settings: "
                + new TreeMap<>(DEFAULTS).keySet());
      }
    }
    return settings;
  }

  private static Map<String, String> readYaml(Path path) {
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
      Map<String, String> flat = new LinkedHashMap<>();
      if (document != null) {
        if (!(document instanceof Map<?, ?> map)) {
          throw new IllegalArgumentException(path + ": the configuration must be a YAML mapping");
        }
        flatten("", map, flat);
      }
      return flat;
    } catch (IOException | YAMLException e) {
      throw new IllegalArgumentException(
          "cannot read configuration " + path + ": " + e.getMessage(), e);
    }
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, String> flat) {
    map.forEach(
        (key, value) -> {
          String name = prefix + key;
          if (value instanceof Map<?, ?> nested) {
            flatten(name + ".", nested, flat);
          } else {
            flat.put(name, value == null ? "" : String.valueOf(value));
          }
        });
  }

  private static int integer(Map<String, String> settings, String key, int min, int max) {
    try {
      long value = Long.parseLong(settings.get(key).trim());
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            key + " must lie between " + min + " and " + max + ", not " + value);
      }
      return (int) value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          key + " must be a whole number, not '" + settings.get(key) + "'");
    }
  }

  private static Duration duration(Map<String, String> settings, String key) {
    String text = settings.get(key).trim().toLowerCase(Locale.ROOT);
    try {
      Duration duration;
      if (text.endsWith("ms")) {
        duration = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
      } else if (text.endsWith("s")) {
        duration = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
      } else {
        throw new NumberFormatException(text);
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new NumberFormatException(text);
      }
      return duration;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          key + " must be a positive duration such as 2s or 500ms, not '" + text + "'");
    }
  }
}
