package org.citytwin.history.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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
  private final MinuteDays minuteDays;
  private final String time;

  public SampleQueries(SqlDialect dialect, SeriesCatalog catalog, MinuteDays minuteDays) {
    this.dialect = dialect;
    this.catalog = catalog;
    this.minuteDays = minuteDays;
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
   *
   * <p>When the buckets are whole minutes, a summarised day (see {@link MinuteDays}) is read from
   * its minute rows alone. Otherwise a summarised day whose samples are kept is read from them
   * alone, an expired one from its minutes alone. Days summarised by no {@code minute_days} row
   * (rolled up before there was one) are read from both, as they never hold the same reading twice.
   * Either way each reading counts once.
   */
  public List<Bucket> buckets(Connection connection, BucketQuery query) throws SQLException {
    List<SeriesCatalog.Series> series =
        catalog.of(query.thingId(), query.feature(), query.property());
    if (series.isEmpty()) {
      return List.of();
    }
    String ids = SeriesCatalog.idList(series);
    boolean wholeMinutes = MinuteDays.wholeMinutes(query.from(), query.to(), query.widthMicros());
    List<MinuteDays.Part> sampleParts =
        wholeMinutes
            ? minuteDays.unsummarised(query.from(), query.to())
            : minuteDays.withoutExpired(query.from(), query.to());
    List<MinuteDays.Part> minuteParts =
        wholeMinutes
            ? List.of(new MinuteDays.Part(query.from(), query.to()))
            : minuteDays.withoutKeptSamples(query.from(), query.to());
    List<String> sources = new ArrayList<>(2);
    if (!sampleParts.isEmpty()) {
      sources.add(
          """
          SELECT observed_at AS observed, 1::BIGINT AS n, value AS lo, value AS hi,
                 value AS total, value AS last, observed_at AS last_at
          FROM samples
          WHERE series_id IN %s AND value IS NOT NULL AND %s AND (%s)
          """
              .formatted(ids, ReadingRows.TRUSTED, inParts("observed_at", sampleParts)));
    }
    if (!minuteParts.isEmpty()) {
      sources.add(
          """
          SELECT minute AS observed, count AS n, min AS lo, max AS hi, sum AS total, last, last_at
          FROM sample_minutes
          WHERE series_id IN %s AND (%s)
          """
              .formatted(ids, inParts("minute", minuteParts)));
    }
    String sql =
        """
        SELECT %s AS bucket, sum(n), min(lo), max(hi), sum(total) / sum(n), %s
        FROM (%s) AS rows
        GROUP BY bucket
        ORDER BY bucket
        """
            .formatted(
                dialect.divide("(" + dialect.micros("observed") + " - ?)", "?"),
                dialect.lastValue("last", "last_at"),
                String.join(" UNION ALL ", sources));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int parameter = 1;
      statement.setLong(parameter++, ReadingRows.epochMicros(query.from()));
      statement.setLong(parameter++, query.widthMicros());
      for (MinuteDays.Part part : sampleParts) {
        dialect.bindTime(statement, parameter++, part.from());
        dialect.bindTime(statement, parameter++, part.to());
      }
      for (MinuteDays.Part part : minuteParts) {
        dialect.bindTime(statement, parameter++, part.from());
        dialect.bindTime(statement, parameter++, part.to());
      }
      return Buckets.read(statement, query);
    }
  }

  /** {@code column} in any of {@code parts}, with two time parameters a part. */
  private String inParts(String column, List<MinuteDays.Part> parts) {
    return String.join(" OR ", java.util.Collections.nCopies(parts.size(), inTimeRange(column)));
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
   * Writes the minute rows of the late numbers at positions {@code late} of {@code readings} (from
   * {@link MinuteDays#lateNumbers}; series numbers in {@code ids}); the caller holds {@link
   * MinuteDays#holdFor} and commits them with the samples.
   */
  public void writeLateMinutes(Connection connection, List<Reading> readings, int[] ids, int[] late)
      throws SQLException {
    minuteDays.writeLate(connection, dialect, readings, ids, late);
  }

  /**
   * Summarises the closed UTC day starting at {@code dayStart} into minute rows, read from {@code
   * source} (the samples table or the day's partition), and records it in {@code minute_days}, in
   * one transaction on {@code connection} (in auto-commit before and after).
   *
   * @return how many minutes were written
   */
  public int summarise(Connection connection, String source, Instant dayStart) throws SQLException {
    LocalDate day = MinuteDays.utcDay(dayStart);
    try (MinuteDays.Turn turn = minuteDays.hold()) {
      return inTransaction(
          connection,
          statement -> {
            int written = rollUp(connection, source, dayStart);
            statement.execute(minuteDays.record(day, true));
            return written;
          },
          () -> minuteDays.recorded(day, true));
    }
  }

  /** How a store removes one day's samples; returns how many it removed. */
  @FunctionalInterface
  public interface SampleRemoval {
    long remove(Statement statement) throws SQLException;
  }

  /** What {@link #expire} did to a day: minute rows written, samples removed. */
  public record Expiry(long minutesWritten, long samplesRemoved) {}

  /**
   * Removes the samples of the expired UTC day starting at {@code dayStart} with {@code removal},
   * first rolling its trusted numbers into minute rows unless a summary already holds them, in one
   * transaction on {@code connection} (in auto-commit before and after).
   */
  public Expiry expire(
      Connection connection, String source, Instant dayStart, SampleRemoval removal)
      throws SQLException {
    LocalDate day = MinuteDays.utcDay(dayStart);
    try (MinuteDays.Turn turn = minuteDays.hold()) {
      return inTransaction(
          connection,
          statement -> {
            long written = minuteDays.contains(day) ? 0 : rollUp(connection, source, dayStart);
            long removed = removal.remove(statement);
            statement.execute(minuteDays.record(day, false));
            return new Expiry(written, removed);
          },
          () -> minuteDays.recorded(day, false));
    }
  }

  /** Forgets the summarised days before {@code day}, whose minute rows retention removes. */
  public void forgetSummariesBefore(Connection connection, LocalDate day) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("DELETE FROM minute_days WHERE day < DATE '" + day + "'");
    }
    minuteDays.forgetBefore(day);
  }

  private interface Work<T> {
    T run(Statement statement) throws SQLException;
  }

  private static <T> T inTransaction(Connection connection, Work<T> work, Runnable committed)
      throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      T result = work.run(statement);
      connection.commit();
      committed.run();
      return result;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  /**
   * Writes the minute aggregates of the trusted numbers of the UTC day starting at {@code
   * dayStart}, read from {@code source} (the samples table or the day's partition), in series and
   * minute order so that one series' day lies in a few blocks.
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
        ORDER BY series_id, date_trunc('minute', observed_at)
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
