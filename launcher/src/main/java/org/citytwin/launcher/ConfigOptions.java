package org.citytwin.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The configuration flags every subcommand takes; see {@link CitytwinConfig} for the layers. */
final class ConfigOptions {

  /** Read when present and no --config is given. */
  static final Path DEFAULT_CONFIG_FILE = Path.of("citytwin.yaml");

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML configuration file (default: ./citytwin.yaml if it exists).")
  Path configFile;

  @Option(names = "--host", description = "Address to bind (http.host).")
  String host;

  @Option(names = "--port", description = "HTTP port (http.port); 0 picks a free one.")
  Integer port;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (data.dir).")
  Path dataDir;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Any other setting, for example --set demo.interval=1s.")
  Map<String, String> settings = new LinkedHashMap<>();

  CitytwinConfig resolve() {
    Map<String, String> flags = new LinkedHashMap<>(settings);
    if (host != null) {
      flags.put("http.host", host);
    }
    if (port != null) {
      flags.put("http.port", String.valueOf(port));
    }
    if (dataDir != null) {
      flags.put("data.dir", dataDir.toString());
    }
    Optional<Path> file =
        Optional.ofNullable(configFile)
            .or(() -> Optional.of(DEFAULT_CONFIG_FILE).filter(Files::isRegularFile));
    return CitytwinConfig.resolve(file, System.getenv(), flags);
  }
}
