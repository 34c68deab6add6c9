package org.citytwin.ingest.clean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ThingModelCatalogue;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;

class ReadingCleanerTest {

  private static final ThingId GAUGE = ThingId.of("water:wlg-0001");
  private static final ThingId OTHER = ThingId.of("water:wlg-0002");
  private static final Instant T0 = Instant.parse("2026-07-14T08:00:00Z");

  /** Depth may change 0.3 m a minute; the same non-zero depth for 6 h means a frozen sensor. */
  private final ReadingCleaner cleaner =
      new ReadingCleaner(
          CleaningRules.parse(
              "waterlogging/depth: {maxChangePerMinute: 0.3, stuckAfter: PT6H,"
                  + " restingValues: [0]}"));

  private static Reading depth(ThingId gauge, Instant at, double metres) {
    return new Reading(gauge, "waterlogging", "depth", metres, CanonicalUnit.METRE, at);
  }

  /** Cleans one reading arriving a second after it was observed. */
  private Reading clean(Reading reading) {
    List<Reading> kept =
        cleaner.clean(List.of(reading), reading.observedAt().plusSeconds(1)).kept();
    assertThat(kept).hasSize(1);
    return kept.get(0);
  }

  @Test
  void aSteadyRiseIsGood() {
    for (int minute = 0; minute < 10; minute++) {
      Reading reading = clean(depth(GAUGE, T0.plusSeconds(60L * minute), 0.1 * minute));
      assertThat(reading.quality()).isEmpty();
      assertThat(reading.updatesTwin()).isTrue();
    }
  }

  @Test
  void aJumpTheNextReadingDoesNotConfirmIsASpikeAndLeavesTheTwinAlone() {
    clean(depth(GAUGE, T0, 0.10));
    Reading spike = clean(depth(GAUGE, T0.plusSeconds(60), 2.50));
    Reading back = clean(depth(GAUGE, T0.plusSeconds(120), 0.12));

    assertThat(spike.quality()).containsExactly(QualityFlag.SPIKE);
    assertThat(spike.updatesTwin()).isFalse();
    assertThat(back.quality()).isEmpty();
  }

  @Test
  void aJumpTheNextReadingConfirmsIsARealChangeOfLevel() {
    clean(depth(GAUGE, T0, 0.10));
    Reading jump = clean(depth(GAUGE, T0.plusSeconds(60), 1.50));
    Reading confirmed = clean(depth(GAUGE, T0.plusSeconds(120), 1.55));
    Reading after = clean(depth(GAUGE, T0.plusSeconds(180), 1.60));

    assertThat(jump.quality()).containsExactly(QualityFlag.SPIKE);
    assertThat(confirmed.quality()).isEmpty();
    assertThat(after.quality()).isEmpty();
  }

  @Test
  void theAllowedChangeGrowsWithTheGapBetweenReadings() {
    clean(depth(GAUGE, T0, 0.10));
    // 1.2 m in 10 minutes is within 0.3 m a minute.
    assertThat(clean(depth(GAUGE, T0.plusSeconds(600), 1.30)).quality()).isEmpty();
  }

  @Test
  void theSameValueForLongerThanTheRuleAllowsIsStuck() {
    Reading first = clean(depth(GAUGE, T0, 0.42));
    Reading within = clean(depth(GAUGE, T0.plus(Duration.ofHours(6)), 0.42));
    Reading beyond = clean(depth(GAUGE, T0.plus(Duration.ofHours(6)).plusSeconds(60), 0.42));
    Reading moved = clean(depth(GAUGE, T0.plus(Duration.ofHours(7)), 0.43));

    assertThat(first.quality()).isEmpty();
    assertThat(within.quality()).isEmpty();
    assertThat(beyond.quality()).containsExactly(QualityFlag.STUCK);
    // A stuck value is still the sensor's latest word: the screen should show it, flagged.
    assertThat(beyond.updatesTwin()).isTrue();
    assertThat(moved.quality()).isEmpty();
  }

  @Test
  void aRestingValueIsNeverStuck() {
    clean(depth(GAUGE, T0, 0));
    assertThat(clean(depth(GAUGE, T0.plus(Duration.ofDays(3)), 0)).quality()).isEmpty();
  }

  @Test
  void aRepeatOfAReadingAlreadyTakenIsLeftOutAndCounted() {
    Reading reading = depth(GAUGE, T0, 0.3);
    cleaner.clean(List.of(reading), T0);

    ReadingCleaner.Cleaned again =
        cleaner.clean(List.of(reading, depth(GAUGE, T0.plusSeconds(60), 0.31)), T0.plusSeconds(61));

    assertThat(again.duplicates()).isEqualTo(1);
    assertThat(again.kept()).containsExactly(depth(GAUGE, T0.plusSeconds(60), 0.31));
  }

  @Test
  void theSameTimeOnAnotherSeriesIsNoRepeat() {
    ReadingCleaner.Cleaned cleaned =
        cleaner.clean(List.of(depth(GAUGE, T0, 0.3), depth(OTHER, T0, 0.3)), T0);
    assertThat(cleaned.duplicates()).isZero();
    assertThat(cleaned.kept()).hasSize(2);
  }

  @Test
  void forgottenReadingsAreNoRepeatsWhenResent() {
    Reading reading = depth(GAUGE, T0, 0.3);
    List<Reading> kept = cleaner.clean(List.of(reading), T0).kept();
    cleaner.forget(kept);

    ReadingCleaner.Cleaned resent = cleaner.clean(List.of(reading), T0.plusSeconds(5));

    assertThat(resent.duplicates()).isZero();
    assertThat(resent.kept()).containsExactly(reading);
  }

  @Test
  void anOlderReadingThanOneAppliedIsKeptForHistoryButNeverRollsTheTwinBack() {
    clean(depth(GAUGE, T0.plusSeconds(120), 0.5));
    Reading older = clean(depth(GAUGE, T0.plusSeconds(60), 0.4));

    assertThat(older.quality()).containsExactly(QualityFlag.OUT_OF_ORDER);
    assertThat(older.updatesTwin()).isFalse();
  }

  @Test
  void aReadingObservedLongBeforeItArrivedIsLateButStillTheNewest() {
    Reading reading = depth(GAUGE, T0, 0.3);
    Reading late =
        cleaner
            .clean(List.of(reading), T0.plus(ReadingCleaner.LATE_AFTER).plusSeconds(1))
            .kept()
            .get(0);

    assertThat(late.quality()).containsExactly(QualityFlag.LATE);
    assertThat(late.updatesTwin()).isTrue();
  }

  @Test
  void aReadingFromTheFutureFlagsTheDevicesClockAndDoesNotBlockLaterOnes() {
    Reading ahead =
        cleaner.clean(List.of(depth(GAUGE, T0.plus(Duration.ofHours(1)), 0.3)), T0).kept().get(0);
    Reading next = clean(depth(GAUGE, T0.plusSeconds(60), 0.3));

    assertThat(ahead.quality()).containsExactly(QualityFlag.CLOCK_AHEAD);
    assertThat(ahead.updatesTwin()).isFalse();
    assertThat(next.quality()).isEmpty();
  }

  @Test
  void keepsTheReadingsCategory() {
    Reading classified = depth(GAUGE, T0, 0.3).classifiedAs("waterlogging-point");
    assertThat(clean(classified).category()).isEqualTo("waterlogging-point");
  }

  @Test
  void judgesOneSeriesAtATimeUnderConcurrentUse() throws Exception {
    ReadingCleaner shared = new ReadingCleaner(CleaningRules.none());
    List<Reading> readings = new ArrayList<>();
    // 5,000 gauges, 4 readings each: fewer than a series remembers, so any repeat is caught.
    for (int gauge = 0; gauge < 5_000; gauge++) {
      for (int i = 0; i < 4; i++) {
        readings.add(depth(ThingId.of("water:wlg-" + gauge), T0.plusMillis(i), 0.1));
      }
    }
    int[] kept = new int[2];
    Thread[] threads = new Thread[2];
    for (int t = 0; t < 2; t++) {
      int index = t;
      threads[t] =
          new Thread(
              () -> {
                for (Reading reading : readings) {
                  kept[index] += shared.clean(List.of(reading), T0).kept().size();
                }
              });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    // Each reading was offered twice; exactly one of the two offers took it.
    assertThat(kept[0] + kept[1]).isEqualTo(readings.size());
  }

  @Test
  void refusesMalformedRulesByName() {
    assertThatThrownBy(() -> CleaningRules.parse("depth: {maxChangePerMinute: 1}"))
        .hasMessageContaining("feature/property");
    assertThatThrownBy(() -> CleaningRules.parse("waterlogging/depth: {stuckAfter: 6h}"))
        .hasMessageContaining("waterlogging/depth")
        .hasMessageContaining("ISO-8601");
    assertThatThrownBy(() -> CleaningRules.parse("waterlogging/depth: {maxChange: 1}"))
        .hasMessageContaining("unknown key 'maxChange'");
    assertThatThrownBy(() -> CleaningRules.parse("waterlogging/depth: {maxChangePerMinute: -1}"))
        .hasMessageContaining("positive");
  }

  @Test
  void everyShippedRuleNamesAFeaturePropertyOfADeviceModel() {
    ThingModelCatalogue catalogue = ThingModelCatalogue.shipped();
    Set<String> modelled = new java.util.HashSet<>();
    catalogue
        .all()
        .values()
        .forEach(
            model -> {
              JsonObject features =
                  new JsonObject(model.toString()).getJsonObject("citytwin:features");
              if (features != null) {
                features.forEach(
                    feature ->
                        ((JsonObject) feature.getValue())
                            .getJsonObject("properties", new JsonObject())
                            .fieldNames()
                            .forEach(property -> modelled.add(feature.getKey() + "/" + property)));
              }
            });
    assertThat(CleaningRules.shipped().properties()).isNotEmpty().isSubsetOf(modelled);
  }

  @Test
  void aStatedValueIsNeverASpikeOrStuckButARepeatIsStillLeftOut() {
    ThingId lamp = ThingId.of("urban:lamp-0001");
    ReadingCleaner lamps =
        new ReadingCleaner(
            CleaningRules.parse("lamp/fault: {maxChangePerMinute: 0.1, stuckAfter: PT1M}"));
    Reading healthy =
        new Reading(lamp, "lamp", "fault", org.eclipse.ditto.json.JsonValue.of(""), T0);
    Reading faulty =
        new Reading(
            lamp,
            "lamp",
            "fault",
            org.eclipse.ditto.json.JsonValue.of("over-voltage"),
            T0.plusSeconds(60));
    Reading stillFaulty =
        new Reading(
            lamp,
            "lamp",
            "fault",
            org.eclipse.ditto.json.JsonValue.of("over-voltage"),
            T0.plusSeconds(7200));

    assertThat(lamps.clean(List.of(healthy), T0).kept()).containsExactly(healthy);
    assertThat(lamps.clean(List.of(faulty), T0.plusSeconds(60)).kept())
        .as("no spike: a fault code has no rate of change")
        .containsExactly(faulty);
    ReadingCleaner.Cleaned later = lamps.clean(List.of(stillFaulty, faulty), T0.plusSeconds(7200));

    assertThat(later.kept()).as("not stuck: a fault may rightly last").containsExactly(stillFaulty);
    assertThat(later.duplicates()).isEqualTo(1);
  }
}
