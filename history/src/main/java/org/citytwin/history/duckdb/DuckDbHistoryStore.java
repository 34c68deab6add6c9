package org.citytwin.history.duckdb;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
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
import org.citytwin.history.arrow.ArrowAnswers;
import org.citytwin.history.arrow.SampleArrowWriter;
import org.citytwin.history.jdbc.MinuteDays;
import org.citytwin.history.jdbc.ReadingRows;
import org.citytwin.history.jdbc.SampleQueries;
import org.citytwin.history.jdbc.SeriesCatalog;
import org.citytwin.history.jdbc.SqlDialect;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * History in an embedded DuckDB file: samples (time, series number, value, flags, stated JSON)
 * appended through DuckDB's Appender, the fastest bulk path the JDBC driver offers, with the {@link
 * SeriesCatalog} naming what each series number stands for. A view {@code readings} joins them back
 * for anyone reading the file with DuckDB itself.
 *
 * <p>DuckDB allows one writing process per file, and its connections must not be shared between
 * threads at once: appends go through one writer connection under a lock, each query takes a
 * duplicate connection of the same database.
 */
final class DuckDbHistoryStore implements HistoryStore {

  private static final Logger LOG = LoggerFactory.getLogger(DuckDbHistoryStore.class);

  private static final String SAMPLES =
      """
      CREATE TABLE IF NOT EXISTS samples (
        observed_at TIMESTAMP NOT NULL,
        series_id   INTEGER   NOT NULL,
        value       DOUBLE,
        quality     SMALLINT  NOT NULL,
        stated      VARCHAR
      )
      """;

  /** Older history, rolled up by {@link #retain}: one row per series and minute. */
  private static final String MINUTES =
      """
      CREATE TABLE IF NOT EXISTS sample_minutes (
        series_id INTEGER NOT NULL, minute TIMESTAMP NOT NULL, count BIGINT NOT NULL,
        min DOUBLE NOT NULL, max DOUBLE NOT NULL, sum DOUBLE NOT NULL, last DOUBLE NOT NULL,
        last_at TIMESTAMP NOT NULL)
      """;

  private static final String COMPACTED =
      "CREATE TABLE IF NOT EXISTS compacted_days (day DATE PRIMARY KEY)";

  private static final String VIEW =
      """
      CREATE OR REPLACE VIEW readings AS
      SELECT observed_at, thing_id, feature, property, value, unit, category, quality, stated
      FROM samples JOIN series USING (series_id)
      """;

  /**
   * Files from before series: one wide {@code readings} table, in any of its earlier shapes (before
   * {@code category}, {@code quality} and {@code stated} were added).
   */
  private static final String[] WIDE_TABLE_MIGRATIONS = {
    "ALTER TABLE readings ADD COLUMN IF NOT EXISTS category VARCHAR DEFAULT 'unclassified'",
    "ALTER TABLE readings ADD COLUMN IF NOT EXISTS quality VARCHAR DEFAULT ''",
    "ALTER TABLE readings ADD COLUMN IF NOT EXISTS stated VARCHAR",
    "ALTER TABLE readings RENAME TO readings_before_series",
    SeriesCatalog.TABLE,
    SAMPLES,
    """
    INSERT INTO series
    SELECT (row_number() OVER (ORDER BY thing_id, feature, property, unit, category) - 1)::INTEGER,
           thing_id, feature, property, unit, category
    FROM (SELECT DISTINCT thing_id, feature, property, unit, coalesce(category, 'unclassified')
            AS category FROM readings_before_series)
    """,
    """
    INSERT INTO samples
    SELECT r.observed_at, s.series_id, r.value, %s, r.stated
    FROM readings_before_series r JOIN series s
      ON s.thing_id = r.thing_id AND s.feature = r.feature AND s.property = r.property
     AND s.unit = r.unit AND s.category = coalesce(r.category, 'unclassified')
    ORDER BY r.observed_at
    """
        .formatted(ReadingRows.maskOfText("r.quality")),
    "DROP TABLE readings_before_series"
  };

  /** Times go in as microseconds: DuckDB's TIMESTAMP is microseconds since 1970 itself. */
  private static final SqlDialect DIALECT =
      new SqlDialect() {
        @Override
        public String micros(String time) {
          return "epoch_us(" + time + ")";
        }

        @Override
        public String timeParameter() {
          return "make_timestamp(?)";
        }

        @Override
        public void bindTime(PreparedStatement statement, int index, Instant time)
            throws SQLException {
          statement.setLong(index, ReadingRows.epochMicros(time));
        }

        @Override
        public String lastValue(String value, String order) {
          return "arg_max(" + value + ", " + order + ")";
        }

        @Override
        public String divide(String dividend, String divisor) {
          return dividend + " // " + divisor;
        }
      };

  private final DuckDBConnection writer;
  private final SeriesCatalog catalog;
  private final Object maintenanceLock = new Object();
  private final BufferAllocator allocator = new RootAllocator();
  private final MinuteDays minuteDays;
  private final ReaderConnections readers;
  private final SampleQueries queries;

  private DuckDbHistoryStore(
      DuckDBConnection writer, SeriesCatalog catalog, MinuteDays minuteDays) {
    this.writer = writer;
    this.catalog = catalog;
    this.minuteDays = minuteDays;
    this.readers = new ReaderConnections(writer);
    this.queries = new SampleQueries(DIALECT, catalog, minuteDays);
  }

  /** Creates the tables if needed; {@code writer} must not be used by anyone else. */
  static DuckDbHistoryStore create(DuckDBConnection writer) throws SQLException {
    try (Statement statement = writer.createStatement()) {
      if (hasWideTable(statement)) {
        writer.setAutoCommit(false);
        try {
          for (String migration : WIDE_TABLE_MIGRATIONS) {
            statement.execute(migration);
          }
          writer.commit();
          LOG.info("history: moved the readings table into series and samples");
        } catch (SQLException e) {
          writer.rollback();
          throw e;
        } finally {
          writer.setAutoCommit(true);
        }
      }
      statement.execute(SeriesCatalog.TABLE);
      statement.execute(SAMPLES);
      statement.execute(MINUTES);
      statement.execute(COMPACTED);
      statement.execute(MinuteDays.TABLE);
      statement.execute(VIEW);
    }
    return new DuckDbHistoryStore(writer, SeriesCatalog.load(writer), MinuteDays.load(writer));
  }

  private static boolean hasWideTable(Statement statement) throws SQLException {
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT 1 FROM information_schema.tables"
                + " WHERE table_name = 'readings' AND table_type = 'BASE TABLE'")) {
      return rows.next();
    }
  }

  @Override
  public void append(List<Reading> readings) {
    if (readings.isEmpty()) {
      return;
    }
    synchronized (writer) {
      try (MinuteDays.Turn turn = minuteDays.holdFor(readings)) {
        // New series commit first: a failed append leaves unused series behind, which is harmless.
        SeriesCatalog.Assignment series = catalog.assign(writer, readings);
        catalog.addAll(series.added());
        int[] ids = series.ids();
        // Late readings of a summarised day add minute rows, committed with their samples.
        int[] lateNumbers = minuteDays.lateNumbers(readings);
        boolean late = lateNumbers.length > 0;
        if (late) {
          writer.setAutoCommit(false);
        }
        try {
          appendSamples(readings, ids);
          if (late) {
            queries.writeLateMinutes(writer, readings, ids, lateNumbers);
            writer.commit();
          }
        } catch (SQLException | RuntimeException e) {
          if (late) {
            writer.rollback();
          }
          throw e;
        } finally {
          if (late) {
            writer.setAutoCommit(true);
          }
        }
      } catch (SQLException e) {
        throw new HistoryUnavailableException("cannot append " + readings.size() + " readings", e);
      }
    }
  }

  /** The columns of {@code samples}, as Arrow hands them to DuckDB. */
  private static final Schema SAMPLE_COLUMNS =
      new Schema(
          List.of(
              Field.notNullable("observed_at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
              Field.notNullable("series_id", new ArrowType.Int(32, true)),
              Field.nullable("value", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.notNullable("quality", new ArrowType.Int(16, true)),
              Field.nullable("stated", ArrowType.Utf8.INSTANCE)));

  /**
   * Below this many rows a commit goes through DuckDB's Appender, at and above it as Arrow columns.
   * See {@link #appendSamples}.
   */
  static final int ARROW_FROM_ROWS = 4_000;

  /**
   * Writes the samples in one transaction (the caller's, or their own in auto-commit).
   *
   * <p>Large commits hand DuckDB Arrow columns (the C data interface) inserted by one statement:
   * the Appender takes a call per value through its Java side, and Arrow wrote 1.6x the rows per
   * second in back-to-back runs of 50,000-row commits (docs/benchmarks.md). But that statement
   * costs milliseconds whatever its size (a view created and dropped, a query parsed and planned,
   * DuckDB's threads calling back into Java for the stream), which a steady load's commits of a few
   * hundred rows pay on every commit; they go through the Appender.
   */
  private void appendSamples(List<Reading> readings, int[] ids) throws SQLException {
    if (ids.length < ARROW_FROM_ROWS) {
      appendRowByRow(readings, ids);
    } else {
      appendAsArrow(readings, ids);
    }
  }

  private void appendRowByRow(List<Reading> readings, int[] ids) throws SQLException {
    try (DuckDBAppender appender =
        writer
            .unwrap(DuckDBConnection.class)
            .createAppender(DuckDBConnection.DEFAULT_SCHEMA, "samples")) {
      for (int i = 0; i < ids.length; i++) {
        Reading reading = readings.get(i);
        appender.beginRow().appendEpochMicros(ReadingRows.epochMicros(reading.observedAt()));
        appender.append(ids[i]);
        if (reading.value() instanceof ReadingValue.Numeric numeric) {
          appender.append(numeric.number());
          appender.append((short) QualityFlag.mask(reading.quality()));
          appender.appendNull();
        } else {
          appender.appendNull();
          appender.append((short) QualityFlag.mask(reading.quality()));
          appender.append(((ReadingValue.Stated) reading.value()).json().toString());
        }
        appender.endRow();
      }
    }
  }

  private void appendAsArrow(List<Reading> readings, int[] ids) throws SQLException {
    int rows = ids.length;
    try (VectorSchemaRoot columns = VectorSchemaRoot.create(SAMPLE_COLUMNS, allocator)) {
      columns.getFieldVectors().forEach(vector -> vector.setInitialCapacity(rows));
      columns.allocateNew();
      TimeStampMicroVector observedAt = (TimeStampMicroVector) columns.getVector(0);
      IntVector series = (IntVector) columns.getVector(1);
      Float8Vector value = (Float8Vector) columns.getVector(2);
      SmallIntVector quality = (SmallIntVector) columns.getVector(3);
      VarCharVector stated = (VarCharVector) columns.getVector(4);
      for (int i = 0; i < rows; i++) {
        Reading reading = readings.get(i);
        observedAt.set(i, ReadingRows.epochMicros(reading.observedAt()));
        series.set(i, ids[i]);
        if (reading.value() instanceof ReadingValue.Numeric numeric) {
          value.set(i, numeric.number());
          stated.setNull(i);
        } else {
          value.setNull(i);
          stated.setSafe(
              i,
              ((ReadingValue.Stated) reading.value())
                  .json()
                  .toString()
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        quality.set(i, (short) QualityFlag.mask(reading.quality()));
      }
      columns.setRowCount(rows);
      try (ArrowReader batch = new OneBatch(allocator, columns);
          ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
        Data.exportArrayStream(allocator, batch, stream);
        writer.registerArrowStream(INCOMING, stream);
        try (Statement insert = writer.createStatement()) {
          // In auto-commit, one transaction: durable when it returns.
          insert.execute("INSERT INTO samples SELECT * FROM " + INCOMING);
          insert.execute("DROP VIEW " + INCOMING);
        }
      }
    } catch (java.io.IOException e) {
      throw new SQLException("cannot hand the samples over", e);
    }
  }

  /** The name the batch being appended goes by, for the one statement that inserts it. */
  private static final String INCOMING = "incoming_samples";

  /** One record batch as an Arrow reader, for DuckDB to scan. */
  private static final class OneBatch extends ArrowReader {
    private final VectorSchemaRoot columns;
    private boolean handedOver;

    OneBatch(BufferAllocator allocator, VectorSchemaRoot columns) {
      super(allocator);
      this.columns = columns;
    }

    @Override
    public boolean loadNextBatch() {
      if (handedOver) {
        return false;
      }
      handedOver = true;
      return true;
    }

    @Override
    public VectorSchemaRoot getVectorSchemaRoot() {
      return columns;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {
      // The columns belong to the caller, who closes them.
    }

    @Override
    protected Schema readSchema() {
      return columns.getSchema();
    }
  }

  @Override
  public List<Reading> range(RangeQuery query) {
    try (ReaderConnections.Lease lease = readers.borrow()) {
      return queries.range(lease.connection(), query);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read history of " + query.thingId(), e);
    }
  }

  /**
   * DuckDB hands the samples over as Arrow columns (through the C data interface), and {@link
   * SampleArrowWriter} adds the series' and flags' texts: no reading is built, and DuckDB hands
   * over only narrow columns.
   */
  @Override
  public void rangeAsArrow(RangeQuery query, BufferAllocator allocator, WritableByteChannel out) {
    List<SeriesCatalog.Series> series =
        catalog.of(query.thingId(), query.feature(), query.property());
    if (series.isEmpty()) {
      HistoryStore.super.rangeAsArrow(query, allocator, out);
      return;
    }
    String sql =
        "SELECT epoch_us(observed_at), series_id, value, quality, stated FROM samples"
            + " WHERE series_id IN "
            + SeriesCatalog.idList(series)
            + " AND observed_at >= make_timestamp(?) AND observed_at < make_timestamp(?)"
            + " ORDER BY observed_at LIMIT ?";
    try (ReaderConnections.Lease lease = readers.borrow();
        PreparedStatement statement = lease.connection().prepareStatement(sql)) {
      statement.setLong(1, ReadingRows.epochMicros(query.from()));
      statement.setLong(2, ReadingRows.epochMicros(query.to()));
      statement.setInt(3, query.limit());
      try (DuckDBResultSet rows = statement.executeQuery().unwrap(DuckDBResultSet.class);
          ArrowReader columns =
              (ArrowReader) rows.arrowExportStream(allocator, ArrowAnswers.BATCH_ROWS);
          SampleArrowWriter stream =
              new SampleArrowWriter(SeriesCatalog.labels(series), out, allocator)) {
        while (columns.loadNextBatch()) {
          stream.write(columns.getVectorSchemaRoot());
        }
      }
    } catch (SQLException | IOException e) {
      throw new HistoryUnavailableException("cannot read history of " + query.thingId(), e);
    }
  }

  @Override
  public List<Bucket> buckets(BucketQuery query) {
    try (ReaderConnections.Lease lease = readers.borrow()) {
      return queries.buckets(lease.connection(), query);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot summarise history of " + query.thingId(), e);
    }
  }

  @Override
  public List<Reading> latest(LatestQuery query) {
    try (ReaderConnections.Lease lease = readers.borrow()) {
      return queries.latest(lease.connection(), query);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read the latest readings", e);
    }
  }

  @Override
  public List<TrackPoint> trajectory(TrajectoryQuery query) {
    try (ReaderConnections.Lease lease = readers.borrow()) {
      return queries.trajectory(lease.connection(), query);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read the trajectory of " + query.thingId(), e);
    }
  }

  @Override
  public long export(ExportQuery query, Consumer<List<Reading>> batches) {
    // The driver streams results by default (jdbc_stream_results): a day is never held whole.
    try (Connection reader = writer.duplicate()) {
      return queries.export(
          reader, query, queries.daysWithSamples(reader, query.from(), query.to()), batches);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot export history", e);
    }
  }

  @Override
  public RetentionOutcome retain(RetentionPolicy policy, Instant now) {
    Instant rawCutoff = policy.rawCutoff(now);
    long removed = 0;
    long written = 0;
    // Maintenance works on a connection of its own, so appends (which touch only recent days)
    // go on meanwhile; DuckDB's optimistic concurrency keeps the two apart.
    synchronized (maintenanceLock) {
      try (DuckDBConnection maintenance = writer.duplicate()) {
        List<Instant> expired =
            rawCutoff.isAfter(Instant.EPOCH)
                ? queries.daysWithSamples(maintenance, Instant.EPOCH, rawCutoff)
                : List.of();
        for (Instant dayStart : expired) {
          long from = ReadingRows.epochMicros(dayStart);
          long to = ReadingRows.epochMicros(dayStart.plus(1, ChronoUnit.DAYS));
          SampleQueries.Expiry expiry =
              queries.expire(
                  maintenance,
                  "samples",
                  dayStart,
                  statement ->
                      statement.executeUpdate(
                          "DELETE FROM samples WHERE observed_at >= make_timestamp(%d)"
                                  .formatted(from)
                              + " AND observed_at < make_timestamp(%d)".formatted(to)));
          written += expiry.minutesWritten();
          removed += expiry.samplesRemoved();
        }
        long minutesRemoved;
        try (PreparedStatement delete =
            maintenance.prepareStatement(
                "DELETE FROM sample_minutes WHERE minute < make_timestamp(?)")) {
          delete.setLong(1, ReadingRows.epochMicros(policy.aggregateCutoff(now)));
          minutesRemoved = delete.executeUpdate();
        }
        queries.forgetSummariesBefore(maintenance, MinuteDays.utcDay(policy.aggregateCutoff(now)));
        return new RetentionOutcome(removed, written, minutesRemoved);
      } catch (SQLException e) {
        throw new HistoryUnavailableException("cannot apply the retention policy", e);
      }
    }
  }

  @Override
  public int compact(Instant now) {
    Instant today = now.minus(DAY_CLOSES_AFTER).truncatedTo(ChronoUnit.DAYS);
    int compacted = 0;
    synchronized (maintenanceLock) {
      try (DuckDBConnection maintenance = writer.duplicate()) {
        for (Instant dayStart : queries.daysWithSamples(maintenance, Instant.EPOCH, today)) {
          if (isCompacted(maintenance, dayStart)) {
            continue;
          }
          long from = ReadingRows.epochMicros(dayStart);
          long to = ReadingRows.epochMicros(dayStart.plus(1, ChronoUnit.DAYS));
          maintenance.setAutoCommit(false);
          try (Statement statement = maintenance.createStatement()) {
            long lastRowBefore;
            try (ResultSet rows = statement.executeQuery("SELECT max(rowid) FROM samples")) {
              rows.next();
              lastRowBefore = rows.getLong(1);
            }
            String day =
                "observed_at >= make_timestamp(%d) AND observed_at < make_timestamp(%d)"
                    .formatted(from, to);
            // New rows go after every existing one, so the old copies are those up to
            // lastRowBefore.
            statement.execute(
                "INSERT INTO samples SELECT * FROM samples WHERE "
                    + day
                    + " ORDER BY series_id, observed_at");
            statement.execute(
                "DELETE FROM samples WHERE " + day + " AND rowid <= " + lastRowBefore);
            statement.execute(
                "INSERT INTO compacted_days VALUES (DATE '"
                    + dayStart.toString().substring(0, 10)
                    + "')");
            maintenance.commit();
            compacted++;
          } catch (SQLException e) {
            maintenance.rollback();
            throw e;
          } finally {
            maintenance.setAutoCommit(true);
          }
        }
        summariseClosedDays(maintenance, today);
        if (compacted > 0) {
          checkpoint(maintenance);
        }
        return compacted;
      } catch (SQLException e) {
        throw new HistoryUnavailableException("cannot compact history", e);
      }
    }
  }

  /** Summarises every closed day not summarised yet (see {@link MinuteDays}). */
  private void summariseClosedDays(Connection maintenance, Instant today) throws SQLException {
    for (Instant dayStart : queries.daysWithSamples(maintenance, Instant.EPOCH, today)) {
      if (!minuteDays.contains(MinuteDays.utcDay(dayStart))) {
        queries.summarise(maintenance, "samples", dayStart);
      }
    }
  }

  /**
   * Writes the rewritten days into the file now: until a checkpoint the old copies, though deleted,
   * still fill the blocks a query of that day scans (see docs/benchmarks.md).
   */
  private static void checkpoint(Connection connection) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CHECKPOINT");
    } catch (SQLException e) {
      // Busy with other transactions: DuckDB's automatic checkpoint will come later.
      LOG.debug("history: checkpoint after compaction postponed: {}", e.getMessage());
    }
  }

  private static boolean isCompacted(Connection connection, Instant dayStart) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT 1 FROM compacted_days WHERE day = DATE '"
                    + dayStart.toString().substring(0, 10)
                    + "'")) {
      return rows.next();
    }
  }

  @Override
  public long count() {
    try (ReaderConnections.Lease lease = readers.borrow();
        Statement statement = lease.connection().createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM samples")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot count history", e);
    }
  }

  void close() throws SQLException {
    readers.close();
    synchronized (writer) {
      writer.close();
      allocator.close();
    }
  }
}
