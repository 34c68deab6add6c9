package org.citytwin.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.citytwin.twin.ThingChange;
import org.citytwin.twin.ThingChanges;
import org.citytwin.twin.ThingJournal;
import org.citytwin.twin.Twin;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Storage} must do, run against each backend by a subclass: readings by time
 * range, and a twin journal that recovers exactly what was committed.
 */
abstract class StorageContract {

  static final ThingId GAUGE = ThingId.of("water", "wlg-0001");
  static final ThingId OTHER = ThingId.of("water", "wlg-0002");
  static final Instant T0 = Instant.parse("2026-07-14T08:00:00Z");

  protected Storage storage;

  /** A fresh, empty storage. */
  abstract Storage open() throws Exception;

  /** The same storage, closed and opened again as after a restart. */
  abstract Storage reopen() throws Exception;

  @BeforeEach
  void openStorage() throws Exception {
    storage = open();
  }

  @AfterEach
  void closeStorage() {
    storage.close();
  }

  /** The gauge's depths from {@code from} until {@code to}, as a range query answers them. */
  List<Reading> gaugeDepths(Instant from, Instant to, int limit) {
    return storage
        .readings()
        .range(new RangeQuery(GAUGE, "waterlogging", "depth", from, to, limit));
  }

  static Reading depth(ThingId thing, Instant at, double metres) {
    return new Reading(thing, "waterlogging", "depth", metres, CanonicalUnit.METRE, at);
  }

  @Test
  void returnsOneThingsPropertyInTimeOrderWithinHalfOpenRange() {
    HistoryStore readings = storage.readings();
    readings.append(
        List.of(
            depth(GAUGE, T0.plusSeconds(20), 0.3),
            depth(GAUGE, T0, 0.1),
            depth(OTHER, T0.plusSeconds(5), 0.9),
            depth(GAUGE, T0.plusSeconds(10), 0.2),
            depth(GAUGE, T0.plusSeconds(30), 0.4)));

    List<Reading> range =
        readings.range(new RangeQuery(GAUGE, "waterlogging", "depth", T0, T0.plusSeconds(30), 100));

    assertThat(range)
        .extracting(Reading::value)
        .containsExactly(metres(0.1), metres(0.2), metres(0.3));
    assertThat(range.get(0)).isEqualTo(depth(GAUGE, T0, 0.1));
    assertThat(
            readings.range(
                new RangeQuery(GAUGE, "waterlogging", "depth", T0, T0.plusSeconds(60), 2)))
        .extracting(Reading::value)
        .containsExactly(metres(0.1), metres(0.2));
  }

  private static ReadingValue metres(double metres) {
    return new ReadingValue.Numeric(metres);
  }

  @Test
  void keepsStatedValuesBesideNumbersAsTheirJson() {
    ThingId drone = ThingId.of("urban:drone-det-0001");
    JsonObject footprint =
        JsonFactory.newObject(
            "{\"type\":\"Polygon\",\"coordinates\":[[[120.1,30.2],[120.2,30.2],[120.2,30.3],[120.1,30.2]]]}");
    List<Reading> readings =
        List.of(
            new Reading(drone, "detection", "kind", JsonValue.of("hot-spot"), T0),
            new Reading(drone, "detection", "footprint", footprint, T0),
            new Reading(drone, "detection", "confidence", 0.87, CanonicalUnit.DIMENSIONLESS, T0),
            new Reading(drone, "detection", "kind", JsonValue.of(true), T0.plusSeconds(1)));
    storage.readings().append(readings);

    assertThat(
            storage
                .readings()
                .range(new RangeQuery(drone, "detection", "kind", T0, T0.plusSeconds(60), 10)))
        .containsExactly(readings.get(0), readings.get(3));
    Reading stored =
        storage
            .readings()
            .range(new RangeQuery(drone, "detection", "footprint", T0, T0.plusSeconds(60), 10))
            .get(0);
    assertThat(stored).isEqualTo(readings.get(1));
    assertThat(stored.unit()).isEqualTo(CanonicalUnit.NONE);
    assertThat(
            storage
                .readings()
                .range(
                    new RangeQuery(drone, "detection", "confidence", T0, T0.plusSeconds(60), 10)))
        .containsExactly(readings.get(2));
  }

  @Test
  void summarisesNumbersInBucketsLeavingOutSpikesAndStatedValues() {
    List<Reading> readings = new ArrayList<>();
    for (int second = 0; second < 180; second++) {
      // Minute 0: 0.00 .. 0.59 m, minute 1: 1.00 .. 1.59 m, minute 2: 2.00 .. 2.59 m.
      readings.add(depth(GAUGE, T0.plusSeconds(second), second / 60 + (second % 60) / 100.0));
    }
    readings.add(
        depth(GAUGE, T0.plusSeconds(30).plusMillis(500), 9.0)
            .withQuality(Set.of(QualityFlag.SPIKE)));
    readings.add(depth(OTHER, T0.plusSeconds(10), 5.0));
    readings.add(new Reading(GAUGE, "waterlogging", "depth", JsonValue.of("dry"), T0));
    storage.readings().append(readings);

    List<Bucket> buckets =
        storage
            .readings()
            .buckets(
                new BucketQuery(
                    GAUGE,
                    "waterlogging",
                    "depth",
                    T0,
                    T0.plus(Duration.ofMinutes(10)),
                    Duration.ofMinutes(1)));

    assertThat(buckets).hasSize(3);
    Bucket second = buckets.get(1);
    assertThat(second.start()).isEqualTo(T0.plusSeconds(60));
    assertThat(second.count()).isEqualTo(60);
    assertThat(second.min()).isEqualTo(1.0);
    assertThat(second.max()).isEqualTo(1 + 59 / 100.0);
    assertThat(second.avg()).isCloseTo(1.295, within(1e-9));
    assertThat(second.last()).isEqualTo(1 + 59 / 100.0);
    assertThat(buckets.get(0).count()).as("the spike and the stated value left out").isEqualTo(60);
    assertThat(buckets.get(0).max()).isEqualTo(0.59);
    assertThat(buckets.get(2).start()).isEqualTo(T0.plusSeconds(120));
  }

  @Test
  void givesEachThingsNewestTrustedReadingAsOfAnInstantInTheQuerysOrder() {
    ThingId third = ThingId.of("water", "wlg-0003");
    ThingId silent = ThingId.of("water", "wlg-0004");
    storage
        .readings()
        .append(
            List.of(
                depth(GAUGE, T0, 0.1),
                depth(GAUGE, T0.plusSeconds(60), 0.2),
                depth(GAUGE, T0.plusSeconds(120), 0.3),
                depth(OTHER, T0.plusSeconds(30), 0.5),
                depth(OTHER, T0.plusSeconds(90), 7.0).withQuality(Set.of(QualityFlag.SPIKE)),
                depth(third, T0.minus(Duration.ofDays(3)), 0.9)));

    List<Reading> latest =
        storage
            .readings()
            .latest(
                new LatestQuery(
                    List.of(OTHER, silent, GAUGE, third),
                    "waterlogging",
                    "depth",
                    T0.plusSeconds(100),
                    Duration.ofDays(1)));

    assertThat(latest)
        .as("as of T0+100 s; the spike left out; the third gauge too old, the fourth silent")
        .containsExactly(
            depth(OTHER, T0.plusSeconds(30), 0.5), depth(GAUGE, T0.plusSeconds(60), 0.2));
    assertThat(
            storage
                .readings()
                .latest(
                    new LatestQuery(
                        List.of(third), "waterlogging", "depth", T0, Duration.ofDays(7))))
        .extracting(Reading::value)
        .containsExactly(metres(0.9));
  }

  @Test
  void joinsLongitudeAndLatitudeFixesIntoATrajectory() {
    ThingId truck = ThingId.of("urban", "muck-truck-0007");
    List<Reading> fixes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Instant at = T0.plusSeconds(10L * i);
      fixes.add(position(truck, "longitude", at, 120.10 + i * 0.001));
      fixes.add(position(truck, "latitude", at, 30.20 + i * 0.001));
    }
    fixes.add(position(truck, "longitude", T0.plusSeconds(55), 121.0));
    fixes.add(
        position(truck, "latitude", T0.plusSeconds(20), 31.5)
            .withQuality(Set.of(QualityFlag.SPIKE)));
    storage.readings().append(fixes);

    List<TrackPoint> track =
        storage
            .readings()
            .trajectory(new TrajectoryQuery(truck, "position", T0, T0.plusSeconds(3600), 100));

    assertThat(track)
        .as("a longitude without its latitude is no fix; the spiked latitude does not count")
        .hasSize(5);
    assertThat(track.get(0)).isEqualTo(new TrackPoint(T0, 120.10, 30.20));
    assertThat(track.get(2).latitude()).isCloseTo(30.202, within(1e-12));
    assertThat(track.get(4).at()).isEqualTo(T0.plusSeconds(40));
    assertThat(
            storage
                .readings()
                .trajectory(new TrajectoryQuery(truck, "position", T0, T0.plusSeconds(3600), 2)))
        .hasSize(2);
  }

  static Reading position(ThingId thing, String axis, Instant at, double degrees) {
    return new Reading(thing, "position", axis, degrees, CanonicalUnit.DEGREE, at);
  }

  @Test
  void exportsEveryReadingOfARangeInTimeOrderAcrossDays() {
    List<Reading> readings = new ArrayList<>();
    for (int minute = 0; minute < 3 * 24 * 60; minute += 7) {
      readings.add(
          depth(minute % 2 == 0 ? GAUGE : OTHER, T0.plus(Duration.ofMinutes(minute)), minute));
    }
    readings.add(
        new Reading(GAUGE, "waterlogging", "state", JsonValue.of("dry"), T0.plusSeconds(1)));
    storage.readings().append(readings);
    List<Reading> sorted =
        readings.stream().sorted(java.util.Comparator.comparing(Reading::observedAt)).toList();

    List<Reading> everything = new ArrayList<>();
    long count =
        storage
            .readings()
            .export(
                new ExportQuery(T0.minus(Duration.ofDays(30)), T0.plus(Duration.ofDays(30)), null),
                everything::addAll);
    assertThat(count).isEqualTo(readings.size());
    assertThat(everything).containsExactlyElementsOf(sorted);

    Instant from = T0.plus(Duration.ofHours(20));
    Instant to = T0.plus(Duration.ofHours(50));
    List<Reading> gaugeOnly = new ArrayList<>();
    storage
        .readings()
        .export(new ExportQuery(from, to, java.util.Optional.of(GAUGE)), gaugeOnly::addAll);
    assertThat(gaugeOnly)
        .containsExactlyElementsOf(
            sorted.stream()
                .filter(r -> r.thingId().equals(GAUGE))
                .filter(r -> !r.observedAt().isBefore(from) && r.observedAt().isBefore(to))
                .toList());
  }

  @Test
  void rollsExpiredDaysIntoMinuteAggregatesThatStillAnswerBuckets() {
    Instant dayOne = T0.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    List<Reading> readings = new ArrayList<>();
    for (int day = 0; day < 4; day++) {
      for (int second = 0; second < 600; second += 5) {
        readings.add(
            depth(
                GAUGE,
                dayOne.plus(Duration.ofDays(day)).plusSeconds(second),
                day + second / 1000.0));
      }
    }
    readings.add(depth(GAUGE, dayOne.plusSeconds(7), 50.0).withQuality(Set.of(QualityFlag.SPIKE)));
    readings.add(new Reading(GAUGE, "waterlogging", "state", JsonValue.of("dry"), dayOne));
    storage.readings().append(readings);
    BucketQuery tenMinutes =
        new BucketQuery(
            GAUGE,
            "waterlogging",
            "depth",
            dayOne,
            dayOne.plus(Duration.ofDays(4)),
            Duration.ofMinutes(10));
    List<Bucket> before = storage.readings().buckets(tenMinutes);

    // Four days stored; at noon of the day after them, 2 days raw leaves the first two expired.
    Instant now = dayOne.plus(Duration.ofDays(4)).plus(Duration.ofHours(12));
    RetentionOutcome outcome =
        storage
            .readings()
            .retain(new RetentionPolicy(Duration.ofDays(2), Duration.ofDays(30)), now);

    assertThat(outcome.rawRowsRemoved())
        .as("two days of 120 readings, the spike and the state")
        .isEqualTo(242);
    assertThat(outcome.minutesWritten()).isEqualTo(20);
    assertThat(storage.readings().count()).isEqualTo(240);
    assertThat(
            storage
                .readings()
                .range(new RangeQuery(GAUGE, "waterlogging", "depth", dayOne, now, 1000)))
        .extracting(Reading::observedAt)
        .allMatch(at -> !at.isBefore(dayOne.plus(Duration.ofDays(2))));
    List<Bucket> after = storage.readings().buckets(tenMinutes);
    assertThat(after).hasSameSizeAs(before).hasSize(4);
    for (int i = 0; i < before.size(); i++) {
      assertThat(after.get(i).start()).isEqualTo(before.get(i).start());
      assertThat(after.get(i).count()).isEqualTo(before.get(i).count());
      assertThat(after.get(i).min()).isEqualTo(before.get(i).min());
      assertThat(after.get(i).max()).isEqualTo(before.get(i).max());
      assertThat(after.get(i).avg()).isCloseTo(before.get(i).avg(), within(1e-9));
      assertThat(after.get(i).last()).isEqualTo(before.get(i).last());
    }

    RetentionOutcome later =
        storage
            .readings()
            .retain(
                new RetentionPolicy(Duration.ofDays(2), Duration.ofDays(23)),
                now.plus(Duration.ofDays(20)));
    assertThat(later.rawRowsRemoved()).as("the last two days expire too").isEqualTo(240);
    assertThat(later.minutesRemoved()).as("only the first day is older than 23 days").isEqualTo(10);
    assertThat(storage.readings().count()).isZero();
    assertThat(storage.readings().buckets(tenMinutes))
        .extracting(Bucket::count)
        .containsExactly(120L, 120L, 120L);
  }

  @Test
  void answersClosedDaysFromMinuteSummariesWithEveryReadingCountedOnce() throws Exception {
    Instant dayOne = T0.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    List<Reading> readings = new ArrayList<>();
    for (int second = 0; second < 2 * 86_400; second += 7) {
      readings.add(depth(GAUGE, dayOne.plusSeconds(second), (second * 37 % 1000) / 100.0));
      readings.add(depth(OTHER, dayOne.plusSeconds(second), 1.0));
    }
    readings.add(depth(GAUGE, dayOne.plusSeconds(3), 99.0).withQuality(Set.of(QualityFlag.SPIKE)));
    readings.add(new Reading(GAUGE, "waterlogging", "depth", JsonValue.of("dry"), dayOne));
    storage.readings().append(readings);
    Instant end = dayOne.plus(Duration.ofDays(2));
    // Whole minutes (a summary answers them) and buckets that cut minutes (it cannot).
    BucketQuery minutes =
        new BucketQuery(GAUGE, "waterlogging", "depth", dayOne, end, Duration.ofMinutes(1));
    BucketQuery quarters =
        new BucketQuery(GAUGE, "waterlogging", "depth", dayOne, end, Duration.ofMinutes(15));
    BucketQuery cutMinutes =
        new BucketQuery(
            GAUGE, "waterlogging", "depth", dayOne.plusSeconds(30), end, Duration.ofSeconds(90));
    List<Bucket> minutesBefore = storage.readings().buckets(minutes);
    List<Bucket> quartersBefore = storage.readings().buckets(quarters);
    List<Bucket> cutBefore = storage.readings().buckets(cutMinutes);

    // Both days closed: compaction rewrites and summarises them.
    storage.readings().compact(end.plus(HistoryStore.DAY_CLOSES_AFTER));

    assertSameBuckets(storage.readings().buckets(minutes), minutesBefore);
    assertSameBuckets(storage.readings().buckets(quarters), quartersBefore);
    assertSameBuckets(storage.readings().buckets(cutMinutes), cutBefore);

    // A late number of a summarised day counts once either way; a late spike or state not at all.
    Instant lateAt = dayOne.plusSeconds(600 + 59);
    storage
        .readings()
        .append(
            List.of(
                depth(GAUGE, lateAt, 42.0),
                depth(GAUGE, lateAt.minusSeconds(1), 77.0).withQuality(Set.of(QualityFlag.SPIKE)),
                new Reading(GAUGE, "waterlogging", "depth", JsonValue.of("wet"), lateAt)));
    Bucket tenthMinute = bucketAt(storage.readings().buckets(minutes), dayOne.plusSeconds(600));
    Bucket tenthBefore = bucketAt(minutesBefore, dayOne.plusSeconds(600));
    assertThat(tenthMinute.count()).isEqualTo(tenthBefore.count() + 1);
    assertThat(tenthMinute.max()).isEqualTo(42.0);
    assertThat(tenthMinute.last()).as("the latest reading of its minute").isEqualTo(42.0);
    assertThat(tenthMinute.min()).isEqualTo(tenthBefore.min());
    assertThat(total(storage.readings().buckets(cutMinutes))).isEqualTo(total(cutBefore) + 1);
    assertThat(total(storage.readings().buckets(quarters))).isEqualTo(total(quartersBefore) + 1);

    // After a restart the summaries are still known, and still not counted twice.
    storage.close();
    storage = reopen();
    List<Bucket> minutesWithLate = storage.readings().buckets(minutes);
    assertThat(total(minutesWithLate)).isEqualTo(total(minutesBefore) + 1);
    assertThat(total(storage.readings().buckets(cutMinutes))).isEqualTo(total(cutBefore) + 1);

    // Expiring a summarised day writes no second summary; its numbers still count once.
    Instant dayThree = end.plus(Duration.ofHours(12));
    RetentionOutcome outcome =
        storage
            .readings()
            .retain(new RetentionPolicy(Duration.ofDays(1), Duration.ofDays(30)), dayThree);
    assertThat(outcome.rawRowsRemoved())
        .as("day one's samples, the late three among them")
        .isPositive();
    assertThat(outcome.minutesWritten()).as("the summary was written at compaction").isZero();
    assertSameBuckets(storage.readings().buckets(minutes), minutesWithLate);
    // Buckets that cut minutes take an expired day's minutes by their start, as retention has
    // always answered: the readings of the minute begun before 00:00:30 fall outside.
    long fromMinuteOne =
        minutesWithLate.stream()
            .filter(bucket -> !bucket.start().isBefore(cutMinutes.from()))
            .mapToLong(Bucket::count)
            .sum();
    assertThat(total(storage.readings().buckets(cutMinutes))).isEqualTo(fromMinuteOne);

    // A late number of the expired day is counted from its minute row, once.
    storage.readings().append(List.of(depth(GAUGE, dayOne.plusSeconds(125), 0.5)));
    assertThat(total(storage.readings().buckets(minutes))).isEqualTo(total(minutesBefore) + 2);
    assertThat(total(storage.readings().buckets(cutMinutes))).isEqualTo(fromMinuteOne + 1);
  }

  private static long total(List<Bucket> buckets) {
    return buckets.stream().mapToLong(Bucket::count).sum();
  }

  private static Bucket bucketAt(List<Bucket> buckets, Instant start) {
    return buckets.stream()
        .filter(bucket -> bucket.start().equals(start))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no bucket at " + start));
  }

  private static void assertSameBuckets(List<Bucket> actual, List<Bucket> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      Bucket got = actual.get(i);
      Bucket want = expected.get(i);
      assertThat(got.start()).isEqualTo(want.start());
      assertThat(got.count()).as("count at %s", want.start()).isEqualTo(want.count());
      assertThat(got.min()).isEqualTo(want.min());
      assertThat(got.max()).isEqualTo(want.max());
      assertThat(got.avg()).isCloseTo(want.avg(), within(1e-9));
      assertThat(got.last()).isEqualTo(want.last());
    }
  }

  @Test
  void compactsEachClosedDayOnceKeepingEveryReading() {
    Instant dayOne = T0.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    List<Reading> readings = new ArrayList<>();
    for (int second = 0; second < 3 * 86_400; second += 600) {
      readings.add(depth(GAUGE, dayOne.plusSeconds(second), second / 86_400.0));
      readings.add(depth(OTHER, dayOne.plusSeconds(second), -second / 86_400.0));
    }
    storage.readings().append(readings);
    List<Reading> before = new ArrayList<>();
    storage
        .readings()
        .export(new ExportQuery(dayOne, dayOne.plus(Duration.ofDays(3)), null), before::addAll);

    Instant thirdDay = dayOne.plus(Duration.ofDays(2)).plus(HistoryStore.DAY_CLOSES_AFTER);
    assertThat(storage.readings().compact(thirdDay)).as("the two closed days").isEqualTo(2);
    assertThat(storage.readings().compact(thirdDay)).as("each only once").isZero();
    storage.readings().append(List.of(depth(GAUGE, dayOne.plusSeconds(1), 9.0)));

    List<Reading> after = new ArrayList<>();
    storage
        .readings()
        .export(new ExportQuery(dayOne, dayOne.plus(Duration.ofDays(3)), null), after::addAll);
    assertThat(after).hasSize(before.size() + 1).containsAll(before);
    assertThat(gaugeDepths(dayOne, dayOne.plus(Duration.ofDays(3)), 1000))
        .as("one gauge's readings, oldest first, the late one among them")
        .hasSize(3 * 144 + 1)
        .isSortedAccordingTo(java.util.Comparator.comparing(Reading::observedAt));
  }

  private static List<Reading> arrowRange(
      Storage storage, RangeQuery query, org.apache.arrow.memory.BufferAllocator allocator)
      throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    storage.readings().rangeAsArrow(query, allocator, java.nio.channels.Channels.newChannel(out));
    List<Reading> readings = new ArrayList<>();
    try (org.citytwin.history.arrow.ReadingArrowReader reader =
        org.citytwin.history.arrow.ReadingArrowReader.open(
            new org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel(
                out.toByteArray()),
            allocator)) {
      for (var batch = reader.next((row, why) -> fail("row " + row + ": " + why));
          batch.isPresent();
          batch = reader.next((row, why) -> fail("row " + row + ": " + why))) {
        readings.addAll(batch.get());
      }
    }
    return readings;
  }

  @Test
  void answersARangeAsArrowWithTheSameReadings() throws Exception {
    ThingId drone = ThingId.of("urban:drone-det-0001");
    List<Reading> readings = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      readings.add(
          new Reading(
                  drone,
                  "detection",
                  "confidence",
                  i / 100.0,
                  CanonicalUnit.DIMENSIONLESS,
                  T0.plusMillis(i))
              .classifiedAs("drone-flight")
              .withQuality(i % 10 == 0 ? Set.of(QualityFlag.LATE, QualityFlag.SPIKE) : Set.of()));
    }
    readings.add(
        new Reading(drone, "detection", "confidence", JsonValue.of("unsure"), T0.plusSeconds(1)));
    storage.readings().append(readings);
    RangeQuery query =
        new RangeQuery(drone, "detection", "confidence", T0, T0.plusSeconds(60), 1000);

    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (org.apache.arrow.memory.BufferAllocator allocator =
        new org.apache.arrow.memory.RootAllocator()) {
      List<Reading> fromArrow = arrowRange(storage, query, allocator);
      assertThat(fromArrow).containsExactlyElementsOf(storage.readings().range(query)).hasSize(101);

      // Ranges of numbers only, of one series and of two: stores may send fewer columns for them.
      ThingId gauge = ThingId.of("water:wlg-arrow-0001");
      List<Reading> numbers = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        Reading reading =
            new Reading(
                    gauge, "waterlogging", "depth", i / 50.0, CanonicalUnit.METRE, T0.plusMillis(i))
                .withQuality(i % 7 == 0 ? Set.of(QualityFlag.STUCK) : Set.of());
        numbers.add(i < 40 ? reading : reading.classifiedAs("waterlogging-point"));
      }
      storage.readings().append(numbers);
      RangeQuery twoSeries =
          new RangeQuery(gauge, "waterlogging", "depth", T0, T0.plusSeconds(60), 1000);
      assertThat(arrowRange(storage, twoSeries, allocator))
          .containsExactlyElementsOf(storage.readings().range(twoSeries))
          .containsExactlyElementsOf(numbers);
      RangeQuery oneSeries =
          new RangeQuery(gauge, "waterlogging", "depth", T0, T0.plusMillis(40), 1000);
      assertThat(arrowRange(storage, oneSeries, allocator))
          .containsExactlyElementsOf(numbers.subList(0, 40));
      out.reset();
      storage
          .readings()
          .rangeAsArrow(
              new RangeQuery(OTHER, "waterlogging", "depth", T0, T0.plusSeconds(1), 10),
              allocator,
              java.nio.channels.Channels.newChannel(out));
      assertThat(out.size()).as("an empty answer still names its columns").isPositive();

      assertThat(
              arrowRange(
                  storage,
                  new RangeQuery(
                      drone,
                      "detection",
                      "confidence",
                      T0.plusSeconds(60),
                      T0.plusSeconds(120),
                      10),
                  allocator))
          .as("a known series with nothing in the range")
          .isEmpty();
    }
  }

  @Test
  void keepsMicrosecondTimestamps() {
    Instant precise = Instant.parse("2026-07-14T08:00:00.123456Z");
    storage.readings().append(List.of(depth(GAUGE, precise, 0.1)));
    assertThat(
            storage
                .readings()
                .range(new RangeQuery(GAUGE, "waterlogging", "depth", T0, T0.plusSeconds(1), 1))
                .get(0)
                .observedAt())
        .isEqualTo(precise);
  }

  /**
   * A backend may write small and large commits by different paths (DuckDB: its Appender below
   * 4,000 rows, Arrow columns from there); what is read back must not tell them apart.
   */
  @Test
  void keepsEveryFieldAlikeInSmallAndLargeCommits() {
    ThingId drone = ThingId.of("urban:drone-det-0001");
    for (int rows : List.of(300, 6_000)) {
      Instant from = T0.plusSeconds(rows * 10L);
      List<Reading> readings = new ArrayList<>();
      for (int i = 0; i < rows; i++) {
        Instant at = from.plusMillis(i * 1_001L);
        readings.add(
            i % 7 == 3
                ? new Reading(drone, "detection", "kind", JsonValue.of("hot-spot-" + i), at)
                    .withQuality(Set.of(QualityFlag.LATE))
                : new Reading(drone, "detection", "kind", i / 8.0, CanonicalUnit.DIMENSIONLESS, at)
                    .classifiedAs("drone-patrol")
                    .withQuality(i % 5 == 0 ? Set.of(QualityFlag.SPIKE) : Set.of()));
      }
      storage.readings().append(readings);

      assertThat(
              storage
                  .readings()
                  .range(
                      new RangeQuery(
                          drone, "detection", "kind", from, from.plusSeconds(rows * 2L), 10_000)))
          .as("a commit of %d rows", rows)
          .containsExactlyElementsOf(readings);
    }
  }

  @Test
  void keepsEachReadingsCategoryAndQualityFlags() {
    Reading good = depth(GAUGE, T0, 0.1).classifiedAs("waterlogging-point");
    Reading doubtful =
        depth(GAUGE, T0.plusSeconds(60), 2.9)
            .classifiedAs("waterlogging-point")
            .withQuality(Set.of(QualityFlag.SPIKE, QualityFlag.LATE));
    Reading unclassified = depth(GAUGE, T0.plusSeconds(120), 0.1);
    storage.readings().append(List.of(good, doubtful, unclassified));

    assertThat(
            storage
                .readings()
                .range(
                    new RangeQuery(GAUGE, "waterlogging", "depth", T0, T0.plusSeconds(3600), 10)))
        .containsExactly(good, doubtful, unclassified);
  }

  @Test
  void keepsDeviceRegistrationsReplacedByTenantAndIdAcrossReopening() throws Exception {
    DeviceRegistrationStore devices = storage.devices();
    devices.putAll(
        List.of(
            new DeviceRegistrationStore.Registration("water", "wlg-2", "{\"v\":1}"),
            new DeviceRegistrationStore.Registration("water", "wlg-1", "{\"v\":1}"),
            new DeviceRegistrationStore.Registration("urban", "wlg-1", "{\"v\":1}")));
    devices.putAll(
        List.of(new DeviceRegistrationStore.Registration("water", "wlg-2", "{\"v\":2}")));
    assertThat(devices.remove("urban", "wlg-1")).isTrue();
    assertThat(devices.remove("urban", "wlg-1")).as("already gone").isFalse();

    storage = reopen();

    assertThat(storage.devices().all())
        .containsExactly(
            new DeviceRegistrationStore.Registration("water", "wlg-1", "{\"v\":1}"),
            new DeviceRegistrationStore.Registration("water", "wlg-2", "{\"v\":2}"));
  }

  @Test
  void committedReadingsSurviveReopening() throws Exception {
    List<Reading> readings = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      readings.add(depth(GAUGE, T0.plusSeconds(i), i / 1000.0));
    }
    storage.readings().append(readings);
    storage = reopen();
    assertThat(storage.readings().count()).isEqualTo(1_000);
    assertThat(
            storage
                .readings()
                .range(
                    new RangeQuery(
                        GAUGE, "waterlogging", "depth", T0, T0.plusSeconds(1_000), 10_000)))
        .containsExactlyElementsOf(readings);
  }

  private static Thing gauge(ThingId id) {
    return ThingsModelFactory.newThingBuilder()
        .setId(id)
        .setDefinition(ThingsModelFactory.newDefinition("citytwin:waterlogging-gauge:1.0.0"))
        .setAttribute(
            JsonPointer.of("location"),
            JsonFactory.newObject("{\"type\":\"Point\",\"coordinates\":[120.15,30.3]}"))
        .build();
  }

  /** Applies changes the way the twin service does, returning them for the journal. */
  private static final class Twins {
    final Map<ThingId, Twin> state = new java.util.HashMap<>();
    Instant clock = T0;

    ThingChange put(Thing thing) {
      return track(
          ThingChanges.put(
              state.get(thing.getEntityId().orElseThrow()), thing, clock = clock.plusMillis(1)));
    }

    ThingChange merge(ThingId id, String path, JsonValue value) {
      return track(
          ThingChanges.merge(
              id, state.get(id), JsonPointer.of(path), value, clock = clock.plusMillis(1)));
    }

    ThingChange delete(ThingId id) {
      return track(ThingChanges.delete(id, state.get(id), clock = clock.plusMillis(1)));
    }

    private ThingChange track(ThingChange change) {
      if (change.kind() == ThingChange.Kind.DELETED) {
        state.remove(change.thingId());
      } else {
        state.put(change.thingId(), change.twin());
      }
      return change;
    }
  }

  private static Map<ThingId, Thing> byId(List<Twin> twins) {
    return twins.stream().collect(Collectors.toMap(Twin::thingId, Twin::thing));
  }

  @Test
  void recoversExactlyTheJournaledThingsWithRevisionsAndTimestamps() throws Exception {
    Twins twins = new Twins();
    ThingJournal journal = storage.things();
    long first = journal.append(List.of(twins.put(gauge(GAUGE)), twins.put(gauge(OTHER))));
    long last =
        journal.append(
            List.of(
                twins.merge(GAUGE, "features/waterlogging/properties/depth", JsonValue.of(0.23)),
                twins.merge(GAUGE, "attributes/location", JsonFactory.nullLiteral()),
                twins.merge(GAUGE, "attributes/note", JsonValue.of("a\\b \"quoted\"\n\ttab, 雨")),
                twins.delete(OTHER)));
    assertThat(last).isEqualTo(first + 4);

    storage = reopen();
    Map<ThingId, Thing> recovered = byId(storage.things().recover().twins());

    assertThat(recovered).containsOnlyKeys(GAUGE);
    assertThat(recovered.get(GAUGE)).isEqualTo(twins.state.get(GAUGE).thing());
    assertThat(ThingChanges.revisionOf(recovered.get(GAUGE))).isEqualTo(4);
    assertThat(recovered.get(GAUGE).getAttributes().orElseThrow().getValue("location")).isEmpty();
    assertThat(storage.things().recover().lastSequence()).isEqualTo(last);
  }

  @Test
  void recoversFromSnapshotPlusTheJournalAfterIt() throws Exception {
    Twins twins = new Twins();
    ThingJournal journal = storage.things();
    journal.append(List.of(twins.put(gauge(GAUGE)), twins.put(gauge(OTHER))));
    long covered =
        journal.append(
            List.of(
                twins.merge(GAUGE, "features/waterlogging/properties/depth", JsonValue.of(0.1))));
    journal.snapshot(List.copyOf(twins.state.values()), covered);
    journal.append(
        List.of(
            twins.merge(GAUGE, "features/waterlogging/properties/depth", JsonValue.of(0.2)),
            twins.delete(OTHER)));
    journal.append(List.of(twins.put(gauge(OTHER))));

    storage = reopen();
    Map<ThingId, Thing> recovered = byId(storage.things().recover().twins());

    assertThat(recovered).containsOnlyKeys(GAUGE, OTHER);
    assertThat(recovered.get(GAUGE)).isEqualTo(twins.state.get(GAUGE).thing());
    assertThat(recovered.get(OTHER)).isEqualTo(twins.state.get(OTHER).thing());
    assertThat(ThingChanges.revisionOf(recovered.get(OTHER)))
        .as("re-created after deletion")
        .isEqualTo(1);
    long next =
        storage.things().append(List.of(twins.merge(GAUGE, "attributes/x", JsonValue.of(1))));
    assertThat(next).as("sequence numbers continue across restarts").isEqualTo(covered + 4);
  }

  @Test
  void appendsGoOnWhileSnapshotsAreWrittenAndRecoveryFindsEveryChange() throws Exception {
    // As the twin service does it: appends one after another, and now and then a snapshot of the
    // state at the last append, written on another thread while the appends go on.
    Twins twins = new Twins();
    ThingJournal journal = storage.things();
    List<ThingId> gauges = new ArrayList<>();
    List<ThingChange> created = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      ThingId id = ThingId.of("water", "wlg-" + i);
      gauges.add(id);
      created.add(twins.put(gauge(id)));
    }
    journal.append(created);
    java.util.concurrent.ExecutorService snapshotter =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<?> snapshot =
          java.util.concurrent.CompletableFuture.completedFuture(null);
      long last = 0;
      for (int commit = 0; commit < 60; commit++) {
        List<ThingChange> changes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          ThingId id = gauges.get((commit * 200 + i) % gauges.size());
          changes.add(
              twins.merge(id, "features/waterlogging/properties/depth", JsonValue.of(commit + i)));
        }
        last = journal.append(changes);
        if (commit % 10 == 5 && snapshot.isDone()) {
          snapshot.get();
          List<Twin> state = List.copyOf(twins.state.values());
          long covered = last;
          snapshot = snapshotter.submit(() -> journal.snapshot(state, covered));
        }
      }
      snapshot.get();
    } finally {
      snapshotter.shutdown();
    }

    storage = reopen();
    Map<ThingId, Thing> recovered = byId(storage.things().recover().twins());
    assertThat(recovered).hasSize(gauges.size());
    for (ThingId id : gauges) {
      assertThat(recovered.get(id)).as(id.toString()).isEqualTo(twins.state.get(id).thing());
    }
  }

  @Test
  void emptyStorageRecoversNothing() {
    assertThat(storage.things().recover().twins()).isEmpty();
  }

  @Test
  void keepsDeadLettersNewestFirstAcrossRestarts() throws Exception {
    Instant at = T0;
    storage
        .deadLetters()
        .append(
            List.of(
                new DeadLetter(at, "http", "/telemetry", "ingest:payload.malformed", "bad", "{x"),
                new DeadLetter(
                    at.plusSeconds(1),
                    "mqtt",
                    "telemetry",
                    "ingest:reading.implausible",
                    "50 m",
                    "{\"depth_cm\": 5000, \"note\": \"雨\\n\"}")));
    storage = reopen();
    List<DeadLetter> letters = storage.deadLetters().latest(10);
    assertThat(letters).extracting(DeadLetter::source).containsExactly("mqtt", "http");
    assertThat(letters.get(0).payload()).isEqualTo("{\"depth_cm\": 5000, \"note\": \"雨\\n\"}");
    assertThat(letters.get(0).receivedAt()).isEqualTo(at.plusSeconds(1));
    assertThat(storage.deadLetters().latest(1)).hasSize(1);
  }
}
