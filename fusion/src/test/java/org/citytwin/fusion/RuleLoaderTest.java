package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.citytwin.fusion.rules.Condition;
import org.citytwin.fusion.rules.CorrelationRule;
import org.citytwin.fusion.rules.Rule;
import org.citytwin.fusion.rules.Scope;
import org.citytwin.fusion.rules.TrajectoryRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleLoaderTest {

  private final RuleLoader loader = new RuleLoader();

  private static final String VALID =
      """
      id: deep-water
      kind: correlation
      incident:
        type: waterlogging
        severity: orange
        lead: water
        cooperating: [emergency]
      scope: {zone: catchment}
      signals:
        - name: deep
          definition: citytwin:waterlogging-gauge:1.0.0
          value: features/waterlogging/properties/depth
          above: 0.3
      """;

  @Test
  void loadsOneShippedRulePerScenario() {
    assertThat(loader.loadShipped())
        .extracting(Rule::id)
        .containsExactly(
            "flood-warning",
            "muck-truck",
            "embankment-intrusion",
            "bridge-overload",
            "dark-lamps",
            "pv-hot-spot",
            "water-quality");
    assertThat(loader.loadShipped().get(1)).isInstanceOf(TrajectoryRule.class);
  }

  @Test
  void parsesAValidRuleWithItsDefaults() {
    CorrelationRule rule = (CorrelationRule) loader.parse("deep.yaml", VALID);
    assertThat(rule.source()).isEqualTo("deep.yaml:1");
    assertThat(rule.incident().severity()).isEqualTo("orange");
    assertThat(rule.incident().cooperatingDepartments()).containsExactly("emergency");
    assertThat(rule.scope()).isEqualTo(Scope.zone("catchment"));
    assertThat(rule.level()).isEqualTo("grid");
    assertThat(rule.grades())
        .singleElement()
        .satisfies(
            grade -> {
              assertThat(grade.severity()).isEqualTo("orange");
              assertThat(grade.signals()).containsExactly("deep");
            });
    assertThat(rule.signals().get(0).condition()).isInstanceOf(Condition.Threshold.class);
  }

  @Test
  void readsJsonRulesToo() {
    String json =
        """
        {"id": "quality", "kind": "correlation",
         "incident": {"type": "water-quality", "severity": "yellow", "lead": "environment"},
         "scope": "observed",
         "signals": [{"name": "ph-low", "definition": "citytwin:water-quality-station:1.0.0",
                      "value": "features/quality/properties/ph", "below": 6}]}
        """;
    CorrelationRule rule = (CorrelationRule) loader.parse("quality.json", json);
    assertThat(rule.scope().kind()).isEqualTo(Scope.Kind.OBSERVED);
  }

  @Test
  void namesTheFileLineAndReasonOfAnInvalidRule() {
    assertThatThrownBy(() -> loader.parse("deep.yaml", VALID.replace("above: 0.3", "above: deep")))
        .isInstanceOf(RuleException.class)
        .hasMessage("deep.yaml:13: signals[0].above must be a number, not 'deep'");
    assertThatThrownBy(() -> loader.parse("deep.yaml", VALID.replace("  lead: water\n", "")))
        .hasMessage("deep.yaml:4: incident.lead is required");
    assertThatThrownBy(() -> loader.parse("deep.yaml", VALID.replace("above: 0.3", "abvoe: 0.3")))
        .hasMessageStartingWith("deep.yaml:13: signals[0].abvoe is not a known field here");
    assertThatThrownBy(() -> loader.parse("deep.yaml", VALID.replace("correlation", "magic")))
        .hasMessage("deep.yaml:2: kind must be correlation or trajectory, not 'magic'");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "deep.yaml",
                    VALID.replace("cooperating: [emergency]", "cooperating: {emergency")))
        .hasMessageStartingWith("deep.yaml:")
        .hasMessageContaining("not valid YAML or JSON");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "deep.yaml", VALID + "grades:\n  - severity: red\n    signals: [deep, rain]\n"))
        .hasMessage("deep.yaml:16: grades[0].signals names signal 'rain', which is not defined");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "deep.yaml",
                    VALID.replace("above: 0.3", "rise: {above: 0.05, within: 15 minutes}")))
        .hasMessageContaining("signals[0].rise.within must be a positive ISO-8601 duration");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "deep.yaml",
                    VALID.replace(
                        "above: 0.3",
                        "above: 0.3\n    below: 1\n    rise: {above: 1, within: PT1M}")))
        .hasMessageContaining("needs exactly one condition");
    assertThatThrownBy(
            () -> loader.parse("deep.yaml", VALID.replace("orange\n", "orange\n  level: city\n")))
        .hasMessageContaining("incident.level must be one of [grid, community, street, district]");
    assertThatThrownBy(() -> loader.parse("empty.yaml", ""))
        .hasMessage("empty.yaml:1: the file is empty");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "deep.yaml", VALID.replace("above: 0.3", "above: 0.3\n    minTwins: 2.5")))
        .hasMessage(
            "deep.yaml:14: signals[0].minTwins must be a whole number from 1 to 10000, not '2.5'");
  }

  @Test
  void refusesYamlThatWouldConstructJavaObjects() {
    assertThatThrownBy(() -> loader.parse("evil.yaml", "!!java.io.File [\"/etc/passwd\"]"))
        .isInstanceOf(RuleException.class);
  }

  @Test
  void loadsADirectoryAndRefusesADuplicateIdNamingBothPlaces(@TempDir Path directory)
      throws Exception {
    Files.writeString(directory.resolve("a.yaml"), VALID);
    Files.writeString(directory.resolve("notes.txt"), "not a rule");
    assertThat(loader.loadDirectory(directory)).extracting(Rule::id).containsExactly("deep-water");
    Files.writeString(directory.resolve("b.yml"), VALID);
    assertThatThrownBy(() -> loader.loadDirectory(directory))
        .hasMessageEndingWith(
            "b.yml:1: id 'deep-water' is already used at " + directory.resolve("a.yaml") + ":1");
  }
}
