package org.citytwin.history.postgres;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.citytwin.history.arrow.SampleArrowWriter;
import org.citytwin.history.jdbc.SeriesCatalog;
import org.citytwin.twin.CanonicalUnit;

/**
 * Reads rows of {@code (observed_at, series_id, value, quality, stated::text)} in PostgreSQL's
 * binary COPY format into the narrow Arrow columns of {@link SampleArrowWriter#SAMPLES}, a batch at
 * a time: a range answer then never becomes readings, nor JDBC values. The layout is the one {@link
 * BinaryCopy} writes, read back, less the columns a range's {@link Columns} leave out.
 */
final class BinaryCopyReader implements AutoCloseable {

  /**
   * The columns a range's rows carry. The server's output of each value, and its length word on the
   * wire, is most of a range answer's time: a range of one series leaves its number out, a range of
   * numbers only leaves out the stated text (always null there), and a gauge's day then crosses as
   * three columns instead of five (63 ms to 48 ms at p50 for 86,400 rows, measured side by side
   * from Java).
   *
   * @param onlySeries the one series of the range, or empty if each row names its own
   * @param stated whether rows carry {@code stated::text}: some series of the range holds stated
   *     values
   */
  record Columns(OptionalInt onlySeries, boolean stated) {

    /** The columns of a range over {@code series} (at least one). */
    static Columns of(List<SeriesCatalog.Series> series) {
      if (series.isEmpty()) {
        throw new IllegalArgumentException("a range reads at least one series");
      }
      return new Columns(
          series.size() == 1 ? OptionalInt.of(series.get(0).id()) : OptionalInt.empty(),
          series.stream().anyMatch(one -> one.unit() == CanonicalUnit.NONE));
    }

    /** The SELECT list, in the order the reader expects. */
    String selectList() {
      return "observed_at"
          + (onlySeries.isPresent() ? "" : ", series_id")
          + ", value, quality"
          + (stated ? ", stated::text" : "");
    }

    int count() {
      return 3 + (onlySeries.isPresent() ? 0 : 1) + (stated ? 1 : 0);
    }
  }

  /** Every column, as {@link BinaryCopy} writes them. */
  static final Columns ALL = new Columns(OptionalInt.empty(), true);

  private static final byte[] SIGNATURE = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0
  };

  private final ByteBuffer in;
  private final Columns columns;
  private final VectorSchemaRoot batch;
  private boolean ended;

  /**
   * @param copyOut the whole COPY stream, big-endian as PostgreSQL writes it
   * @param columns the columns each of its rows carries
   */
  BinaryCopyReader(ByteBuffer copyOut, Columns columns, BufferAllocator allocator)
      throws IOException {
    this.in = copyOut;
    this.columns = columns;
    try {
      byte[] signature = new byte[SIGNATURE.length];
      in.get(signature);
      if (!Arrays.equals(signature, SIGNATURE)) {
        throw new IOException("not a binary COPY stream");
      }
      in.getInt(); // flags: no OIDs are asked for
      int extension = in.getInt();
      in.position(in.position() + extension);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new IOException("binary COPY stream too short for its header", e);
    }
    this.batch = VectorSchemaRoot.create(SampleArrowWriter.SAMPLES, allocator);
  }

  /**
   * Reads up to {@code rows} rows into the batch (valid until the next call).
   *
   * @return false once the stream has ended and no row was read
   */
  boolean next(int rows) throws IOException {
    if (ended) {
      return false;
    }
    // Sized for the whole batch at once: growing from the default capacity copies each column
    // five times on the way to 65,536 rows.
    batch.getFieldVectors().forEach(vector -> vector.setInitialCapacity(rows));
    batch.allocateNew();
    BigIntVector observedUs = (BigIntVector) batch.getVector(0);
    IntVector seriesIds = (IntVector) batch.getVector(1);
    Float8Vector values = (Float8Vector) batch.getVector(2);
    SmallIntVector qualities = (SmallIntVector) batch.getVector(3);
    VarCharVector stated = (VarCharVector) batch.getVector(4);
    int expectedFields = columns.count();
    boolean seriesInRows = columns.onlySeries().isEmpty();
    int onlySeries = columns.onlySeries().orElse(0);
    int row = 0;
    try {
      while (row < rows) {
        short fields = in.getShort();
        if (fields == -1) {
          ended = true;
          break;
        }
        if (fields != expectedFields) {
          throw new IOException("expected " + expectedFields + " fields a row, got " + fields);
        }
        expectLength(Long.BYTES);
        observedUs.setSafe(row, in.getLong() + BinaryCopy.POSTGRES_EPOCH_MICROS);
        if (seriesInRows) {
          expectLength(Integer.BYTES);
          seriesIds.setSafe(row, in.getInt());
        } else {
          seriesIds.setSafe(row, onlySeries);
        }
        if (in.getInt() == -1) {
          values.setNull(row);
        } else {
          values.setSafe(row, in.getDouble());
        }
        expectLength(Short.BYTES);
        qualities.setSafe(row, in.getShort());
        int statedLength = columns.stated() ? in.getInt() : -1;
        if (statedLength == -1) {
          stated.setNull(row);
        } else {
          byte[] text = new byte[statedLength];
          in.get(text);
          stated.setSafe(row, text);
        }
        row++;
      }
    } catch (BufferUnderflowException e) {
      throw new IOException("binary COPY stream ended inside a row or without its trailer", e);
    }
    batch.setRowCount(row);
    return row > 0;
  }

  private void expectLength(int length) throws IOException {
    int actual = in.getInt();
    if (actual != length) {
      throw new IOException("expected a field of " + length + " bytes, got " + actual);
    }
  }

  VectorSchemaRoot batch() {
    return batch;
  }

  @Override
  public void close() {
    batch.close();
  }
}
