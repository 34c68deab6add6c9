package org.citytwin.history.duckdb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.citytwin.history.Bucket;
import org.citytwin.history.BucketQuery;
import org.citytwin.history.ExportQuery;
import org.citytwin.history.HistoryStore;
import org.citytwin.history.HistoryUnavailableException;
import org.citytwin.history.LatestQuery;
import org.citytwin.history.RangeQuery;
import org.citytwin.history.RetentionOutcome;
import org.citytwin.history.RetentionPolicy;
import org.citytwin.history.TrackPoint;
import org.citytwin.history.TrajectoryQuery;
import org.citytwin.history.jdbc.Buckets;
import org.citytwin.history.jdbc.ReadingRows;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.eclipse.ditto.things.model.ThingId;

/**
 * History in an embedded DuckDB file: one narrow table, appended through DuckDB's Appender (the
 * fastest bulk path the JDBC driver offers), read with plain SQL.
 *
 * <p>DuckDB allows one writing process per file, and its connections must not be shared between
 * threads at once: appends go through one writer connection under a lock, each query takes a
 * duplicate connection of the same database.
 */
final class DuckDbHistoryStore implements HistoryStore {

  private static final String SCHEMA =
      """
      CREATE TABLE IF NOT EXISTS readings (
        observed_at TIMESTAMP NOT NULL,
        thing_id    VARCHAR   NOT NULL,
        feature     VARCHAR   NOT NULL,
        property    VARCHAR   NOT NULL,
        value       DOUBLE,
        unit        VARCHAR   NOT NULL,
        category    VARCHAR   NOT NULL DEFAULT 'unclassified',
        quality     VARCHAR   NOT NULL DEFAULT '',
        stated      VARCHAR
      )
      """;

  /**
   * Files written before readings were classified and cleaned (DuckDB adds no NOT NULL here), and
   * before readings could state a value that is no number ({@code stated}: its JSON text, with
   * {@code value} null).
   */
  /** Older history, rolled up by {@link #retain}: one row per thing, property and minute. */
  private static final String MINUTES =
      """
      CREATE TABLE IF NOT EXISTS readings_minute (
        thing_id VARCHAR NOT NULL, feature VARCHAR NOT NULL, property VARCHAR NOT NULL,
        minute TIMESTAMP NOT NULL, count BIGINT NOT NULL, min DOUBLE NOT NULL, max DOUBLE NOT NULL,
        sum DOUBLE NOT NULL, last DOUBLE NOT NULL, last_at TIMESTAMP NOT NULL)
      """;

  private static final String[] MIGRATIONS = {
    "ALTER TABLE readings ADD COLUMN IF NOT EXISTS category VARCHAR DEFAULT 'unclassified'",
    "ALTER TABLE readings ADD COLUMN IF NOT EXISTS quality VARCHAR DEFAULT ''",
    "ALTER TABLE readings ADD COLUMN IF NOT EXISTS stated VARCHAR",
    "ALTER TABLE readings ALTER COLUMN value DROP NOT NULL"
  };

  private final DuckDBConnection writer;

  private DuckDbHistoryStore(DuckDBConnection writer) {
    this.writer = writer;
  }

  /** Creates the table if needed; {@code writer} must not be used by anyone else. */
  static DuckDbHistoryStore create(DuckDBConnection writer) throws SQLException {
    try (Statement statement = writer.createStatement()) {
      statement.execute(SCHEMA);
      for (String migration : MIGRATIONS) {
        statement.execute(migration);
      }
      statement.execute(MINUTES);
    }
    return new DuckDbHistoryStore(writer);
  }

  @Override
  public void append(List<Reading> readings) {
    if (readings.isEmpty()) {
      return;
    }
    synchronized (writer) {
      try (DuckDBAppender appender =
          writer.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "readings")) {
        for (Reading reading : readings) {
          appender
              .beginRow()
              .appendEpochMicros(epochMicros(reading.observedAt()))
              .append(reading.thingId().toString())
              .append(reading.feature())
              .append(reading.property());
          if (reading.value() instanceof ReadingValue.Numeric numeric) {
            appender.append(numeric.number());
          } else {
            appender.appendNull();
          }
          appender
              .append(reading.unit().name())
              .append(reading.category())
              .append(QualityFlag.format(reading.quality()));
          if (reading.value() instanceof ReadingValue.Stated stated) {
            appender.append(stated.json().toString());
          } else {
            appender.appendNull();
          }
          appender.endRow();
        }
        // Closing flushes the rows in one auto-committed transaction: durable when it returns.
      } catch (SQLException e) {
        throw new HistoryUnavailableException("cannot append " + readings.size() + " readings", e);
      }
    }
  }

  @Override
  public List<Reading> range(RangeQuery query) {
    String sql =
        "SELECT epoch_us(observed_at), "
            + ReadingRows.COLUMNS
            + """
             FROM readings
            WHERE thing_id = ? AND feature = ? AND property = ?
              AND observed_at >= make_timestamp(?) AND observed_at < make_timestamp(?)
            ORDER BY observed_at
            LIMIT ?
            """;
    try (Connection reader = writer.duplicate();
        PreparedStatement statement = reader.prepareStatement(sql)) {
      statement.setString(1, query.thingId().toString());
      statement.setString(2, query.feature());
      statement.setString(3, query.property());
      statement.setLong(4, epochMicros(query.from()));
      statement.setLong(5, epochMicros(query.to()));
      statement.setInt(6, query.limit());
      return readAll(statement);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read history of " + query.thingId(), e);
    }
  }

  @Override
  public List<Bucket> buckets(BucketQuery query) {
    // Raw rows and minute aggregates in one shape (count, min, max, sum, last, last_at), summed per
    // bucket.
    String sql =
        """
        SELECT (epoch_us(observed) - ?) // ? AS bucket, sum(n), min(lo), max(hi), sum(total) / sum(n),
               arg_max(last, last_at)
        FROM (
          SELECT observed_at AS observed, 1::BIGINT AS n, value AS lo, value AS hi, value AS total,
                 value AS last, observed_at AS last_at
          FROM readings
          WHERE thing_id = ? AND feature = ? AND property = ?
            AND observed_at >= make_timestamp(?) AND observed_at < make_timestamp(?)
            AND value IS NOT NULL AND %s
          UNION ALL
          SELECT minute, count, min, max, sum, last, last_at
          FROM readings_minute
          WHERE thing_id = ? AND feature = ? AND property = ?
            AND minute >= make_timestamp(?) AND minute < make_timestamp(?)
        )
        GROUP BY bucket
        ORDER BY bucket
        """
            .formatted(ReadingRows.TRUSTED);
    long fromMicros = epochMicros(query.from());
    try (Connection reader = writer.duplicate();
        PreparedStatement statement = reader.prepareStatement(sql)) {
      statement.setLong(1, fromMicros);
      statement.setLong(2, query.widthMicros());
      for (int offset : new int[] {3, 8}) {
        statement.setString(offset, query.thingId().toString());
        statement.setString(offset + 1, query.feature());
        statement.setString(offset + 2, query.property());
        statement.setLong(offset + 3, fromMicros);
        statement.setLong(offset + 4, epochMicros(query.to()));
      }
      return Buckets.read(statement, query);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot summarise history of " + query.thingId(), e);
    }
  }

  @Override
  public List<Reading> latest(LatestQuery query) {
    if (query.things().isEmpty()) {
      return List.of();
    }
    String sql =
        "SELECT DISTINCT ON (thing_id) epoch_us(observed_at), "
            + ReadingRows.COLUMNS
            + " FROM readings WHERE thing_id IN ("
            + String.join(", ", Collections.nCopies(query.things().size(), "?"))
            + ") AND feature = ? AND property = ?"
            + " AND observed_at >= make_timestamp(?) AND observed_at < make_timestamp(?) AND "
            + ReadingRows.TRUSTED
            + " ORDER BY thing_id, observed_at DESC";
    try (Connection reader = writer.duplicate();
        PreparedStatement statement = reader.prepareStatement(sql)) {
      int parameter = 1;
      for (ThingId thing : query.things()) {
        statement.setString(parameter++, thing.toString());
      }
      statement.setString(parameter++, query.feature());
      statement.setString(parameter++, query.property());
      statement.setLong(parameter++, epochMicros(query.since()));
      statement.setLong(parameter, epochMicros(query.at()));
      return ReadingRows.inQueryOrder(query, readAll(statement));
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read the latest readings", e);
    }
  }

  @Override
  public List<TrackPoint> trajectory(TrajectoryQuery query) {
    String sql =
        "SELECT epoch_us(observed_at), max(value) FILTER (WHERE property = 'longitude'),"
            + " max(value) FILTER (WHERE property = 'latitude')"
            + " FROM readings WHERE thing_id = ? AND feature = ?"
            + " AND property IN ('longitude', 'latitude') AND value IS NOT NULL"
            + " AND observed_at >= make_timestamp(?) AND observed_at < make_timestamp(?) AND "
            + ReadingRows.TRUSTED
            + " GROUP BY observed_at HAVING count(DISTINCT property) = 2"
            + " ORDER BY observed_at LIMIT ?";
    try (Connection reader = writer.duplicate();
        PreparedStatement statement = reader.prepareStatement(sql)) {
      statement.setString(1, query.thingId().toString());
      statement.setString(2, query.feature());
      statement.setLong(3, epochMicros(query.from()));
      statement.setLong(4, epochMicros(query.to()));
      statement.setInt(5, query.limit());
      return ReadingRows.readTrack(statement);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read the trajectory of " + query.thingId(), e);
    }
  }

  @Override
  public long export(ExportQuery query, Consumer<List<Reading>> batches) {
    String sql =
        "SELECT epoch_us(observed_at), "
            + ReadingRows.COLUMNS
            + " FROM readings WHERE observed_at >= make_timestamp(?) AND observed_at < make_timestamp(?)"
            + (query.thingId().isPresent() ? " AND thing_id = ?" : "")
            + " ORDER BY observed_at";
    long exported = 0;
    // The driver streams results by default (jdbc_stream_results): a day is never held whole.
    try (Connection reader = writer.duplicate()) {
      for (Instant dayStart : days(reader, query.from(), query.to())) {
        Instant from = later(dayStart, query.from());
        Instant to = earlier(dayStart.plus(1, ChronoUnit.DAYS), query.to());
        try (PreparedStatement statement = reader.prepareStatement(sql)) {
          statement.setLong(1, epochMicros(from));
          statement.setLong(2, epochMicros(to));
          if (query.thingId().isPresent()) {
            statement.setString(3, query.thingId().get().toString());
          }
          exported += ReadingRows.handOver(statement, batches);
        }
      }
      return exported;
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot export history", e);
    }
  }

  /** The UTC days from the first to the last reading in {@code [from, to)}, oldest first. */
  private static List<Instant> days(Connection reader, Instant from, Instant to)
      throws SQLException {
    try (PreparedStatement statement =
        reader.prepareStatement(
            "SELECT epoch_us(min(observed_at)), epoch_us(max(observed_at)) FROM readings"
                + " WHERE observed_at >= make_timestamp(?) AND observed_at < make_timestamp(?)")) {
      statement.setLong(1, epochMicros(from));
      statement.setLong(2, epochMicros(to));
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

  @Override
  public RetentionOutcome retain(RetentionPolicy policy, Instant now) {
    Instant rawCutoff = policy.rawCutoff(now);
    long removed = 0;
    long written = 0;
    synchronized (writer) {
      try {
        List<Instant> expired =
            rawCutoff.isAfter(Instant.EPOCH) ? days(writer, Instant.EPOCH, rawCutoff) : List.of();
        for (Instant dayStart : expired) {
          long from = epochMicros(dayStart);
          long to = epochMicros(dayStart.plus(1, ChronoUnit.DAYS));
          writer.setAutoCommit(false);
          try (PreparedStatement rollUp =
                  writer.prepareStatement(
                      """
                      INSERT INTO readings_minute
                      SELECT thing_id, feature, property, date_trunc('minute', observed_at),
                             count(*), min(value), max(value), sum(value),
                             arg_max(value, observed_at), max(observed_at)
                      FROM readings
                      WHERE observed_at >= make_timestamp(?) AND observed_at < make_timestamp(?)
                        AND value IS NOT NULL AND %s
                      GROUP BY thing_id, feature, property, date_trunc('minute', observed_at)
                      """
                          .formatted(ReadingRows.TRUSTED));
              PreparedStatement delete =
                  writer.prepareStatement(
                      "DELETE FROM readings WHERE observed_at >= make_timestamp(?)"
                          + " AND observed_at < make_timestamp(?)")) {
            rollUp.setLong(1, from);
            rollUp.setLong(2, to);
            written += rollUp.executeUpdate();
            delete.setLong(1, from);
            delete.setLong(2, to);
            removed += delete.executeUpdate();
            writer.commit();
          } catch (SQLException e) {
            writer.rollback();
            throw e;
          } finally {
            writer.setAutoCommit(true);
          }
        }
        long minutesRemoved;
        try (PreparedStatement delete =
            writer.prepareStatement(
                "DELETE FROM readings_minute WHERE minute < make_timestamp(?)")) {
          delete.setLong(1, epochMicros(policy.aggregateCutoff(now)));
          minutesRemoved = delete.executeUpdate();
        }
        return new RetentionOutcome(removed, written, minutesRemoved);
      } catch (SQLException e) {
        throw new HistoryUnavailableException("cannot apply the retention policy", e);
      }
    }
  }

  @Override
  public long count() {
    try (Connection reader = writer.duplicate();
        Statement statement = reader.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM readings")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot count history", e);
    }
  }

  void close() throws SQLException {
    synchronized (writer) {
      writer.close();
    }
  }

  private static List<Reading> readAll(PreparedStatement statement) throws SQLException {
    List<Reading> readings = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        readings.add(ReadingRows.read(rows));
      }
    }
    return readings;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static long epochMicros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
