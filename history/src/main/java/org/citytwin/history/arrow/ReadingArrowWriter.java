package org.citytwin.history.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;

/**
 * Writes readings as Arrow record batches of at most {@link ArrowAnswers#BATCH_ROWS} rows in the
 * {@link ArrowAnswers#READINGS} schema, to an IPC stream (for HTTP answers) or an IPC file (for
 * exports, which readers can seek in). Memory holds one batch, however many readings pass through.
 */
public final class ReadingArrowWriter implements AutoCloseable {

  private final VectorSchemaRoot root;
  private final ArrowWriter writer;

  private ReadingArrowWriter(VectorSchemaRoot root, ArrowWriter writer) {
    this.root = root;
    this.writer = writer;
    try {
      writer.start();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    }
  }

  /** An Arrow IPC stream ({@code application/vnd.apache.arrow.stream}) on {@code out}. */
  public static ReadingArrowWriter stream(WritableByteChannel out, BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(ArrowAnswers.READINGS, allocator);
    return new ReadingArrowWriter(root, new ArrowStreamWriter(root, null, out));
  }

  /** An Arrow IPC file ({@code .arrow}, Feather v2) on {@code out}. */
  public static ReadingArrowWriter file(WritableByteChannel out, BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(ArrowAnswers.READINGS, allocator);
    return new ReadingArrowWriter(root, new ArrowFileWriter(root, null, out));
  }

  /** Writes {@code readings} as one or more record batches. */
  public void write(List<Reading> readings) {
    try {
      for (int start = 0; start < readings.size(); start += ArrowAnswers.BATCH_ROWS) {
        writeBatch(
            readings.subList(start, Math.min(readings.size(), start + ArrowAnswers.BATCH_ROWS)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes an empty batch, so a reader of an empty answer still sees its schema and a batch. */
  public void writeEmpty() {
    try {
      writeBatch(List.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeBatch(List<Reading> batch) throws IOException {
    root.allocateNew();
    TimeStampMicroTZVector observedAt = (TimeStampMicroTZVector) root.getVector(0);
    Float8Vector value = (Float8Vector) root.getVector(4);
    VarCharVector stated = (VarCharVector) root.getVector(8);
    for (int row = 0; row < batch.size(); row++) {
      Reading reading = batch.get(row);
      observedAt.setSafe(row, ArrowAnswers.micros(reading.observedAt()));
      ArrowAnswers.text(root, 1, row, reading.thingId().toString());
      ArrowAnswers.text(root, 2, row, reading.feature());
      ArrowAnswers.text(root, 3, row, reading.property());
      if (reading.value() instanceof ReadingValue.Numeric numeric) {
        value.setSafe(row, numeric.number());
        stated.setNull(row);
      } else {
        value.setNull(row);
        stated.setSafe(row, ArrowAnswers.utf8(reading.value().toJson().toString()));
      }
      ArrowAnswers.text(root, 5, row, reading.unit().symbol());
      ArrowAnswers.text(root, 6, row, reading.category());
      ArrowAnswers.text(root, 7, row, QualityFlag.format(reading.quality()));
    }
    root.setRowCount(batch.size());
    writer.writeBatch();
  }

  /** Ends the stream or file (a file's footer lists its batches) and frees the batch memory. */
  @Override
  public void close() {
    try {
      writer.end();
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      root.close();
    }
  }
}
