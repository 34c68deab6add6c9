package org.citytwin.twin;

/**
 * What a group-committing writer tells {@code /metrics}: how long each commit took, how many items
 * were committed, how many wait behind the running commit. History (rows) and the twin service
 * (journaled changes) keep one each; both commit on one event loop at a time, so this is used from
 * that loop only, while its histogram may be read from anywhere.
 */
public final class GroupCommitMetrics {

  /**
   * Names and help texts of the three series.
   *
   * @param commitSeconds the histogram of commit times
   * @param committedTotal the counter of items committed
   * @param waiting the gauge of items (or appends) waiting
   */
  public record Names(
      String commitSeconds,
      String commitHelp,
      String committedTotal,
      String committedHelp,
      String waiting,
      String waitingHelp) {}

  private final Names names;
  private final LatencyHistogram commitTimes = new LatencyHistogram();
  private long committed;
  private long startedNanos;

  public GroupCommitMetrics(Names names) {
    this.names = names;
  }

  /** A commit starts now. */
  public void started() {
    startedNanos = System.nanoTime();
  }

  /** How long the commit started last has been running, in nanoseconds. */
  public long runningNanos() {
    return System.nanoTime() - startedNanos;
  }

  /** The commit started last ended; {@code items} were committed by it (0 when it failed). */
  public void ended(int items) {
    commitTimes.record(runningNanos());
    committed += items;
  }

  /** Writes the three series, with {@code waiting} as the gauge's value. */
  public void appendTo(StringBuilder text, long waiting) {
    commitTimes.appendWithHeader(text, names.commitSeconds(), names.commitHelp());
    MetricsText.counter(text, names.committedTotal(), names.committedHelp(), committed);
    MetricsText.gauge(text, names.waiting(), names.waitingHelp(), waiting);
  }
}
