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
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.eclipse.ditto.things.model.ThingId;

/**
 * Turns a row of the readings table back into a {@link Reading}. Both databases select the columns
 * in this order: {@value #COLUMNS}, with the time as microseconds since 1970.
 */
public final class ReadingRows {

  /** The columns after the time, in the order {@link #read} expects them. */
  public static final String COLUMNS =
      "thing_id, feature, property, value, unit, category, quality, stated";

  private ReadingRows() {}

  /** The reading in the current row: microseconds at column 1, then {@link #COLUMNS}. */
  public static Reading read(ResultSet rows) throws SQLException {
    String stated = rows.getString(9);
    return new Reading(
        ThingId.of(rows.getString(2)),
        rows.getString(3),
        rows.getString(4),
        stated == null
            ? new ReadingValue.Numeric(rows.getDouble(5))
            : ReadingValue.fromJsonText(stated),
        CanonicalUnit.valueOf(rows.getString(6)),
        instant(rows.getLong(1)),
        rows.getString(7),
        QualityFlag.parse(rows.getString(8)));
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

  /** The readings of a latest query ordered as the query named their things. */
  public static List<Reading> inQueryOrder(LatestQuery query, List<Reading> readings) {
    Map<ThingId, Reading> byThing = new HashMap<>();
    readings.forEach(reading -> byThing.put(reading.thingId(), reading));
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
  public static long handOver(PreparedStatement statement, Consumer<List<Reading>> batches)
      throws SQLException {
    long count = 0;
    List<Reading> batch = new ArrayList<>(HistoryStore.EXPORT_BATCH_ROWS);
    try (ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        batch.add(read(rows));
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

  public static long epochMicros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  /**
   * A condition on {@code quality} leaving out what cleaning kept off the twin ({@code spike},
   * {@code clock-ahead}): summaries and latest values would otherwise carry values judged wrong.
   */
  public static final String TRUSTED =
      "quality NOT LIKE '%spike%' AND quality NOT LIKE '%clock-ahead%'";
}
