package org.citytwin.history.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.eclipse.ditto.things.model.ThingId;

/**
 * Reads readings back from an Arrow IPC file or stream with the {@link ArrowAnswers#READINGS}
 * columns, found by name: {@code observed_at} (a timestamp in any unit, UTC), {@code thing_id},
 * {@code feature}, {@code property}, {@code value} (float64) and {@code unit} (a symbol such as
 * {@code m}) are required; {@code category}, {@code quality} and {@code stated} may be left out.
 * One record batch is in memory at a time.
 */
public final class ReadingArrowReader implements AutoCloseable {

  private static final byte[] FILE_MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

  private final ArrowReader reader;
  private long rowsRead;

  private ReadingArrowReader(ArrowReader reader) {
    this.reader = reader;
  }

  /** Opens {@code channel} as an Arrow IPC file if it starts like one, else as an IPC stream. */
  public static ReadingArrowReader open(SeekableByteChannel channel, BufferAllocator allocator)
      throws IOException {
    java.nio.ByteBuffer start = java.nio.ByteBuffer.allocate(FILE_MAGIC.length);
    while (start.hasRemaining() && channel.read(start) >= 0) {
      // Read the first bytes, however the channel hands them out.
    }
    channel.position(0);
    boolean file = java.util.Arrays.equals(start.array(), FILE_MAGIC);
    return new ReadingArrowReader(
        file
            ? new ArrowFileReader(channel, allocator)
            : new ArrowStreamReader(java.nio.channels.Channels.newInputStream(channel), allocator));
  }

  /**
   * The next record batch's readings, or empty at the end. A row that is no valid reading is handed
   * to {@code refused} with its row number (counted from 1 over the whole input) and why.
   *
   * @throws IllegalArgumentException if a required column is missing or has the wrong type
   */
  public Optional<List<Reading>> next(BiConsumer<Long, String> refused) {
    try {
      if (!reader.loadNextBatch()) {
        return Optional.empty();
      }
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      Columns columns = new Columns(root);
      List<Reading> readings = new ArrayList<>(root.getRowCount());
      for (int row = 0; row < root.getRowCount(); row++) {
        rowsRead++;
        try {
          readings.add(columns.reading(row));
        } catch (RuntimeException e) {
          refused.accept(rowsRead, e.getMessage());
        }
      }
      return Optional.of(readings);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The columns of one batch, checked once per batch. */
  private static final class Columns {
    final TimeStampVector observedAt;
    final ChronoUnit timeUnit;
    final VarCharVector thingId;
    final VarCharVector feature;
    final VarCharVector property;
    final Float8Vector value;
    final VarCharVector unit;
    final VarCharVector category;
    final VarCharVector quality;
    final VarCharVector stated;

    Columns(VectorSchemaRoot root) {
      FieldVector time = required(root, "observed_at");
      if (!(time instanceof TimeStampVector timestamps)) {
        throw new IllegalArgumentException("column observed_at must be a timestamp");
      }
      observedAt = timestamps;
      timeUnit =
          switch (((ArrowType.Timestamp) time.getField().getType()).getUnit()) {
            case SECOND -> ChronoUnit.SECONDS;
            case MILLISECOND -> ChronoUnit.MILLIS;
            case MICROSECOND -> ChronoUnit.MICROS;
            case NANOSECOND -> ChronoUnit.NANOS;
          };
      thingId = text(root, "thing_id", true);
      feature = text(root, "feature", true);
      property = text(root, "property", true);
      FieldVector number = required(root, "value");
      if (!(number instanceof Float8Vector doubles)) {
        throw new IllegalArgumentException("column value must be float64");
      }
      value = doubles;
      unit = text(root, "unit", true);
      category = text(root, "category", false);
      quality = text(root, "quality", false);
      stated = text(root, "stated", false);
    }

    Reading reading(int row) {
      if (observedAt.isNull(row)
          || thingId.isNull(row)
          || feature.isNull(row)
          || property.isNull(row)
          || unit.isNull(row)) {
        throw new IllegalArgumentException(
            "observed_at, thing_id, feature, property and unit are required");
      }
      String symbol = string(unit, row);
      CanonicalUnit canonical =
          CanonicalUnit.ofSymbol(symbol)
              .orElseThrow(() -> new IllegalArgumentException("unknown unit '" + symbol + "'"));
      ReadingValue readingValue;
      if (stated != null && !stated.isNull(row)) {
        readingValue = ReadingValue.fromJsonText(string(stated, row));
      } else if (!value.isNull(row)) {
        readingValue = new ReadingValue.Numeric(value.get(row));
      } else {
        throw new IllegalArgumentException("neither a value nor a stated value");
      }
      return new Reading(
          ThingId.of(string(thingId, row)),
          string(feature, row),
          string(property, row),
          readingValue,
          canonical,
          Instant.EPOCH.plus(observedAt.get(row), timeUnit),
          category == null || category.isNull(row) ? Reading.UNCLASSIFIED : string(category, row),
          quality == null || quality.isNull(row)
              ? java.util.Set.of()
              : QualityFlag.parse(string(quality, row)));
    }

    private static FieldVector required(VectorSchemaRoot root, String name) {
      FieldVector vector = root.getVector(name);
      if (vector == null) {
        throw new IllegalArgumentException("the Arrow data has no column " + name);
      }
      return vector;
    }

    private static VarCharVector text(VectorSchemaRoot root, String name, boolean required) {
      FieldVector vector = required ? required(root, name) : root.getVector(name);
      if (vector == null) {
        return null;
      }
      if (!(vector instanceof VarCharVector strings)) {
        throw new IllegalArgumentException("column " + name + " must be utf8 text");
      }
      return strings;
    }

    private static String string(VarCharVector vector, int row) {
      return new String(vector.get(row), StandardCharsets.UTF_8);
    }
  }
}
