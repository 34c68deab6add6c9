package org.citytwin.history.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
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
import org.citytwin.twin.Reading;
import org.eclipse.ditto.things.model.ThingId;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readings in PostgreSQL, appended with binary COPY.
 *
 * <p>Two layouts, chosen when the schema is created:
 *
 * <ul>
 *   <li>with the {@code timescaledb} extension available, a hypertable in chunks of a day,
 *       compressed after a week (segmented by thing, feature and property);
 *   <li>on stock PostgreSQL, a table partitioned by range of {@code observed_at}, one partition per
 *       UTC day, created before the first row of its day is copied. A BRIN index on the time keeps
 *       scans over long ranges cheap; a B-tree on thing, feature, property and time answers one
 *       thing's queries. Retention drops whole partitions.
 * </ul>
 *
 * Both keep older history as minute aggregates in {@code readings_minute}. One connection, used
 * under a lock: worker threads take turns.
 */
final class PostgresHistoryStore implements HistoryStore {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresHistoryStore.class);

  /** How a schema's readings table is laid out. */
  enum Layout {
    PARTITIONED,
    HYPERTABLE
  }

  private static final String COLUMNS =
      """
        observed_at timestamptz      NOT NULL,
        thing_id    text             NOT NULL,
        feature     text             NOT NULL,
        property    text             NOT NULL,
        value       double precision,
        unit        text             NOT NULL,
        category    text             NOT NULL DEFAULT 'unclassified',
        quality     text             NOT NULL DEFAULT '',
        stated      jsonb
      """;

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

  private static final String MINUTES =
      """
      CREATE TABLE IF NOT EXISTS readings_minute (
        thing_id text NOT NULL, feature text NOT NULL, property text NOT NULL,
        minute timestamptz NOT NULL, count bigint NOT NULL, min double precision NOT NULL,
        max double precision NOT NULL, sum double precision NOT NULL,
        last double precision NOT NULL, last_at timestamptz NOT NULL)""";

  private static final String[] INDEXES = {
    "CREATE INDEX IF NOT EXISTS readings_thing_time ON readings (thing_id, feature, property, observed_at)",
    "CREATE INDEX IF NOT EXISTS readings_minute_thing_time ON readings_minute (thing_id, feature, property, minute)"
  };

  /** Microseconds since 1970 of {@code observed_at}: exact, as extract returns numeric. */
  private static final String MICROS = "(extract(epoch from observed_at) * 1000000)::bigint";

  private static final DateTimeFormatter PARTITION_DAY = DateTimeFormatter.BASIC_ISO_DATE;

  private final Connection connection;
  private final Layout layout;

  /** The UTC days that have a partition (partitioned layout only). */
  private final NavigableSet<LocalDate> partitions;

  private PostgresHistoryStore(
      Connection connection, Layout layout, NavigableSet<LocalDate> partitions) {
    this.connection = connection;
    this.layout = layout;
    this.partitions = partitions;
  }

  static PostgresHistoryStore create(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      Layout layout = existingLayout(statement);
      if (layout == null) {
        layout = timescaleAvailable(statement) ? Layout.HYPERTABLE : Layout.PARTITIONED;
        createReadings(statement, layout);
      } else if (layout == Layout.PARTITIONED && !isPartitioned(statement)) {
        partitionExistingTable(statement);
      }
      for (String migration : MIGRATIONS) {
        statement.execute(migration);
      }
      statement.execute(MINUTES);
      for (String index : INDEXES) {
        statement.execute(index);
      }
      NavigableSet<LocalDate> partitions =
          layout == Layout.PARTITIONED ? listPartitions(statement) : new TreeSet<>();
      connection.commit();
      return new PostgresHistoryStore(connection, layout, partitions);
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  Layout layout() {
    return layout;
  }

  /** The layout of an existing readings table, or null when there is none. */
  private static Layout existingLayout(Statement statement) throws SQLException {
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = current_schema() AND c.relname = 'readings'")) {
      if (!rows.next()) {
        return null;
      }
    }
    boolean hypertable = false;
    if (extensionInstalled(statement)) {
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT 1 FROM timescaledb_information.hypertables"
                  + " WHERE hypertable_schema = current_schema() AND hypertable_name = 'readings'")) {
        hypertable = rows.next();
      }
    }
    return hypertable ? Layout.HYPERTABLE : Layout.PARTITIONED;
  }

  private static boolean extensionInstalled(Statement statement) throws SQLException {
    try (ResultSet rows =
        statement.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")) {
      return rows.next();
    }
  }

  private static boolean timescaleAvailable(Statement statement) throws SQLException {
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")) {
      return rows.next();
    }
  }

  private static boolean isPartitioned(Statement statement) throws SQLException {
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = current_schema() AND c.relname = 'readings'")) {
      return rows.next();
    }
  }

  private static void createReadings(Statement statement, Layout layout) throws SQLException {
    if (layout == Layout.HYPERTABLE) {
      statement.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
      statement.execute("CREATE TABLE readings (" + COLUMNS + ")");
      statement.execute(
          "SELECT create_hypertable('readings', 'observed_at',"
              + " chunk_time_interval => INTERVAL '1 day')");
      statement.execute(
          "ALTER TABLE readings SET (timescaledb.compress,"
              + " timescaledb.compress_segmentby = 'thing_id, feature, property',"
              + " timescaledb.compress_orderby = 'observed_at')");
      statement.execute("SELECT add_compression_policy('readings', INTERVAL '7 days')");
      LOG.info("history: readings are a TimescaleDB hypertable, compressed after 7 days");
    } else {
      statement.execute("CREATE TABLE readings (" + COLUMNS + ") PARTITION BY RANGE (observed_at)");
      statement.execute("CREATE INDEX readings_time_brin ON readings USING brin (observed_at)");
    }
  }

  /**
   * A schema from before partitions: its rows move into a partitioned table of the same name, in
   * the same transaction as the rest of the schema's set-up.
   */
  private static void partitionExistingTable(Statement statement) throws SQLException {
    for (String migration : MIGRATIONS) {
      statement.execute(migration);
    }
    statement.execute("ALTER TABLE readings RENAME TO readings_unpartitioned");
    statement.execute("DROP INDEX IF EXISTS readings_thing_time");
    createReadings(statement, Layout.PARTITIONED);
    List<LocalDate> days = new ArrayList<>();
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT DISTINCT (observed_at AT TIME ZONE 'UTC')::date FROM readings_unpartitioned")) {
      while (rows.next()) {
        days.add(rows.getObject(1, LocalDate.class));
      }
    }
    for (LocalDate day : days) {
      statement.execute(createPartition(day));
    }
    int moved =
        statement.executeUpdate(
            "INSERT INTO readings ("
                + BinaryCopy.COLUMNS
                + ") SELECT "
                + BinaryCopy.COLUMNS
                + " FROM readings_unpartitioned");
    statement.execute("DROP TABLE readings_unpartitioned");
    LOG.info("history: moved {} readings of {} days into daily partitions", moved, days.size());
  }

  private static NavigableSet<LocalDate> listPartitions(Statement statement) throws SQLException {
    NavigableSet<LocalDate> days = new TreeSet<>();
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " JOIN pg_class p ON p.oid = i.inhparent"
                + " JOIN pg_namespace n ON n.oid = p.relnamespace"
                + " WHERE n.nspname = current_schema() AND p.relname = 'readings'")) {
      while (rows.next()) {
        String name = rows.getString(1);
        if (name.startsWith("readings_d")) {
          days.add(LocalDate.parse(name.substring("readings_d".length()), PARTITION_DAY));
        }
      }
    }
    return days;
  }

  private static String partitionName(LocalDate day) {
    return "readings_d" + day.format(PARTITION_DAY);
  }

  private static String createPartition(LocalDate day) {
    return "CREATE TABLE IF NOT EXISTS "
        + partitionName(day)
        + " PARTITION OF readings FOR VALUES FROM ('"
        + day
        + " 00:00:00+00') TO ('"
        + day.plusDays(1)
        + " 00:00:00+00')";
  }

  private static LocalDate utcDay(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC);
  }

  @Override
  public synchronized void append(List<Reading> readings) {
    if (readings.isEmpty()) {
      return;
    }
    List<LocalDate> newDays = List.of();
    try {
      connection.setAutoCommit(false);
      if (layout == Layout.PARTITIONED) {
        newDays =
            readings.stream()
                .map(reading -> utcDay(reading.observedAt()))
                .distinct()
                .filter(day -> !partitions.contains(day))
                .toList();
        try (Statement statement = connection.createStatement()) {
          for (LocalDate day : newDays) {
            statement.execute(createPartition(day));
          }
        }
      }
      try (BinaryCopy copy =
          new BinaryCopy(
              new PGCopyOutputStream(
                  connection.unwrap(PGConnection.class),
                  "COPY readings (" + BinaryCopy.COLUMNS + ") FROM STDIN (FORMAT binary)",
                  1 << 20))) {
        for (Reading reading : readings) {
          copy.write(reading);
        }
      }
      connection.commit();
      partitions.addAll(newDays);
    } catch (SQLException | IOException | RuntimeException e) {
      rollbackQuietly();
      throw new HistoryUnavailableException("cannot append " + readings.size() + " readings", e);
    } finally {
      autoCommit();
    }
  }

  @Override
  public synchronized List<Reading> range(RangeQuery query) {
    String sql =
        "SELECT "
            + MICROS
            + ", "
            + ReadingRows.COLUMNS
            + """
             FROM readings
            WHERE thing_id = ? AND feature = ? AND property = ? AND observed_at >= ? AND observed_at < ?
            ORDER BY observed_at
            LIMIT ?""";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, query.thingId().toString());
      statement.setString(2, query.feature());
      statement.setString(3, query.property());
      statement.setObject(4, time(query.from()));
      statement.setObject(5, time(query.to()));
      statement.setInt(6, query.limit());
      return readAll(statement);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read history of " + query.thingId(), e);
    }
  }

  @Override
  public synchronized List<Bucket> buckets(BucketQuery query) {
    // Raw rows and minute aggregates in one shape (count, min, max, sum, last, last_at), summed per
    // bucket. Bucket numbers are microseconds since 'from' as a bigint: exact, unlike a double.
    String sql =
        """
        SELECT (extract(epoch from observed - ?)::numeric * 1000000)::bigint / ? AS bucket,
               sum(n), min(lo), max(hi), sum(total) / sum(n),
               (array_agg(last ORDER BY last_at DESC))[1]
        FROM (
          SELECT observed_at AS observed, 1::bigint AS n, value AS lo, value AS hi, value AS total,
                 value AS last, observed_at AS last_at
          FROM readings
          WHERE thing_id = ? AND feature = ? AND property = ? AND observed_at >= ? AND observed_at < ?
            AND value IS NOT NULL AND %s
          UNION ALL
          SELECT minute, count, min, max, sum, last, last_at
          FROM readings_minute
          WHERE thing_id = ? AND feature = ? AND property = ? AND minute >= ? AND minute < ?
        ) AS rows
        GROUP BY bucket
        ORDER BY bucket"""
            .formatted(ReadingRows.TRUSTED);
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      OffsetDateTime from = time(query.from());
      OffsetDateTime to = time(query.to());
      statement.setObject(1, from);
      statement.setLong(2, query.widthMicros());
      for (int offset : new int[] {3, 8}) {
        statement.setString(offset, query.thingId().toString());
        statement.setString(offset + 1, query.feature());
        statement.setString(offset + 2, query.property());
        statement.setObject(offset + 3, from);
        statement.setObject(offset + 4, to);
      }
      return Buckets.read(statement, query);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot summarise history of " + query.thingId(), e);
    }
  }

  @Override
  public synchronized List<Reading> latest(LatestQuery query) {
    if (query.things().isEmpty()) {
      return List.of();
    }
    String sql =
        "SELECT DISTINCT ON (thing_id) "
            + MICROS
            + ", "
            + ReadingRows.COLUMNS
            + " FROM readings WHERE thing_id = ANY (?) AND feature = ? AND property = ?"
            + " AND observed_at >= ? AND observed_at < ? AND "
            + ReadingRows.TRUSTED
            + " ORDER BY thing_id, observed_at DESC";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setArray(
          1,
          connection.createArrayOf(
              "text", query.things().stream().map(ThingId::toString).toArray()));
      statement.setString(2, query.feature());
      statement.setString(3, query.property());
      statement.setObject(4, time(query.since()));
      statement.setObject(5, time(query.at()));
      return ReadingRows.inQueryOrder(query, readAll(statement));
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read the latest readings", e);
    }
  }

  @Override
  public synchronized List<TrackPoint> trajectory(TrajectoryQuery query) {
    String sql =
        "SELECT "
            + MICROS
            + ", max(value) FILTER (WHERE property = 'longitude'),"
            + " max(value) FILTER (WHERE property = 'latitude')"
            + " FROM readings WHERE thing_id = ? AND feature = ?"
            + " AND property IN ('longitude', 'latitude') AND value IS NOT NULL"
            + " AND observed_at >= ? AND observed_at < ? AND "
            + ReadingRows.TRUSTED
            + " GROUP BY observed_at HAVING count(DISTINCT property) = 2"
            + " ORDER BY observed_at LIMIT ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, query.thingId().toString());
      statement.setString(2, query.feature());
      statement.setObject(3, time(query.from()));
      statement.setObject(4, time(query.to()));
      statement.setInt(5, query.limit());
      return ReadingRows.readTrack(statement);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read the trajectory of " + query.thingId(), e);
    }
  }

  @Override
  public synchronized long export(ExportQuery query, Consumer<List<Reading>> batches) {
    String sql =
        "SELECT "
            + MICROS
            + ", "
            + ReadingRows.COLUMNS
            + " FROM readings WHERE observed_at >= ? AND observed_at < ?"
            + (query.thingId().isPresent() ? " AND thing_id = ?" : "")
            + " ORDER BY observed_at";
    long exported = 0;
    try {
      // A cursor (fetch size with auto-commit off) keeps one batch in memory, not the whole day.
      connection.setAutoCommit(false);
      for (Instant dayStart : days(query.from(), query.to())) {
        Instant from = later(dayStart, query.from());
        Instant to = earlier(dayStart.plus(1, ChronoUnit.DAYS), query.to());
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
          statement.setFetchSize(EXPORT_BATCH_ROWS);
          statement.setObject(1, time(from));
          statement.setObject(2, time(to));
          if (query.thingId().isPresent()) {
            statement.setString(3, query.thingId().get().toString());
          }
          exported += ReadingRows.handOver(statement, batches);
        }
      }
      connection.commit();
      return exported;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new HistoryUnavailableException("cannot export history", e);
    } finally {
      autoCommit();
    }
  }

  /** The UTC days in {@code [from, to)} that may hold readings, oldest first. */
  private List<Instant> days(Instant from, Instant to) throws SQLException {
    LocalDate first = utcDay(from);
    LocalDate last = utcDay(to.minusNanos(1));
    if (layout == Layout.PARTITIONED) {
      return partitions.subSet(first, true, last, true).stream()
          .map(day -> day.atStartOfDay().toInstant(ZoneOffset.UTC))
          .toList();
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT min(observed_at), max(observed_at) FROM readings"
                + " WHERE observed_at >= ? AND observed_at < ?")) {
      statement.setObject(1, time(from));
      statement.setObject(2, time(to));
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        if (rows.getObject(1) == null) {
          return List.of();
        }
        return ReadingRows.utcDayStarts(
            rows.getObject(1, OffsetDateTime.class).toInstant(),
            rows.getObject(2, OffsetDateTime.class).toInstant());
      }
    }
  }

  @Override
  public synchronized RetentionOutcome retain(RetentionPolicy policy, Instant now) {
    Instant rawCutoff = policy.rawCutoff(now);
    long removed = 0;
    long written = 0;
    try {
      List<Instant> expired =
          rawCutoff.isAfter(Instant.EPOCH)
              ? days(Instant.EPOCH, rawCutoff)
              : Collections.<Instant>emptyList();
      for (Instant dayStart : expired) {
        connection.setAutoCommit(false);
        LocalDate day = utcDay(dayStart);
        try (Statement statement = connection.createStatement()) {
          String source = layout == Layout.PARTITIONED ? partitionName(day) : "readings";
          written += statement.executeUpdate(rollUp(source, dayStart));
          if (layout == Layout.PARTITIONED) {
            removed += count(statement, "SELECT count(*) FROM " + source);
            statement.execute("DROP TABLE " + source);
          } else {
            removed += count(statement, countDay(dayStart));
            statement.execute(
                "SELECT drop_chunks('readings', older_than => TIMESTAMPTZ '"
                    + time(dayStart.plus(1, ChronoUnit.DAYS))
                    + "')");
          }
        }
        connection.commit();
        partitions.remove(day);
      }
      connection.setAutoCommit(true);
      long minutesRemoved;
      try (PreparedStatement statement =
          connection.prepareStatement("DELETE FROM readings_minute WHERE minute < ?")) {
        statement.setObject(1, time(policy.aggregateCutoff(now)));
        minutesRemoved = statement.executeUpdate();
      }
      return new RetentionOutcome(removed, written, minutesRemoved);
    } catch (SQLException e) {
      rollbackQuietly();
      throw new HistoryUnavailableException("cannot apply the retention policy", e);
    } finally {
      autoCommit();
    }
  }

  /** Minute aggregates of one day of trusted numbers, read from {@code source}. */
  private static String rollUp(String source, Instant dayStart) {
    return """
        INSERT INTO readings_minute
        SELECT thing_id, feature, property, date_trunc('minute', observed_at), count(*), min(value),
               max(value), sum(value), (array_agg(value ORDER BY observed_at DESC))[1],
               max(observed_at)
        FROM %s
        WHERE observed_at >= TIMESTAMPTZ '%s' AND observed_at < TIMESTAMPTZ '%s'
          AND value IS NOT NULL AND %s
        GROUP BY thing_id, feature, property, date_trunc('minute', observed_at)"""
        .formatted(
            source, time(dayStart), time(dayStart.plus(1, ChronoUnit.DAYS)), ReadingRows.TRUSTED);
  }

  private static String countDay(Instant dayStart) {
    return "SELECT count(*) FROM readings WHERE observed_at >= TIMESTAMPTZ '%s' AND observed_at < TIMESTAMPTZ '%s'"
        .formatted(time(dayStart), time(dayStart.plus(1, ChronoUnit.DAYS)));
  }

  private static long count(Statement statement, String sql) throws SQLException {
    try (ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Override
  public synchronized long count() {
    try (Statement statement = connection.createStatement()) {
      return count(statement, "SELECT count(*) FROM readings");
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot count history", e);
    }
  }

  /** Bytes the readings and their indexes take on disk, partitions included. */
  synchronized long bytesOnDisk() {
    try (Statement statement = connection.createStatement()) {
      return count(
          statement,
          "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
              + " JOIN pg_namespace n ON n.oid = c.relnamespace"
              + " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
              + " AND (c.relname = 'readings' OR c.relname LIKE 'readings\\_d%')");
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot measure history", e);
    }
  }

  synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot close the PostgreSQL connection", e);
    }
  }

  private List<Reading> readAll(PreparedStatement statement) throws SQLException {
    List<Reading> readings = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        readings.add(ReadingRows.read(rows));
      }
    }
    return readings;
  }

  private static OffsetDateTime time(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // The failure that led here is the one worth reporting.
    }
  }

  private void autoCommit() {
    try {
      connection.setAutoCommit(true);
    } catch (SQLException ignored) {
      // A broken connection shows itself on the next call.
    }
  }
}
