package org.citytwin.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.DoubleBinaryOperator;
import java.util.function.Function;

/**
 * Which of one scenario's sensors fail, how, and from when, with the two views of their readings
 * the simulator needs: what the devices send, and what the ground truth may ask of fusion.
 *
 * <p>The failures are those of the field: a sensor that freezes and repeats the last reading it
 * took ({@link Fault#STUCK}), one whose reading creeps away from the truth ({@link Fault#DRIFT}),
 * one that goes silent ({@link Fault#DROPOUT}). Each faulty sensor fails at a random time in the
 * first half of the run, and the faults take turns (from a turn the seed picks) so that a run with
 * three or more faulty sensors of a kind has all three, and runs of other seeds with fewer have
 * each in turn.
 *
 * <p>A stuck or silent sensor is blind from its failure on: nothing it sends after that carries the
 * truth, so a case only it could have seen is left out of the truth ({@link #seen}), as {@link
 * FloodScenario#floodedWhereSeen} does for gauges. A drifting sensor still sees: its error is
 * fusion's to live with.
 *
 * @param failures the failing sensors, by device id
 */
public record SensorFaults(Map<String, Failure> failures) {

  /** How a faulty sensor fails. */
  public enum Fault {
    STUCK,
    DRIFT,
    DROPOUT
  }

  /** A sensor's failure: how, and from when. */
  public record Failure(Fault fault, Instant from) {

    /**
     * Whether nothing the sensor sends at {@code at} carries the truth: stuck or silent by then.
     */
    public boolean blindAt(Instant at) {
      return fault != Fault.DRIFT && !at.isBefore(from);
    }

    /** How long the sensor has been failing at {@code at}, in minutes; 0 before it fails. */
    public double minutesFailingAt(Instant at) {
      return at.isBefore(from) ? 0 : Duration.between(from, at).toMillis() / 60_000.0;
    }
  }

  /**
   * How one kind's readings look when its sensor fails. The frozen reading and the drifted one are
   * the kind's own: which field carries the time, which measure creeps and how fast.
   */
  public interface Failing {

    /** {@code last} sent again at {@code at}: the same measure, a fresh timestamp. */
    ScenarioPlan.Reading frozen(ScenarioPlan.Reading last, Instant at);

    /** {@code truth} as a sensor reports it {@code minutes} into its drift. */
    ScenarioPlan.Reading drifted(ScenarioPlan.Reading truth, double minutes);
  }

  /**
   * The usual way a kind fails: its payload states the time in one field and the measure that
   * drifts in another.
   *
   * @param timeField the payload's time field
   * @param stamp writes an instant as the kind writes it there
   * @param measureField the field that drifts
   * @param drift the drifted value, from the true one and the minutes into the drift
   */
  public record PayloadFields(
      String timeField,
      Function<Instant, Object> stamp,
      String measureField,
      DoubleBinaryOperator drift)
      implements Failing {

    @Override
    public ScenarioPlan.Reading frozen(ScenarioPlan.Reading last, Instant at) {
      return new ScenarioPlan.Reading(
          last.device(),
          last.payload().copy().put(timeField, stamp.apply(at)),
          at,
          last.series(),
          last.fault());
    }

    @Override
    public ScenarioPlan.Reading drifted(ScenarioPlan.Reading truth, double minutes) {
      double drifted = drift.applyAsDouble(truth.payload().getDouble(measureField), minutes);
      return new ScenarioPlan.Reading(
          truth.device(),
          truth.payload().copy().put(measureField, drifted),
          truth.observedAt(),
          truth.series(),
          truth.fault());
    }
  }

  public SensorFaults {
    failures = Collections.unmodifiableMap(new TreeMap<>(failures));
  }

  /** No sensor fails. */
  public static SensorFaults none() {
    return new SensorFaults(Map.of());
  }

  /**
   * {@code share} of {@code sensors} (rounded) fail, chosen by {@code seed}, each at a time in the
   * first half of the run from {@code start} for {@code length}.
   */
  public static SensorFaults choose(
      List<SimDevice> sensors, double share, Instant start, Duration length, long seed) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("the faulty share must be between 0 and 1");
    }
    List<SimDevice> shuffled = new ArrayList<>(sensors);
    Collections.shuffle(shuffled, new Random(seed));
    SplittableRandom random = new SplittableRandom(seed);
    int faulty = (int) Math.round(shuffled.size() * share);
    Fault[] kinds = Fault.values();
    int firstTurn = (int) Math.floorMod(seed, (long) kinds.length);
    Map<String, Failure> failures = new TreeMap<>();
    for (int i = 0; i < faulty; i++) {
      long within = random.nextLong(Math.max(1, length.toMillis() / 2));
      failures.put(
          shuffled.get(i).deviceId(),
          new Failure(kinds[(firstTurn + i) % kinds.length], start.plusMillis(within)));
    }
    return new SensorFaults(failures);
  }

  /** How many sensors fail each way, every fault named ({@code stuck}, {@code drift}, ...). */
  public Map<String, Integer> counts() {
    Map<String, Integer> counts = new java.util.LinkedHashMap<>();
    for (Fault fault : Fault.values()) {
      counts.put(fault.name().toLowerCase(java.util.Locale.ROOT), 0);
    }
    failures
        .values()
        .forEach(
            failure ->
                counts.merge(
                    failure.fault().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum));
    return counts;
  }

  /** The failure of {@code sensor}, if it fails. */
  public Optional<Failure> of(SimDevice sensor) {
    return Optional.ofNullable(failures.get(sensor.deviceId()));
  }

  /** Whether {@code sensor} still tells the truth at {@code at}: working, or only drifting. */
  public boolean sees(SimDevice sensor, Instant at) {
    Failure failure = failures.get(sensor.deviceId());
    return failure == null || !failure.blindAt(at);
  }

  /**
   * {@code truth}, one sensor's readings in time order, as the sensor sends them: all of them while
   * it works; from its failure on, a stuck sensor repeats the last reading it took before (nothing,
   * if it took none), a drifting one drifts and a silent one sends nothing.
   */
  public List<ScenarioPlan.Reading> asSent(
      SimDevice sensor, List<ScenarioPlan.Reading> truth, Failing failing) {
    Optional<Failure> failure = of(sensor);
    if (failure.isEmpty()) {
      return truth;
    }
    Failure how = failure.get();
    List<ScenarioPlan.Reading> sent = new ArrayList<>();
    ScenarioPlan.Reading lastTaken = null;
    for (ScenarioPlan.Reading reading : truth) {
      Instant at = reading.observedAt();
      if (at.isBefore(how.from())) {
        sent.add(reading);
        lastTaken = reading;
        continue;
      }
      switch (how.fault()) {
        case STUCK -> {
          if (lastTaken != null) {
            sent.add(failing.frozen(lastTaken, at));
          }
        }
        case DRIFT -> sent.add(failing.drifted(reading, how.minutesFailingAt(at)));
        case DROPOUT -> {
          // silent
        }
      }
    }
    return sent;
  }

  /**
   * The part of {@code truth}, one sensor's readings in time order, that a working sensor
   * delivered: all of it, but for what a stuck or silent one would have taken after its failure.
   * Ground truth is counted over these.
   */
  public List<ScenarioPlan.Reading> seen(SimDevice sensor, List<ScenarioPlan.Reading> truth) {
    if (!failures.containsKey(sensor.deviceId())) {
      return truth;
    }
    return truth.stream().filter(reading -> sees(sensor, reading.observedAt())).toList();
  }
}
