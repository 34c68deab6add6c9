package org.citytwin.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.citytwin.fusion.TestDistrict.AFTERNOON;
import static org.citytwin.fusion.TestDistrict.reading;

import java.time.Duration;
import java.util.List;
import org.citytwin.fusion.rules.Rule;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;

/** The building blocks the shipped rules do not all use: windows and "near". */
class RuleLanguageTest {

  private final TestDistrict.MutableClock clock = new TestDistrict.MutableClock(AFTERNOON);

  private FusionEngine engineWith(String yaml) {
    List<Rule> rules = List.of(new RuleLoader().parse("test.yaml", yaml));
    return TestDistrict.engine(clock, rules);
  }

  @Test
  void aWindowSumFiresOnceTheRainOfAnHourAddsUp() {
    FusionEngine engine =
        engineWith(
            """
            id: hourly-rain
            kind: correlation
            incident: {type: rainstorm, severity: yellow, lead: water}
            scope: thing
            signals:
              - name: wet-hour
                definition: citytwin:rain-gauge:1.0.0
                value: features/rain/properties/counted
                window: {aggregate: sum, over: PT1H, above: 30}
            """);
    int fired = 0;
    for (int minute = 0; minute < 60; minute += 10) {
      fired +=
          engine
              .observe(
                  reading(
                      "weather:rg-1",
                      "citytwin:rain-gauge:1.0.0",
                      TestDistrict.WEST_CATCHMENT,
                      "features/rain/properties/counted",
                      JsonValue.of(6.0),
                      AFTERNOON.plus(Duration.ofMinutes(minute))))
              .size();
      if (minute < 50) {
        assertThat(fired).as("after %d mm", (minute / 10 + 1) * 6).isZero();
      }
    }
    assertThat(fired).isEqualTo(1); // 36 mm in the hour
  }

  @Test
  void nearCountsOnlyTwinsWithinTheDistanceOfATwinOfAnotherDefinition() {
    FusionEngine engine =
        engineWith(
            """
            id: smoke-near-pv
            kind: correlation
            incident: {type: fire-risk, severity: orange, lead: emergency}
            scope: thing
            signals:
              - name: smoke
                definition: citytwin:ai-camera:1.0.0
                value: features/detection/properties/scene
                equals: smoke
                near: {definition: "citytwin:smart-meter:1.0.0", metres: 200}
            """);
    engine.know(
        ThingId.of("energy:meter-1"), "citytwin:smart-meter:1.0.0", new WgsPoint(120.15, 30.30));
    // 0.001 degrees of latitude is 111 m: near; 0.003 is 333 m: not near
    assertThat(
            engine.observe(
                reading(
                    "urban:cam-far",
                    "citytwin:ai-camera:1.0.0",
                    new WgsPoint(120.15, 30.303),
                    "features/detection/properties/scene",
                    JsonValue.of("smoke"),
                    AFTERNOON)))
        .isEmpty();
    assertThat(
            engine.observe(
                reading(
                    "urban:cam-near",
                    "citytwin:ai-camera:1.0.0",
                    new WgsPoint(120.15, 30.301),
                    "features/detection/properties/scene",
                    JsonValue.of("smoke"),
                    AFTERNOON)))
        .hasSize(1);
  }

  @Test
  void replacingRulesKeepsTheStateOfUnchangedOnes() {
    String rising =
        """
        id: rising
        kind: correlation
        incident: {type: rise, severity: yellow, lead: water}
        scope: thing
        signals:
          - name: up
            definition: citytwin:water-level-gauge:1.0.0
            value: features/level/properties/level
            rise: {above: 0.5, within: PT1H}
        """;
    FusionEngine engine = engineWith(rising);
    engine.observe(
        reading(
            "water:rl-1",
            "citytwin:water-level-gauge:1.0.0",
            TestDistrict.WEST_CATCHMENT,
            "features/level/properties/level",
            JsonValue.of(3.0),
            AFTERNOON));
    engine.replaceRules(List.of(new RuleLoader().parse("test.yaml", rising)));
    assertThat(
            engine.observe(
                reading(
                    "water:rl-1",
                    "citytwin:water-level-gauge:1.0.0",
                    TestDistrict.WEST_CATCHMENT,
                    "features/level/properties/level",
                    JsonValue.of(3.6),
                    AFTERNOON.plus(Duration.ofMinutes(30)))))
        .hasSize(1);
  }
}
