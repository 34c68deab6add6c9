package org.citytwin.history.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

/**
 * Readings in PostgreSQL: the same narrow table as in DuckDB with {@code timestamptz} times,
 * appended in JDBC batches. One connection, used under a lock: worker threads take turns.
 */
final class PostgresHistoryStore implements HistoryStore {

  private static final String SCHEMA =
      """
      CREATE TABLE IF NOT EXISTS readings (
        observed_at timestamptz      NOT NULL,
        thing_id    text             NOT NULL,
        feature     text             NOT NULL,
        property    text             NOT NULL,
        value       double precision,
        unit        text             NOT NULL,
        category    text             NOT NULL DEFAULT 'unclassified',
        quality     text             NOT NULL DEFAULT '',
        stated      jsonb
      )""";

  /**
   * Schemas written before readings were classified and cleaned, and before readings could state a
   * value that is no number ({@code stated}, with {@code value} null).
   */
  private static final String[] MIGRATIONS = {
    "ALTER TABLE readings ADD COLUMN IF NOT EXISTS category text NOT NULL DEFAULT 'unclassified'",
    "ALTER TABLE readings ADD COLUMN IF NOT EXISTS quality text NOT NULL DEFAULT ''",
    "ALTER TABLE readings ADD COLUMN IF NOT EXISTS stated jsonb",
    "ALTER TABLE readings ALTER COLUMN value DROP NOT NULL"
  };

  private static final String INDEX =
      "CREATE INDEX IF NOT EXISTS readings_thing_time ON readings (thing_id, feature, property, observed_at)";

  private final Connection connection;

  private PostgresHistoryStore(Connection connection) {
    this.connection = connection;
  }

  static PostgresHistoryStore create(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(SCHEMA);
      for (String migration : MIGRATIONS) {
        statement.execute(migration);
      }
      statement.execute(INDEX);
    }
    return new PostgresHistoryStore(connection);
  }

  @Override
  public synchronized void append(List<Reading> readings) {
    if (readings.isEmpty()) {
      return;
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO readings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)")) {
      connection.setAutoCommit(false);
      for (Reading reading : readings) {
        insert.setObject(1, OffsetDateTime.ofInstant(reading.observedAt(), ZoneOffset.UTC));
        insert.setString(2, reading.thingId().toString());
        insert.setString(3, reading.feature());
        insert.setString(4, reading.property());
        if (reading.value() instanceof ReadingValue.Numeric numeric) {
          insert.setDouble(5, numeric.number());
          insert.setNull(9, Types.VARCHAR);
        } else {
          insert.setNull(5, Types.DOUBLE);
          insert.setString(9, reading.value().toJson().toString());
        }
        insert.setString(6, reading.unit().name());
        insert.setString(7, reading.category());
        insert.setString(8, QualityFlag.format(reading.quality()));
        insert.addBatch();
      }
      insert.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // The append failure is the one worth reporting.
      }
      throw new HistoryUnavailableException("cannot append " + readings.size() + " readings", e);
    }
  }

  @Override
  public synchronized List<Reading> range(RangeQuery query) {
    String sql =
        """
        SELECT observed_at, value, unit, category, quality, stated FROM readings
        WHERE thing_id = ? AND feature = ? AND property = ? AND observed_at >= ? AND observed_at < ?
        ORDER BY observed_at
        LIMIT ?""";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      connection.setAutoCommit(true);
      statement.setString(1, query.thingId().toString());
      statement.setString(2, query.feature());
      statement.setString(3, query.property());
      statement.setObject(4, OffsetDateTime.ofInstant(query.from(), ZoneOffset.UTC));
      statement.setObject(5, OffsetDateTime.ofInstant(query.to(), ZoneOffset.UTC));
      statement.setInt(6, query.limit());
      List<Reading> readings = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          readings.add(
              new Reading(
                  query.thingId(),
                  query.feature(),
                  query.property(),
                  rows.getString(6) == null
                      ? new ReadingValue.Numeric(rows.getDouble(2))
                      : ReadingValue.fromJsonText(rows.getString(6)),
                  CanonicalUnit.valueOf(rows.getString(3)),
                  rows.getObject(1, OffsetDateTime.class).toInstant(),
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
  public synchronized List<Bucket> buckets(BucketQuery query) {
    // Microseconds since 'from' as a bigint: exact, unlike a double of microseconds since 1970.
    String sql =
        """
        SELECT (extract(epoch from observed_at - ?)::numeric * 1000000)::bigint / ? AS bucket,
               count(value), min(value), max(value), avg(value),
               (array_agg(value ORDER BY observed_at DESC))[1]
        FROM readings
        WHERE thing_id = ? AND feature = ? AND property = ? AND observed_at >= ? AND observed_at < ?
          AND value IS NOT NULL
          AND quality NOT LIKE '%spike%' AND quality NOT LIKE '%clock-ahead%'
        GROUP BY bucket
        ORDER BY bucket""";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      connection.setAutoCommit(true);
      OffsetDateTime from = OffsetDateTime.ofInstant(query.from(), ZoneOffset.UTC);
      statement.setObject(1, from);
      statement.setLong(2, query.widthMicros());
      statement.setString(3, query.thingId().toString());
      statement.setString(4, query.feature());
      statement.setString(5, query.property());
      statement.setObject(6, from);
      statement.setObject(7, OffsetDateTime.ofInstant(query.to(), ZoneOffset.UTC));
      return Buckets.read(statement, query);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot summarise history of " + query.thingId(), e);
    }
  }

  @Override
  public synchronized long count() {
    try (Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM readings")) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot count history", e);
    }
  }

  synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot close the PostgreSQL connection", e);
    }
  }
}
