package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RuleLoaderTest {

  private final RuleLoader loader = new RuleLoader();

  private static final String VALID =
      """
      id: deep-water
      kind: threshold-in-zone
      when: {definition: "citytwin:waterlogging-gauge:1.0.0", feature: waterlogging, property: depth, above: 0.3, insideZoneOfType: catchment}
      raise: {type: waterlogging, severity: orange, lead: water, cooperating: [emergency]}
      """;

  @Test
  void loadsTheShippedWaterloggingRule() {
    assertThat(loader.loadShipped())
        .singleElement()
        .satisfies(
            rule -> {
              assertThat(rule.id()).isEqualTo("waterlogging-depth");
              assertThat(rule.above()).isEqualTo(0.15);
              assertThat(rule.zoneType()).isEqualTo("catchment");
              assertThat(rule.valuePath().toString())
                  .isEqualTo("/features/waterlogging/properties/depth");
            });
  }

  @Test
  void parsesAValidRule() {
    ThresholdInZoneRule rule = loader.parse("deep.yaml", VALID);
    assertThat(rule.incident().severity()).isEqualTo("orange");
    assertThat(rule.incident().cooperatingDepartments()).containsExactly("emergency");
  }

  @Test
  void namesTheFileAndFieldOfAnInvalidRule() {
    assertThatThrownBy(() -> loader.parse("deep.yaml", VALID.replace("above: 0.3", "above: deep")))
        .isInstanceOf(RuleException.class)
        .hasMessage("deep.yaml: 'when.above' must be a number, got deep");
    assertThatThrownBy(() -> loader.parse("deep.yaml", VALID.replace("lead: water, ", "")))
        .isInstanceOf(RuleException.class)
        .hasMessage("deep.yaml: 'lead' is required and must be text");
    assertThatThrownBy(() -> loader.parse("deep.yaml", VALID.replace("threshold-in-zone", "magic")))
        .isInstanceOf(RuleException.class)
        .hasMessageContaining("'kind' must be threshold-in-zone");
    assertThatThrownBy(() -> loader.parse("deep.yaml", "id: [unclosed"))
        .isInstanceOf(RuleException.class)
        .hasMessageStartingWith("deep.yaml: not valid YAML");
  }

  @Test
  void refusesYamlThatWouldConstructJavaObjects() {
    assertThatThrownBy(() -> loader.parse("evil.yaml", "!!java.io.File [\"/etc/passwd\"]"))
        .isInstanceOf(RuleException.class);
  }
}
