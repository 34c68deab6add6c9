package org.citytwin.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;

class SensorFaultsTest {

  private static final Instant START = Instant.parse("2026-07-14T02:00:00Z");

  /** The value is {@code v}, the time {@code ts}; a drift adds one a minute. */
  private static final SensorFaults.Failing FAILING =
      new SensorFaults.Failing() {
        @Override
        public ScenarioPlan.Reading frozen(ScenarioPlan.Reading last, Instant at) {
          return reading(last.device(), at, last.payload().getDouble("v"));
        }

        @Override
        public ScenarioPlan.Reading drifted(ScenarioPlan.Reading truth, double minutes) {
          return reading(
              truth.device(), truth.observedAt(), truth.payload().getDouble("v") + minutes);
        }
      };

  private static SimDevice sensor(int number) {
    String id = "sg-" + number;
    return new SimDevice(
        "traffic",
        id,
        "pw",
        ThingId.of("traffic", id),
        "strain-vibrating-wire",
        new WgsPoint(120.15, 30.3),
        "catchment-1",
        null,
        null,
        "strain-gauge",
        Map.of());
  }

  private static ScenarioPlan.Reading reading(SimDevice sensor, Instant at, double value) {
    return new ScenarioPlan.Reading(
        sensor,
        new JsonObject().put("v", value).put("ts", at.getEpochSecond()),
        at,
        "strain/strain",
        ScenarioPlan.Fault.NONE);
  }

  /** A report a minute, the value the minute's number. */
  private static List<ScenarioPlan.Reading> minutely(SimDevice sensor, int minutes) {
    List<ScenarioPlan.Reading> readings = new ArrayList<>();
    for (int m = 0; m < minutes; m++) {
      readings.add(reading(sensor, START.plus(Duration.ofMinutes(m)), m));
    }
    return readings;
  }

  private static SensorFaults failing(SimDevice sensor, SensorFaults.Fault fault, int minute) {
    return new SensorFaults(
        Map.of(
            sensor.deviceId(),
            new SensorFaults.Failure(fault, START.plus(Duration.ofMinutes(minute)))));
  }

  private static List<Double> values(List<ScenarioPlan.Reading> readings) {
    return readings.stream().map(r -> r.payload().getDouble("v")).toList();
  }

  private static List<Instant> times(List<ScenarioPlan.Reading> readings) {
    return readings.stream().map(ScenarioPlan.Reading::observedAt).toList();
  }

  @Test
  void aStuckSensorRepeatsItsLastReadingOnItsOwnSchedule() {
    SimDevice sensor = sensor(1);
    List<ScenarioPlan.Reading> truth = minutely(sensor, 6);
    List<ScenarioPlan.Reading> sent =
        failing(sensor, SensorFaults.Fault.STUCK, 3).asSent(sensor, truth, FAILING);
    assertThat(values(sent)).containsExactly(0.0, 1.0, 2.0, 2.0, 2.0, 2.0);
    assertThat(times(sent)).isEqualTo(times(truth));
  }

  @Test
  void aSensorStuckBeforeItsFirstReadingSendsNothing() {
    SimDevice sensor = sensor(1);
    assertThat(
            failing(sensor, SensorFaults.Fault.STUCK, 0)
                .asSent(sensor, minutely(sensor, 4), FAILING))
        .isEmpty();
  }

  @Test
  void aDriftingSensorDriftsFromItsFailureAndASilentOneStops() {
    SimDevice sensor = sensor(1);
    List<ScenarioPlan.Reading> truth = minutely(sensor, 5);
    assertThat(values(failing(sensor, SensorFaults.Fault.DRIFT, 2).asSent(sensor, truth, FAILING)))
        .containsExactly(0.0, 1.0, 2.0, 4.0, 6.0);
    assertThat(
            values(failing(sensor, SensorFaults.Fault.DROPOUT, 2).asSent(sensor, truth, FAILING)))
        .containsExactly(0.0, 1.0);
  }

  @Test
  void theTruthKeepsWhatAWorkingOrDriftingSensorSaw() {
    SimDevice sensor = sensor(1);
    List<ScenarioPlan.Reading> truth = minutely(sensor, 5);
    assertThat(values(failing(sensor, SensorFaults.Fault.STUCK, 2).seen(sensor, truth)))
        .containsExactly(0.0, 1.0);
    assertThat(values(failing(sensor, SensorFaults.Fault.DROPOUT, 2).seen(sensor, truth)))
        .containsExactly(0.0, 1.0);
    assertThat(values(failing(sensor, SensorFaults.Fault.DRIFT, 2).seen(sensor, truth)))
        .containsExactly(0.0, 1.0, 2.0, 3.0, 4.0);
    assertThat(SensorFaults.none().seen(sensor, truth)).isEqualTo(truth);
    assertThat(SensorFaults.none().asSent(sensor, truth, FAILING)).isEqualTo(truth);
  }

  @Test
  void theShareFailsInTheFirstHalfWithEveryFaultInTurn() {
    List<SimDevice> sensors = IntStream.range(0, 100).mapToObj(SensorFaultsTest::sensor).toList();
    Duration length = Duration.ofMinutes(10);
    SensorFaults faults = SensorFaults.choose(sensors, 0.05, START, length, 7);
    assertThat(faults.failures()).hasSize(5);
    assertThat(faults.failures().values())
        .allSatisfy(
            failure ->
                assertThat(failure.from()).isBetween(START, START.plus(length.dividedBy(2))));
    assertThat(faults.counts()).containsOnlyKeys("stuck", "drift", "dropout");
    assertThat(faults.counts().values()).containsExactlyInAnyOrder(2, 2, 1);
    // one faulty sensor: the seed picks which fault it gets
    assertThat(
            IntStream.range(0, 3)
                .mapToObj(
                    seed ->
                        SensorFaults.choose(sensors.subList(0, 20), 0.05, START, length, seed)
                            .failures()
                            .values()
                            .iterator()
                            .next()
                            .fault())
                .distinct())
        .hasSize(3);
    assertThat(SensorFaults.choose(sensors, 0, START, length, 7).failures()).isEmpty();
    assertThatThrownBy(() -> SensorFaults.choose(sensors, 1.5, START, length, 7))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
