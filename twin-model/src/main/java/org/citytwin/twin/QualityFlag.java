package org.citytwin.twin;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What cleaning found doubtful about a reading. A flagged reading is still kept in history, where
 * an analyst can see it; some flags also keep it from changing its twin, because the twin is what
 * fusion and the flood screen act on.
 */
public enum QualityFlag {
  /** A jump no real sensor of its kind makes between two readings, not confirmed by the next. */
  SPIKE("spike", false),
  /** The same value for longer than the quantity ever stays still: a frozen sensor. */
  STUCK("stuck", true),
  /** Older than a reading already applied: history takes it, the twin is not rolled back. */
  OUT_OF_ORDER("out-of-order", false),
  /** Arrived long after it was observed (a device catching up after a network outage). */
  LATE("late", true),
  /** Observed in the future by the server's clock: the device's clock is wrong. */
  CLOCK_AHEAD("clock-ahead", false);

  private final String text;
  private final boolean updatesTwin;

  QualityFlag(String text, boolean updatesTwin) {
    this.text = text;
    this.updatesTwin = updatesTwin;
  }

  /** The flag as stored in history and shown by the API. */
  public String text() {
    return text;
  }

  /** Whether a reading with this flag may still change its twin. */
  public boolean updatesTwin() {
    return updatesTwin;
  }

  /** Flags as one comma-separated text, in declaration order; empty for a good reading. */
  public static String format(Set<QualityFlag> flags) {
    return flags.isEmpty()
        ? ""
        : EnumSet.copyOf(flags).stream().map(QualityFlag::text).collect(Collectors.joining(","));
  }

  /** This flag's bit in {@link #mask}: stable, as it is stored; new flags take new bits. */
  public int bit() {
    return 1 << ordinal();
  }

  /** Flags as one bit each (a small integer): how history stores them. */
  public static int mask(Set<QualityFlag> flags) {
    int mask = 0;
    for (QualityFlag flag : flags) {
      mask |= flag.bit();
    }
    return mask;
  }

  /** The flags of a {@link #mask}. */
  public static Set<QualityFlag> fromMask(int mask) {
    if (mask == 0) {
      return Set.of();
    }
    EnumSet<QualityFlag> flags = EnumSet.noneOf(QualityFlag.class);
    for (QualityFlag flag : values()) {
      if ((mask & flag.bit()) != 0) {
        flags.add(flag);
      }
    }
    return Set.copyOf(flags);
  }

  /**
   * Reads the form written by {@link #format(Set)}.
   *
   * @throws IllegalArgumentException for a name that is not a flag
   */
  public static Set<QualityFlag> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Set.of();
    }
    EnumSet<QualityFlag> flags = EnumSet.noneOf(QualityFlag.class);
    for (String name : text.split(",")) {
      flags.add(
          Arrays.stream(values())
              .filter(flag -> flag.text.equals(name))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("no quality flag " + name)));
    }
    return Set.copyOf(flags);
  }
}
