package org.citytwin.history.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.citytwin.history.HistoryStore;
import org.citytwin.history.LatestQuery;
import org.citytwin.history.TrackPoint;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.eclipse.ditto.things.model.ThingId;

/**
 * Turns a sample row back into a {@link Reading}. Both databases select the columns in this order:
 * the time as microseconds since 1970, then {@value #COLUMNS}; the series number names the rest.
 */
public final class ReadingRows {

  /** The columns after the time, in the order {@link #read} expects them. */
  public static final String COLUMNS = "series_id, value, quality, stated";

  private ReadingRows() {}

  /** The reading in the current row: microseconds at column 1, then {@link #COLUMNS}. */
  public static Reading read(ResultSet rows, SeriesCatalog catalog) throws SQLException {
    SeriesCatalog.Series series = catalog.byId(rows.getInt(2));
    String stated = rows.getString(5);
    return new Reading(
        series.thingId(),
        series.feature(),
        series.property(),
        stated == null
            ? new ReadingValue.Numeric(rows.getDouble(3))
            : ReadingValue.fromJsonText(stated),
        series.unit(),
        instant(rows.getLong(1)),
        series.category(),
        QualityFlag.fromMask(rows.getInt(4)));
  }

  /** Every reading the statement selects, in its order. */
  public static List<Reading> readAll(PreparedStatement statement, SeriesCatalog catalog)
      throws SQLException {
    List<Reading> readings = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        readings.add(read(rows, catalog));
      }
    }
    return readings;
  }

  /** The fixes a trajectory query selects: microseconds, longitude, latitude per row. */
  public static List<TrackPoint> readTrack(PreparedStatement statement) throws SQLException {
    List<TrackPoint> points = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        points.add(new TrackPoint(instant(rows.getLong(1)), rows.getDouble(2), rows.getDouble(3)));
      }
    }
    return points;
  }

  /**
   * The newest of {@code readings} for each thing of a latest query (a thing may have more than one
   * series), ordered as the query named the things.
   */
  public static List<Reading> inQueryOrder(LatestQuery query, List<Reading> readings) {
    Map<ThingId, Reading> byThing = new HashMap<>();
    readings.forEach(
        reading ->
            byThing.merge(
                reading.thingId(),
                reading,
                (a, b) -> a.observedAt().isAfter(b.observedAt()) ? a : b));
    return query.things().stream()
        .distinct()
        .filter(byThing::containsKey)
        .map(byThing::get)
        .toList();
  }

  /**
   * Reads the statement's rows and hands them on in batches of at most {@link
   * HistoryStore#EXPORT_BATCH_ROWS}; returns how many.
   */
  public static long handOver(
      PreparedStatement statement, SeriesCatalog catalog, Consumer<List<Reading>> batches)
      throws SQLException {
    long count = 0;
    List<Reading> batch = new ArrayList<>(HistoryStore.EXPORT_BATCH_ROWS);
    try (ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        batch.add(read(rows, catalog));
        if (batch.size() == HistoryStore.EXPORT_BATCH_ROWS) {
          batches.accept(batch);
          count += batch.size();
          batch = new ArrayList<>(HistoryStore.EXPORT_BATCH_ROWS);
        }
      }
    }
    if (!batch.isEmpty()) {
      batches.accept(batch);
      count += batch.size();
    }
    return count;
  }

  /**
   * The start of every UTC day from the one holding {@code first} to the one holding {@code last}.
   */
  public static List<Instant> utcDayStarts(Instant first, Instant last) {
    List<Instant> starts = new ArrayList<>();
    for (Instant day = first.truncatedTo(ChronoUnit.DAYS);
        !day.isAfter(last);
        day = day.plus(1, ChronoUnit.DAYS)) {
      starts.add(day);
    }
    return starts;
  }

  public static Instant instant(long epochMicros) {
    return Instant.EPOCH.plus(epochMicros, ChronoUnit.MICROS);
  }

  /** Microseconds since 1970; sub-microsecond digits are dropped, as both databases would. */
  public static long epochMicros(Instant instant) {
    // Plain arithmetic: this runs once per appended row.
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  /**
   * A condition on {@code quality} (the flags' bits) leaving out what cleaning kept off the twin
   * ({@code spike}, {@code clock-ahead}): summaries and latest values would otherwise carry values
   * judged wrong.
   */
  public static final String TRUSTED =
      "(quality & " + (QualityFlag.SPIKE.bit() | QualityFlag.CLOCK_AHEAD.bit()) + ") = 0";

  /** SQL turning the comma-separated flag text of schemas before series into the flags' bits. */
  public static String maskOfText(String column) {
    StringBuilder sum = new StringBuilder("(0");
    for (QualityFlag flag : QualityFlag.values()) {
      sum.append(" + CASE WHEN coalesce(")
          .append(column)
          .append(", '') LIKE '%")
          .append(flag.text())
          .append("%' THEN ")
          .append(flag.bit())
          .append(" ELSE 0 END");
    }
    return sum.append(')').toString();
  }
}
