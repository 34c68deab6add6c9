package org.citytwin.history.duckdb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.citytwin.history.Bucket;
import org.citytwin.history.BucketQuery;
import org.citytwin.history.HistoryStore;
import org.citytwin.history.HistoryUnavailableException;
import org.citytwin.history.RangeQuery;
import org.citytwin.history.jdbc.Buckets;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

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
        """
        SELECT epoch_us(observed_at), value, unit, category, quality, stated FROM readings
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
      List<Reading> readings = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          readings.add(
              new Reading(
                  query.thingId(),
                  query.feature(),
                  query.property(),
                  readingValue(rows.getDouble(2), rows.getString(6)),
                  CanonicalUnit.valueOf(rows.getString(3)),
                  Instant.EPOCH.plus(rows.getLong(1), ChronoUnit.MICROS),
                  rows.getString(4),
                  QualityFlag.parse(rows.getString(5))));
        }
      }
      return readings;
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read history of " + query.thingId(), e);
    }
  }

  @Override
  public List<Bucket> buckets(BucketQuery query) {
    String sql =
        """
        SELECT (epoch_us(observed_at) - ?) // ? AS bucket, count(value), min(value), max(value),
               avg(value), arg_max(value, observed_at)
        FROM readings
        WHERE thing_id = ? AND feature = ? AND property = ?
          AND observed_at >= make_timestamp(?) AND observed_at < make_timestamp(?)
          AND value IS NOT NULL
          AND quality NOT LIKE '%spike%' AND quality NOT LIKE '%clock-ahead%'
        GROUP BY bucket
        ORDER BY bucket
        """;
    long fromMicros = epochMicros(query.from());
    try (Connection reader = writer.duplicate();
        PreparedStatement statement = reader.prepareStatement(sql)) {
      statement.setLong(1, fromMicros);
      statement.setLong(2, query.widthMicros());
      statement.setString(3, query.thingId().toString());
      statement.setString(4, query.feature());
      statement.setString(5, query.property());
      statement.setLong(6, fromMicros);
      statement.setLong(7, epochMicros(query.to()));
      return Buckets.read(statement, query);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot summarise history of " + query.thingId(), e);
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

  private static ReadingValue readingValue(double number, String stated) {
    return stated == null ? new ReadingValue.Numeric(number) : ReadingValue.fromJsonText(stated);
  }

  private static long epochMicros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
