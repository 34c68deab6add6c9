package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CitytwinConfigTest {

  @TempDir Path directory;

  @Test
  void defaultsServeOnLoopback8080WithDuckDbUnderData() {
    CitytwinConfig config = CitytwinConfig.resolve(Optional.empty(), Map.of(), Map.of());
    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(config.historyBackend()).isEqualTo("duckdb");
    assertThat(config.districtDir()).isEmpty();
    assertThat(config.demo().interval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void fileOverridesDefaultsEnvironmentOverridesFileFlagsOverrideAll() throws Exception {
    Path file =
        Files.writeString(
            directory.resolve("citytwin.yaml"),
            "http:\n  port: 9000\n  host: 0.0.0.0\ndemo:\n  interval: 500ms\n  seed: 7\n");
    CitytwinConfig config =
        CitytwinConfig.resolve(
            Optional.of(file),
            Map.of("CITYTWIN_HTTP_PORT", "9100", "CITYTWIN_DEMO_SEED", "8", "UNRELATED", "x"),
            Map.of("demo.seed", "9"));
    assertThat(config.httpHost()).isEqualTo("0.0.0.0");
    assertThat(config.httpPort()).isEqualTo(9100);
    assertThat(config.demo().interval()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.demo().seed()).isEqualTo(9);
  }

  @Test
  void environmentNamesFollowTheKeys() {
    assertThat(CitytwinConfig.environmentName("demo.gauges-per-catchment"))
        .isEqualTo("CITYTWIN_DEMO_GAUGES_PER_CATCHMENT");
  }

  @Test
  void refusesUnknownKeysAndBadValuesNamingThem() throws Exception {
    Path file = Files.writeString(directory.resolve("typo.yaml"), "http:\n  prot: 9000\n");
    assertThatThrownBy(() -> CitytwinConfig.resolve(Optional.of(file), Map.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown setting 'http.prot'");
    assertThatThrownBy(
            () ->
                CitytwinConfig.resolve(
                    Optional.empty(), Map.of("CITYTWIN_HTTP_PORT", "eighty"), Map.of()))
        .hasMessageContaining("http.port must be a whole number");
    assertThatThrownBy(
            () -> CitytwinConfig.resolve(Optional.empty(), Map.of(), Map.of("http.port", "70000")))
        .hasMessageContaining("http.port must lie between 0 and 65535");
    assertThatThrownBy(
            () ->
                CitytwinConfig.resolve(
                    Optional.empty(), Map.of(), Map.of("history.backend", "mongodb")))
        .hasMessageContaining("history.backend must be duckdb or postgresql");
    assertThatThrownBy(
            () ->
                CitytwinConfig.resolve(Optional.empty(), Map.of(), Map.of("demo.interval", "soon")))
        .hasMessageContaining("demo.interval");
  }

  @Test
  void describesTheEffectiveConfigurationWithoutSecrets() {
    String description =
        CitytwinConfig.resolve(Optional.empty(), Map.of(), Map.of("demo.password", "hunter2"))
            .describe();
    assertThat(description)
        .contains("http.port=8080")
        .contains("demo.password=****")
        .doesNotContain("hunter2");
  }
}
