package org.citytwin.ingest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What ingest accepted and refused, by reason: the figures an operator watches to see a vendor
 * sending garbage or a device with a wrong password. Safe for concurrent use.
 */
public final class IngestCounters {

  private final LongAdder acceptedReadings = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> rejected = new ConcurrentHashMap<>();
  private final LongAdder twinUpdateFailures = new LongAdder();

  void accepted(int readings) {
    acceptedReadings.add(readings);
  }

  void rejected(String reason) {
    rejected.computeIfAbsent(reason, r -> new LongAdder()).increment();
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

  /** Refused requests by reason, in reason order. */
  public Map<String, Long> rejectedByReason() {
    Map<String, Long> snapshot = new TreeMap<>();
    rejected.forEach((reason, count) -> snapshot.put(reason, count.sum()));
    return snapshot;
  }
}
