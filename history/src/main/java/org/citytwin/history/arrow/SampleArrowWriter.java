package org.citytwin.history.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.WritableByteChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.citytwin.twin.QualityFlag;

/**
 * Writes a database's sample columns as an Arrow IPC stream in the {@link ArrowAnswers#READINGS}
 * schema, without building a reading per row. The database hands over the narrow columns {@code
 * observed_us} (BIGINT microseconds), {@code series_id} (INTEGER), {@code value} (DOUBLE), {@code
 * quality} (SMALLINT flag bits) and {@code stated} (VARCHAR); the series' texts and the flags' text
 * are filled in here from what is known before the query.
 *
 * <p>Why not in SQL: joining the series and spelling units and flags per row made DuckDB hand over
 * six text columns, and producing them took three quarters of a range answer's time (see
 * docs/benchmarks.md). Here a row's texts are copies of a few prepared byte arrays.
 */
public final class SampleArrowWriter implements AutoCloseable {

  /** The narrow columns a database hands over, in the order {@link #write} takes them. */
  public static final Schema SAMPLES =
      new Schema(
          List.of(
              Field.notNullable("observed_us", new ArrowType.Int(64, true)),
              Field.notNullable("series_id", new ArrowType.Int(32, true)),
              Field.nullable("value", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.notNullable("quality", new ArrowType.Int(16, true)),
              Field.nullable("stated", ArrowType.Utf8.INSTANCE)));

  /** What every row of one series says in its text columns. */
  public record SeriesLabels(
      String thingId, String feature, String property, String unitSymbol, String category) {}

  private record Encoded(
      byte[] thingId, byte[] feature, byte[] property, byte[] unit, byte[] category) {}

  /** Quality flag bits fit in 5 bits today; the texts of every mask below this are prepared. */
  private static final int MASKS = 1 << QualityFlag.values().length;

  private final Map<Integer, Encoded> series = new HashMap<>();
  private final byte[][] qualityTexts = new byte[MASKS][];
  private final VectorSchemaRoot root;
  private final ArrowStreamWriter writer;
  private boolean wroteBatch;

  /**
   * @param labels each series number the query reads, with its texts
   */
  public SampleArrowWriter(
      Map<Integer, SeriesLabels> labels, WritableByteChannel out, BufferAllocator allocator) {
    labels.forEach(
        (id, label) ->
            series.put(
                id,
                new Encoded(
                    ArrowAnswers.utf8(label.thingId()),
                    ArrowAnswers.utf8(label.feature()),
                    ArrowAnswers.utf8(label.property()),
                    ArrowAnswers.utf8(label.unitSymbol()),
                    ArrowAnswers.utf8(label.category()))));
    for (int mask = 0; mask < MASKS; mask++) {
      qualityTexts[mask] = ArrowAnswers.utf8(QualityFlag.format(QualityFlag.fromMask(mask)));
    }
    this.root = VectorSchemaRoot.create(ArrowAnswers.READINGS, allocator);
    this.writer = new ArrowStreamWriter(root, null, out);
    try {
      writer.start();
    } catch (IOException e) {
      root.close();
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the rows of {@code samples} (the columns named above, in that order) as one batch. */
  public void write(VectorSchemaRoot samples) {
    int rows = samples.getRowCount();
    BigIntVector observedUs = (BigIntVector) samples.getVector(0);
    IntVector seriesIds = (IntVector) samples.getVector(1);
    Float8Vector values = (Float8Vector) samples.getVector(2);
    SmallIntVector qualities = (SmallIntVector) samples.getVector(3);
    VarCharVector stated = (VarCharVector) samples.getVector(4);
    // Only the times are allocated here: the texts are sized in fill, the numbers and stated JSON
    // arrive by transfer.
    TimeStampMicroTZVector observedAt = (TimeStampMicroTZVector) root.getVector(0);
    observedAt.allocateNew(Math.max(1, rows));
    VarCharVector thingId = (VarCharVector) root.getVector(1);
    VarCharVector feature = (VarCharVector) root.getVector(2);
    VarCharVector property = (VarCharVector) root.getVector(3);
    VarCharVector unit = (VarCharVector) root.getVector(5);
    VarCharVector category = (VarCharVector) root.getVector(6);
    VarCharVector quality = (VarCharVector) root.getVector(7);
    // Rows come in runs of one series (and mostly of one set of flags): each text column is
    // written run by run, from the runs found here in one pass.
    Runs<Encoded> seriesRuns = new Runs<>(rows);
    Runs<byte[]> qualityRuns = new Runs<>(rows);
    Encoded current = null;
    int currentId = -1;
    for (int row = 0; row < rows; row++) {
      int id = seriesIds.get(row);
      if (id != currentId) {
        current = series.get(id);
        if (current == null) {
          throw new IllegalStateException("no labels for series " + id);
        }
        currentId = id;
      }
      seriesRuns.add(row, current);
      qualityRuns.add(row, qualityText(qualities.get(row)));
      observedAt.set(row, observedUs.get(row));
    }
    fill(thingId, rows, seriesRuns, Encoded::thingId);
    fill(feature, rows, seriesRuns, Encoded::feature);
    fill(property, rows, seriesRuns, Encoded::property);
    fill(unit, rows, seriesRuns, Encoded::unit);
    fill(category, rows, seriesRuns, Encoded::category);
    fill(quality, rows, qualityRuns, text -> text);
    // Numbers and stated JSON move over as they are: their buffers change hands, no copy.
    values.makeTransferPair(root.getVector(4)).transfer();
    stated.makeTransferPair(root.getVector(8)).transfer();
    root.setRowCount(rows);
    try {
      writer.writeBatch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    wroteBatch = true;
  }

  /** Consecutive rows sharing one value (compared by identity: texts are prepared arrays). */
  private static final class Runs<T> {
    private final int[] ends;
    private final Object[] values;
    private int count;

    Runs(int rows) {
      ends = new int[rows];
      values = new Object[rows];
    }

    void add(int row, T value) {
      if (count > 0 && values[count - 1] == value) {
        ends[count - 1] = row + 1;
      } else {
        values[count] = value;
        ends[count++] = row + 1;
      }
    }

    @SuppressWarnings("unchecked")
    T value(int run) {
      return (T) values[run];
    }
  }

  /**
   * Fills a text column straight into its buffers, run by run: validity set for all rows at once,
   * each row's offset, and each run's text copied once and then doubled within the buffer. {@code
   * VarCharVector.set} per row, with its checks and its validity bit written one at a time, and a
   * text looked up per row and column, took about 20 ms of a gauge's day (six columns of 86,400
   * rows), half of what reading the rows from PostgreSQL took.
   */
  private static <T> void fill(
      VarCharVector column, int rows, Runs<T> runs, java.util.function.Function<T, byte[]> text) {
    long bytes = 0;
    for (int run = 0, from = 0; run < runs.count; from = runs.ends[run++]) {
      bytes += (long) text.apply(runs.value(run)).length * (runs.ends[run] - from);
    }
    column.allocateNew(Math.max(1, bytes), Math.max(1, rows));
    if (rows == 0) {
      return;
    }
    column.getValidityBuffer().setOne(0, BitVectorHelper.getValidityBufferSize(rows));
    ArrowBuf offsets = column.getOffsetBuffer();
    ArrowBuf data = column.getDataBuffer();
    int offset = 0;
    for (int run = 0, from = 0; run < runs.count; from = runs.ends[run++]) {
      byte[] value = text.apply(runs.value(run));
      int runStart = offset;
      for (int row = from; row < runs.ends[run]; row++) {
        offsets.setInt((long) row * BaseVariableWidthVector.OFFSET_WIDTH, offset);
        offset += value.length;
      }
      if (offset > runStart) {
        data.setBytes(runStart, value);
        for (long copied = value.length; copied < offset - runStart; ) {
          long more = Math.min(copied, offset - runStart - copied);
          data.setBytes(runStart + copied, data, runStart, more);
          copied += more;
        }
      }
    }
    offsets.setInt((long) rows * BaseVariableWidthVector.OFFSET_WIDTH, offset);
    column.setLastSet(rows - 1);
  }

  private byte[] qualityText(int mask) {
    return mask >= 0 && mask < MASKS
        ? qualityTexts[mask]
        : ArrowAnswers.utf8(QualityFlag.format(QualityFlag.fromMask(mask)));
  }

  /** Ends the stream (with an empty batch if no rows came, so a reader still sees one). */
  @Override
  public void close() {
    try {
      if (!wroteBatch) {
        root.allocateNew();
        root.setRowCount(0);
        writer.writeBatch();
      }
      writer.end();
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      root.close();
    }
  }
}
