package org.citytwin.history.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;

/**
 * The UTC days whose trusted numbers are all summarised, minute by minute, in {@code
 * sample_minutes}: closed days, summarised while their samples are still kept, and expired days,
 * whose samples retention has removed. A bucket query whose buckets are whole minutes reads such a
 * day's 1,440 minutes of a series instead of its 86,400 samples.
 *
 * <p>The summary stays exact: a late reading for such a day is written to both tables in one
 * transaction. The catch is a late reading that commits while its day is being summarised: the
 * summary would not see it, and the append would not know the day is summarised. So an append that
 * reaches back before the current UTC day, and a summary (or a retention pass) of a day, take turns
 * through {@link #hold}. Appends of today's readings, nearly all of them, never wait: no day is
 * summarised before it has closed.
 *
 * <p>Thread-safe: queries read the set while maintenance changes it.
 */
public final class MinuteDays {

  /** The table, in SQL both databases take. */
  public static final String TABLE =
      "CREATE TABLE IF NOT EXISTS minute_days (day DATE PRIMARY KEY, samples_kept BOOLEAN NOT NULL)";

  private static final long MINUTE_MICROS = 60_000_000L;

  /** Each summarised day, and whether its samples are still kept. */
  private final NavigableMap<LocalDate, Boolean> days;

  private final ReentrantLock pastDays = new ReentrantLock();
  private final Clock clock;

  private MinuteDays(NavigableMap<LocalDate, Boolean> days, Clock clock) {
    this.days = days;
    this.clock = clock;
  }

  /** The days recorded in {@code minute_days}. */
  public static MinuteDays load(Connection connection) throws SQLException {
    NavigableMap<LocalDate, Boolean> days = new ConcurrentSkipListMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT CAST(day AS VARCHAR), samples_kept FROM minute_days")) {
      while (rows.next()) {
        days.put(LocalDate.parse(rows.getString(1)), rows.getBoolean(2));
      }
    }
    return new MinuteDays(days, Clock.systemUTC());
  }

  /** A turn taken through {@link #hold}; closing it gives the turn back. */
  public interface Turn extends AutoCloseable {
    @Override
    void close();
  }

  /** Takes the turn for summarising a day, or for removing one's raw samples. */
  public Turn hold() {
    pastDays.lock();
    return pastDays::unlock;
  }

  /**
   * Takes the turn for an append when any of {@code readings} lies before the current UTC day (only
   * those can belong to a day being summarised); otherwise a turn that holds nothing.
   */
  public Turn holdFor(List<Reading> readings) {
    Instant today = clock.instant().truncatedTo(ChronoUnit.DAYS);
    for (Reading reading : readings) {
      if (reading.observedAt().isBefore(today)) {
        return hold();
      }
    }
    return () -> {};
  }

  public boolean contains(LocalDate day) {
    return days.containsKey(day);
  }

  /**
   * The statement recording {@code day} as summarised, its samples kept or not; {@link #recorded}
   * once it has committed.
   */
  public String record(LocalDate day, boolean samplesKept) {
    return days.containsKey(day)
        ? "UPDATE minute_days SET samples_kept = " + samplesKept + " WHERE day = DATE '" + day + "'"
        : "INSERT INTO minute_days VALUES (DATE '" + day + "', " + samplesKept + ")";
  }

  /** Call once the deletion of the days before {@code day} has committed. */
  void forgetBefore(LocalDate day) {
    days.headMap(day, false).clear();
  }

  /** Call once the statement of {@link #record} has committed. */
  public void recorded(LocalDate day, boolean samplesKept) {
    days.put(day, samplesKept);
  }

  public static LocalDate utcDay(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC);
  }

  /**
   * Whether minute summaries answer buckets of {@code width} from {@code from} to {@code to}
   * exactly: each minute then lies inside one bucket and inside the range, or outside both.
   */
  static boolean wholeMinutes(Instant from, Instant to, long widthMicros) {
    return widthMicros % MINUTE_MICROS == 0
        && ReadingRows.epochMicros(from) % MINUTE_MICROS == 0
        && ReadingRows.epochMicros(to) % MINUTE_MICROS == 0;
  }

  /** A half-open part {@code [from, to)} of a query's range. */
  record Part(Instant from, Instant to) {}

  /** The parts of {@code [from, to)} outside every summarised day, oldest first. */
  List<Part> unsummarised(Instant from, Instant to) {
    return without(from, to, kept -> true);
  }

  /** The parts of {@code [from, to)} outside the summarised days whose samples are kept. */
  List<Part> withoutKeptSamples(Instant from, Instant to) {
    return without(from, to, kept -> kept);
  }

  /** The parts of {@code [from, to)} outside the summarised days whose samples are gone. */
  List<Part> withoutExpired(Instant from, Instant to) {
    return without(from, to, kept -> !kept);
  }

  private List<Part> without(Instant from, Instant to, Predicate<Boolean> leftOut) {
    List<Part> parts = new ArrayList<>();
    Instant start = from;
    for (Map.Entry<LocalDate, Boolean> summarised :
        days.subMap(utcDay(from), true, utcDay(to), true).entrySet()) {
      if (!leftOut.test(summarised.getValue())) {
        continue;
      }
      LocalDate day = summarised.getKey();
      Instant dayStart = day.atStartOfDay().toInstant(ZoneOffset.UTC);
      Instant dayEnd = dayStart.plus(1, ChronoUnit.DAYS);
      if (dayStart.isAfter(start)) {
        parts.add(new Part(start, dayStart.isBefore(to) ? dayStart : to));
      }
      if (dayEnd.isAfter(start)) {
        start = dayEnd;
      }
    }
    if (start.isBefore(to)) {
      parts.add(new Part(start, to));
    }
    return parts;
  }

  /**
   * The positions in {@code readings} of the trusted numbers of summarised days: the readings that
   * need a minute row of their own. Found once per commit; a reading after the last summarised day
   * (nearly every one) costs one comparison of instants.
   */
  public int[] lateNumbers(List<Reading> readings) {
    Map.Entry<LocalDate, Boolean> last = days.lastEntry();
    if (last == null) {
      return new int[0];
    }
    Instant afterLast = last.getKey().plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    int untrusted = QualityFlag.SPIKE.bit() | QualityFlag.CLOCK_AHEAD.bit();
    int[] late = new int[0];
    int count = 0;
    for (int i = 0; i < readings.size(); i++) {
      Reading reading = readings.get(i);
      if (reading.observedAt().isBefore(afterLast)
          && reading.value() instanceof ReadingValue.Numeric
          && (QualityFlag.mask(reading.quality()) & untrusted) == 0
          && days.containsKey(utcDay(reading.observedAt()))) {
        if (count == late.length) {
          late = java.util.Arrays.copyOf(late, Math.max(8, count * 2));
        }
        late[count++] = i;
      }
    }
    return java.util.Arrays.copyOf(late, count);
  }

  /**
   * Writes a minute row for each reading at {@code late} (positions from {@link #lateNumbers};
   * series numbers in {@code ids}); several rows of one minute add up in every query.
   */
  void writeLate(
      Connection connection, SqlDialect dialect, List<Reading> readings, int[] ids, int[] late)
      throws SQLException {
    String time = dialect.timeParameter();
    String sql = "INSERT INTO sample_minutes VALUES (?, " + time + ", 1, ?, ?, ?, ?, " + time + ")";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i : late) {
        Reading reading = readings.get(i);
        double number = ((ReadingValue.Numeric) reading.value()).number();
        long micros = ReadingRows.epochMicros(reading.observedAt());
        statement.setInt(1, ids[i]);
        dialect.bindTime(
            statement, 2, ReadingRows.instant(micros - Math.floorMod(micros, MINUTE_MICROS)));
        for (int column = 3; column <= 6; column++) {
          statement.setDouble(column, number);
        }
        dialect.bindTime(statement, 7, reading.observedAt());
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }
}
