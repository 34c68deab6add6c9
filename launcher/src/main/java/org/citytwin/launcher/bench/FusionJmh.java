package org.citytwin.launcher.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.citytwin.fusion.FusionEngine;
import org.citytwin.fusion.Observation;
import org.citytwin.twin.WgsPoint;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The fusion benchmark under JMH: the shipped rule pack evaluating a district's readings against
 * its 9,611 zones, and point-in-zone lookups on one thread and on two, over the same workload as
 * {@link FusionBenchmark} ({@link FusionBenchmark.Workload}). JMH forks a JVM of its own, warms it,
 * and gives each figure with its error, which one pass of the harness cannot.
 *
 * <p>Rule evaluation keeps state (windows, open incidents), and readings must come in time order:
 * so each invocation evaluates one slice of {@value #SLICE} readings on an engine that was fed the
 * {@value #WARM_READINGS} readings before it, and the engine is rebuilt for every invocation,
 * outside the measured time.
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
public class FusionJmh {

  /** Readings evaluated per invocation of {@link #ruleEvaluation}. */
  static final int SLICE = 200_000;

  /** Readings fed to a fresh engine before its slice is measured. */
  static final int WARM_READINGS = 100_000;

  /** How many readings the workload holds; the slices cycle through the part after the warm-up. */
  @Param({"1000000"})
  public int readings;

  private FusionBenchmark.Workload workload;
  private List<Observation> stream;
  private List<Observation> storm;

  @Setup(Level.Trial)
  public void generate() {
    if (readings < SLICE) {
      throw new IllegalArgumentException("readings must be at least one slice, " + SLICE);
    }
    workload = FusionBenchmark.Workload.generate(readings + WARM_READINGS, 1_000_000);
    stream = workload.observations();
    storm = FusionBenchmark.storm(stream, readings + WARM_READINGS);
  }

  /**
   * An engine fed the {@value #WARM_READINGS} readings before its slice of {@value #SLICE}, the
   * next slice for each invocation.
   */
  abstract static class WarmedSlice {
    private FusionEngine engine;
    private int slice = -1;
    private int sliceStart;

    void next(FusionJmh district, List<Observation> readings) {
      slice = (slice + 1) % (district.readings / SLICE);
      sliceStart = WARM_READINGS + slice * SLICE;
      engine = district.workload.engine();
      for (int i = sliceStart - WARM_READINGS; i < sliceStart; i++) {
        engine.observe(readings.get(i));
      }
    }

    long evaluate(List<Observation> readings) {
      long touched = 0;
      for (int i = sliceStart; i < sliceStart + SLICE; i++) {
        touched += engine.observe(readings.get(i)).size();
      }
      return touched;
    }
  }

  /** The engine of one invocation of {@link #ruleEvaluation}. */
  @State(Scope.Thread)
  public static class Engine extends WarmedSlice {
    @Setup(Level.Invocation)
    public void warm(FusionJmh district) {
      next(district, district.stream);
    }
  }

  /** The engine of one invocation of {@link #stormEvaluation}, warmed on the storm before it. */
  @State(Scope.Thread)
  public static class StormEngine extends WarmedSlice {
    @Setup(Level.Invocation)
    public void warm(FusionJmh district) {
      next(district, district.storm);
    }
  }

  /** One thread's place in the points. */
  @State(Scope.Thread)
  public static class Cursor {
    private int next;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(SLICE)
  public long ruleEvaluation(Engine engine) {
    return engine.evaluate(stream);
  }

  /**
   * The same engine at a storm's peak: the waterlogging readings over their lines, nearly every one
   * evidence for an incident already open.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(SLICE)
  public long stormEvaluation(StormEngine engine) {
    return engine.evaluate(storm);
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(1)
  public void pointInZoneOneThread(Cursor cursor, Blackhole found) {
    found.consume(lookUp(cursor));
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(2)
  public void pointInZoneTwoThreads(Cursor cursor, Blackhole found) {
    found.consume(lookUp(cursor));
  }

  private int lookUp(Cursor cursor) {
    double[][] points = workload.points();
    double[] point = points[cursor.next];
    cursor.next = cursor.next + 1 == points.length ? 0 : cursor.next + 1;
    return workload.zones().containing(new WgsPoint(point[0], point[1])).size();
  }

  /**
   * Runs the benchmarks ({@code forks} 0 runs them in this JVM, for a quick look) and answers their
   * results, as JMH prints them too.
   */
  public static java.util.Collection<RunResult> run(
      int forks, int warmupIterations, int iterations, TimeValue iterationTime, int readings)
      throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(FusionJmh.class.getName() + "\\.")
            .forks(forks)
            .warmupIterations(warmupIterations)
            .warmupTime(iterationTime)
            .measurementIterations(iterations)
            .measurementTime(iterationTime)
            .param("readings", Integer.toString(readings))
            .build();
    return new Runner(options).run();
  }

  /** The results as the other benchmarks print theirs: a Markdown table, errors at 99.9 %. */
  public static String table(java.util.Collection<RunResult> results) {
    StringBuilder table =
        new StringBuilder("| measurement (JMH) | result | note |\n| --- | --- | --- |\n");
    double oneThread = Double.NaN;
    for (RunResult result : results) {
      String benchmark = result.getParams().getBenchmark();
      String name = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      double score = result.getPrimaryResult().getScore();
      double error = result.getPrimaryResult().getScoreError();
      String note =
          switch (name) {
            case "ruleEvaluation" ->
                "full rule pack over 9,611 zones, 1 thread; target 200,000 /s on 2 cores";
            case "stormEvaluation" ->
                "the same at a storm's peak: waterlogging readings over their lines, each"
                    + " evidence for an open incident";
            case "pointInZoneOneThread" -> "all zones a point is in";
            case "pointInZoneTwoThreads" ->
                Double.isNaN(oneThread)
                    ? ""
                    : String.format(java.util.Locale.ROOT, "%.2fx one thread", score / oneThread);
            default -> "";
          };
      if (name.equals("pointInZoneOneThread")) {
        oneThread = score;
      }
      table.append(
          String.format(
              java.util.Locale.ROOT,
              "| %s | %,.0f ± %,.0f /s | %s |%n",
              name,
              score,
              Double.isNaN(error) ? 0 : error,
              note));
    }
    return table.toString();
  }
}
