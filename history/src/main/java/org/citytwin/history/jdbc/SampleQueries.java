package org.citytwin.history.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Consumer;
import org.citytwin.history.Bucket;
import org.citytwin.history.BucketQuery;
import org.citytwin.history.ExportQuery;
import org.citytwin.history.HistoryStore;
import org.citytwin.history.LatestQuery;
import org.citytwin.history.RangeQuery;
import org.citytwin.history.TrackPoint;
import org.citytwin.history.TrajectoryQuery;
import org.citytwin.twin.Reading;

/**
 * The queries on the {@code samples} and {@code sample_minutes} tables, written once for both
 * databases: each store supplies a connection (and its own locking) and a {@link SqlDialect} for
 * what the two spell differently. Series numbers go into the SQL as literals (they are the store's
 * own integers); times and limits are parameters.
 */
public final class SampleQueries {

  private final SqlDialect dialect;
  private final SeriesCatalog catalog;
  private final String time;

  public SampleQueries(SqlDialect dialect, SeriesCatalog catalog) {
    this.dialect = dialect;
    this.catalog = catalog;
    this.time = dialect.timeParameter();
  }

  /** The first columns of every reading query: the time in microseconds, then the rest. */
  private String readingColumns() {
    return dialect.micros("observed_at") + ", " + ReadingRows.COLUMNS;
  }

  private String inTimeRange(String column) {
    return column + " >= " + time + " AND " + column + " < " + time;
  }

  public List<Reading> range(Connection connection, RangeQuery query) throws SQLException {
    List<SeriesCatalog.Series> series =
        catalog.of(query.thingId(), query.feature(), query.property());
    if (series.isEmpty()) {
      return List.of();
    }
    String sql =
        "SELECT "
            + readingColumns()
            + " FROM samples WHERE series_id IN "
            + SeriesCatalog.idList(series)
            + " AND "
            + inTimeRange("observed_at")
            + " ORDER BY observed_at LIMIT ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      dialect.bindTime(statement, 1, query.from());
      dialect.bindTime(statement, 2, query.to());
      statement.setInt(3, query.limit());
      return ReadingRows.readAll(statement, catalog);
    }
  }

  /**
   * Raw samples and minute aggregates in one shape (count, min, max, sum, last, last_at), summed
   * per bucket; bucket numbers are microseconds since {@code from} divided by the width.
   */
  public List<Bucket> buckets(Connection connection, BucketQuery query) throws SQLException {
    List<SeriesCatalog.Series> series =
        catalog.of(query.thingId(), query.feature(), query.property());
    if (series.isEmpty()) {
      return List.of();
    }
    String ids = SeriesCatalog.idList(series);
    String sql =
        """
        SELECT %1$s AS bucket, sum(n), min(lo), max(hi), sum(total) / sum(n), %2$s
        FROM (
          SELECT observed_at AS observed, 1::BIGINT AS n, value AS lo, value AS hi,
                 value AS total, value AS last, observed_at AS last_at
          FROM samples
          WHERE series_id IN %3$s AND %4$s AND value IS NOT NULL AND %5$s
          UNION ALL
          SELECT minute, count, min, max, sum, last, last_at
          FROM sample_minutes
          WHERE series_id IN %3$s AND %6$s
        ) AS rows
        GROUP BY bucket
        ORDER BY bucket
        """
            .formatted(
                dialect.divide("(" + dialect.micros("observed") + " - ?)", "?"),
                dialect.lastValue("last", "last_at"),
                ids,
                inTimeRange("observed_at"),
                ReadingRows.TRUSTED,
                inTimeRange("minute"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, ReadingRows.epochMicros(query.from()));
      statement.setLong(2, query.widthMicros());
      dialect.bindTime(statement, 3, query.from());
      dialect.bindTime(statement, 4, query.to());
      dialect.bindTime(statement, 5, query.from());
      dialect.bindTime(statement, 6, query.to());
      return Buckets.read(statement, query);
    }
  }

  public List<Reading> latest(Connection connection, LatestQuery query) throws SQLException {
    List<SeriesCatalog.Series> series =
        catalog.of(query.things(), query.feature(), query.property());
    if (series.isEmpty()) {
      return List.of();
    }
    String sql =
        "SELECT DISTINCT ON (series_id) "
            + readingColumns()
            + " FROM samples WHERE series_id IN "
            + SeriesCatalog.idList(series)
            + " AND "
            + inTimeRange("observed_at")
            + " AND "
            + ReadingRows.TRUSTED
            + " ORDER BY series_id, observed_at DESC";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      dialect.bindTime(statement, 1, query.since());
      dialect.bindTime(statement, 2, query.at());
      return ReadingRows.inQueryOrder(query, ReadingRows.readAll(statement, catalog));
    }
  }

  public List<TrackPoint> trajectory(Connection connection, TrajectoryQuery query)
      throws SQLException {
    List<SeriesCatalog.Series> longitude =
        catalog.of(query.thingId(), query.feature(), "longitude");
    List<SeriesCatalog.Series> latitude = catalog.of(query.thingId(), query.feature(), "latitude");
    if (longitude.isEmpty() || latitude.isEmpty()) {
      return List.of();
    }
    String sql =
        """
        SELECT %4$s, max(value) FILTER (WHERE series_id IN %1$s),
               max(value) FILTER (WHERE series_id IN %2$s)
        FROM samples
        WHERE (series_id IN %1$s OR series_id IN %2$s) AND value IS NOT NULL
          AND %5$s AND %3$s
        GROUP BY observed_at
        HAVING count(*) FILTER (WHERE series_id IN %1$s) > 0
           AND count(*) FILTER (WHERE series_id IN %2$s) > 0
        ORDER BY observed_at
        LIMIT ?
        """
            .formatted(
                SeriesCatalog.idList(longitude),
                SeriesCatalog.idList(latitude),
                ReadingRows.TRUSTED,
                dialect.micros("observed_at"),
                inTimeRange("observed_at"));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      dialect.bindTime(statement, 1, query.from());
      dialect.bindTime(statement, 2, query.to());
      statement.setInt(3, query.limit());
      return ReadingRows.readTrack(statement);
    }
  }

  /**
   * Hands the readings of {@code query} over a day at a time, for each of {@code days} (the starts
   * of the UTC days that may hold samples), in time order.
   */
  public long export(
      Connection connection, ExportQuery query, List<Instant> days, Consumer<List<Reading>> batches)
      throws SQLException {
    String sql =
        "SELECT "
            + readingColumns()
            + " FROM samples WHERE "
            + inTimeRange("observed_at")
            + query
                .thingId()
                .map(thing -> " AND series_id IN " + SeriesCatalog.idList(catalog.ofThing(thing)))
                .orElse("")
            + " ORDER BY observed_at";
    long exported = 0;
    for (Instant dayStart : days) {
      Instant dayEnd = dayStart.plus(1, ChronoUnit.DAYS);
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        // PostgreSQL keeps one batch in memory only with a fetch size (and auto-commit off).
        statement.setFetchSize(HistoryStore.EXPORT_BATCH_ROWS);
        dialect.bindTime(statement, 1, query.from().isAfter(dayStart) ? query.from() : dayStart);
        dialect.bindTime(statement, 2, query.to().isBefore(dayEnd) ? query.to() : dayEnd);
        exported += ReadingRows.handOver(statement, catalog, batches);
      }
    }
    return exported;
  }

  /** The starts of the UTC days from the first to the last sample in {@code [from, to)}. */
  public List<Instant> daysWithSamples(Connection connection, Instant from, Instant to)
      throws SQLException {
    String sql =
        "SELECT "
            + dialect.micros("min(observed_at)")
            + ", "
            + dialect.micros("max(observed_at)")
            + " FROM samples WHERE "
            + inTimeRange("observed_at");
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      dialect.bindTime(statement, 1, from);
      dialect.bindTime(statement, 2, to);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        long first = rows.getLong(1);
        if (rows.wasNull()) {
          return List.of();
        }
        return ReadingRows.utcDayStarts(
            ReadingRows.instant(first), ReadingRows.instant(rows.getLong(2)));
      }
    }
  }

  /**
   * Writes the minute aggregates of the trusted numbers of the UTC day starting at {@code
   * dayStart}, read from {@code source} (the samples table or the day's partition).
   *
   * @return how many minutes were written
   */
  public int rollUp(Connection connection, String source, Instant dayStart) throws SQLException {
    String sql =
        """
        INSERT INTO sample_minutes
        SELECT series_id, date_trunc('minute', observed_at), count(*), min(value), max(value),
               sum(value), %s, max(observed_at)
        FROM %s
        WHERE %s AND value IS NOT NULL AND %s
        GROUP BY series_id, date_trunc('minute', observed_at)
        """
            .formatted(
                dialect.lastValue("value", "observed_at"),
                source,
                inTimeRange("observed_at"),
                ReadingRows.TRUSTED);
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      dialect.bindTime(statement, 1, dayStart);
      dialect.bindTime(statement, 2, dayStart.plus(1, ChronoUnit.DAYS));
      return statement.executeUpdate();
    }
  }
}
