package org.citytwin.history.arrow;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.citytwin.history.Bucket;
import org.citytwin.history.TrackPoint;
import org.citytwin.twin.Reading;

/**
 * History answers as Apache Arrow IPC streams ({@code application/vnd.apache.arrow.stream}), for
 * analysis tools that read columns (pyarrow, polars, DuckDB) rather than JSON. Times are {@code
 * timestamp[us, tz=UTC]}; a reading's number is {@code value} (null for a stated value), a stated
 * value's JSON is {@code stated}. Rows go out in record batches of {@link #BATCH_ROWS}.
 */
public final class ArrowAnswers {

  /** Rows per record batch: large enough for column speed, small enough to bound memory. */
  public static final int BATCH_ROWS = 65_536;

  private static final ArrowType UTC_MICROS = new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
  private static final ArrowType FLOAT8 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  /** The columns of a readings answer. */
  public static final Schema READINGS =
      new Schema(
          List.of(
              new Field("observed_at", FieldType.notNullable(UTC_MICROS), null),
              Field.notNullable("thing_id", ArrowType.Utf8.INSTANCE),
              Field.notNullable("feature", ArrowType.Utf8.INSTANCE),
              Field.notNullable("property", ArrowType.Utf8.INSTANCE),
              Field.nullable("value", FLOAT8),
              Field.notNullable("unit", ArrowType.Utf8.INSTANCE),
              Field.notNullable("category", ArrowType.Utf8.INSTANCE),
              Field.notNullable("quality", ArrowType.Utf8.INSTANCE),
              Field.nullable("stated", ArrowType.Utf8.INSTANCE)));

  /** The columns of a trajectory answer. */
  public static final Schema TRACK =
      new Schema(
          List.of(
              new Field("observed_at", FieldType.notNullable(UTC_MICROS), null),
              Field.notNullable("longitude", FLOAT8),
              Field.notNullable("latitude", FLOAT8)));

  /** The columns of a buckets answer. */
  public static final Schema BUCKETS =
      new Schema(
          List.of(
              new Field("start", FieldType.notNullable(UTC_MICROS), null),
              Field.notNullable("count", new ArrowType.Int(64, true)),
              Field.notNullable("min", FLOAT8),
              Field.notNullable("max", FLOAT8),
              Field.notNullable("avg", FLOAT8),
              Field.notNullable("last", FLOAT8)));

  private final BufferAllocator allocator;

  /**
   * @param allocator where column memory comes from; the caller closes it
   */
  public ArrowAnswers(BufferAllocator allocator) {
    this.allocator = allocator;
  }

  /** {@code readings} as one Arrow IPC stream. */
  public byte[] readings(List<Reading> readings) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + readings.size() * 64);
    try (ReadingArrowWriter writer =
        ReadingArrowWriter.stream(Channels.newChannel(out), allocator)) {
      if (readings.isEmpty()) {
        writer.writeEmpty();
      } else {
        writer.write(readings);
      }
    }
    return out.toByteArray();
  }

  /** A trajectory's fixes as one Arrow IPC stream: {@code observed_at, longitude, latitude}. */
  public byte[] track(List<TrackPoint> points) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + points.size() * 24);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(TRACK, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
      writer.start();
      root.allocateNew();
      for (int row = 0; row < points.size(); row++) {
        TrackPoint point = points.get(row);
        ((TimeStampMicroTZVector) root.getVector(0)).setSafe(row, micros(point.at()));
        ((Float8Vector) root.getVector(1)).setSafe(row, point.longitude());
        ((Float8Vector) root.getVector(2)).setSafe(row, point.latitude());
      }
      // At most RangeQuery.MAX_LIMIT fixes: one record batch.
      root.setRowCount(points.size());
      writer.writeBatch();
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@code buckets} as one Arrow IPC stream. */
  public byte[] buckets(List<Bucket> buckets) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + buckets.size() * 48);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(BUCKETS, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
      writer.start();
      root.allocateNew();
      for (int row = 0; row < buckets.size(); row++) {
        Bucket bucket = buckets.get(row);
        ((TimeStampMicroTZVector) root.getVector(0)).setSafe(row, micros(bucket.start()));
        ((BigIntVector) root.getVector(1)).setSafe(row, bucket.count());
        ((Float8Vector) root.getVector(2)).setSafe(row, bucket.min());
        ((Float8Vector) root.getVector(3)).setSafe(row, bucket.max());
        ((Float8Vector) root.getVector(4)).setSafe(row, bucket.avg());
        ((Float8Vector) root.getVector(5)).setSafe(row, bucket.last());
      }
      // At most 100,000 buckets: one record batch.
      root.setRowCount(buckets.size());
      writer.writeBatch();
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static void text(VectorSchemaRoot root, int column, int row, String text) {
    ((VarCharVector) root.getVector(column)).setSafe(row, utf8(text));
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
