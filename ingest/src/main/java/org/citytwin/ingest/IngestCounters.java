package org.citytwin.ingest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.citytwin.twin.LatencyHistogram;
import org.citytwin.twin.QualityFlag;

/**
 * What ingest accepted and refused, by reason: the figures an operator watches to see a vendor
 * sending garbage or a device with a wrong password. Safe for concurrent use.
 */
public final class IngestCounters {

  private final LongAdder acceptedReadings = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> rejected = new ConcurrentHashMap<>();
  private final LongAdder twinUpdateFailures = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder held = new LongAdder();
  private final ConcurrentHashMap<QualityFlag, LongAdder> flagged = new ConcurrentHashMap<>();
  private final LatencyHistogram commitWait = new LatencyHistogram();
  private final LatencyHistogram twinUpdateWait = new LatencyHistogram();

  /**
   * From a batch of readings being taken to history holding it: the server's share of what a device
   * waits for its acknowledgement, group commit included.
   */
  public LatencyHistogram commitWait() {
    return commitWait;
  }

  /**
   * From a batch of readings being taken to the twin service having applied it: how far twins lag
   * behind devices.
   */
  public LatencyHistogram twinUpdateWait() {
    return twinUpdateWait;
  }

  void accepted(int readings) {
    acceptedReadings.add(readings);
  }

  void rejected(String reason) {
    rejected.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  void duplicates(int count) {
    duplicates.add(count);
  }

  void held(int readings) {
    held.add(readings);
  }

  void flagged(QualityFlag flag) {
    flagged.computeIfAbsent(flag, f -> new LongAdder()).increment();
  }

  void twinUpdateFailed() {
    twinUpdateFailures.increment();
  }

  public long acceptedReadings() {
    return acceptedReadings.sum();
  }

  public long twinUpdateFailures() {
    return twinUpdateFailures.sum();
  }

  /** Repeats of readings already taken, acknowledged but not stored again. */
  public long duplicates() {
    return duplicates.sum();
  }

  /** Readings held back (MQTT flow control) while storage was behind, rather than refused. */
  public long held() {
    return held.sum();
  }

  /** Stored readings by the quality flags cleaning gave them, in flag order. */
  public Map<QualityFlag, Long> flaggedByQuality() {
    Map<QualityFlag, Long> snapshot = new java.util.EnumMap<>(QualityFlag.class);
    flagged.forEach((flag, count) -> snapshot.put(flag, count.sum()));
    return snapshot;
  }

  /** Refused requests by reason, in reason order. */
  public Map<String, Long> rejectedByReason() {
    Map<String, Long> snapshot = new TreeMap<>();
    rejected.forEach((reason, count) -> snapshot.put(reason, count.sum()));
    return snapshot;
  }
}
