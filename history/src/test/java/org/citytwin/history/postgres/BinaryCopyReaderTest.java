package org.citytwin.history.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;

/**
 * The binary COPY rows {@link BinaryCopy} writes read back into Arrow columns (the server writes
 * the same layout; {@code PostgresStorageTest} reads real answers), and broken streams refused.
 */
class BinaryCopyReaderTest {

  private static final ThingId GAUGE = ThingId.of("water", "wlg-0001");
  private static final Instant T0 = Instant.parse("2026-07-14T08:00:00.000123Z");

  private static byte[] copyOf(int rows) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BinaryCopy copy = new BinaryCopy(out)) {
      for (int i = 0; i < rows; i++) {
        Reading reading =
            i % 3 == 2
                ? new Reading(
                    GAUGE, "waterlogging", "state", JsonValue.of("dry"), T0.plusSeconds(i))
                : new Reading(
                        GAUGE,
                        "waterlogging",
                        "depth",
                        i / 10.0,
                        CanonicalUnit.METRE,
                        T0.plusSeconds(i))
                    .withQuality(i % 3 == 1 ? Set.of(QualityFlag.LATE) : Set.of());
        copy.write(reading, i % 2);
      }
    }
    return out.toByteArray();
  }

  @Test
  void readsEveryRowInBatchesWithNullsAndStatedValues() throws IOException {
    try (BufferAllocator allocator = new RootAllocator();
        BinaryCopyReader reader =
            new BinaryCopyReader(ByteBuffer.wrap(copyOf(7)), BinaryCopyReader.ALL, allocator)) {
      assertThat(reader.next(4)).isTrue();
      VectorSchemaRoot batch = reader.batch();
      assertThat(batch.getRowCount()).isEqualTo(4);
      assertThat(((BigIntVector) batch.getVector(0)).get(1))
          .isEqualTo(java.time.temporal.ChronoUnit.MICROS.between(Instant.EPOCH, T0) + 1_000_000);
      assertThat(((IntVector) batch.getVector(1)).get(1)).isEqualTo(1);
      assertThat(((Float8Vector) batch.getVector(2)).get(1)).isEqualTo(0.1);
      assertThat(((Float8Vector) batch.getVector(2)).isNull(2)).isTrue();
      assertThat(((SmallIntVector) batch.getVector(3)).get(1))
          .isEqualTo((short) QualityFlag.LATE.bit());
      assertThat(new String(((VarCharVector) batch.getVector(4)).get(2), "UTF-8"))
          .as("what BinaryCopy writes as jsonb: its version byte, then the text")
          .isEqualTo("\u0001\"dry\"");
      assertThat(((VarCharVector) batch.getVector(4)).isNull(0)).isTrue();

      assertThat(reader.next(4)).isTrue();
      assertThat(reader.batch().getRowCount()).isEqualTo(3);
      assertThat(reader.next(4)).as("the trailer ends the stream").isFalse();
    }
  }

  /** Rows of one numeric series as the server sends them: time, value, quality. */
  private static byte[] narrowCopy(double... values) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
    out.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0});
    out.writeInt(0);
    out.writeInt(0);
    for (int i = 0; i < values.length; i++) {
      out.writeShort(3);
      out.writeInt(8);
      out.writeLong(1_000_000L * i);
      if (Double.isNaN(values[i])) {
        out.writeInt(-1);
      } else {
        out.writeInt(8);
        out.writeDouble(values[i]);
      }
      out.writeInt(2);
      out.writeShort(i == 1 ? QualityFlag.SPIKE.bit() : 0);
    }
    out.writeShort(-1);
    return bytes.toByteArray();
  }

  @Test
  void readsRowsOfOneNumericSeriesWithItsNumberFilledInAndNoStatedText() throws IOException {
    BinaryCopyReader.Columns oneGauge =
        new BinaryCopyReader.Columns(java.util.OptionalInt.of(42), false);
    assertThat(oneGauge.selectList()).isEqualTo("observed_at, value, quality");
    try (BufferAllocator allocator = new RootAllocator();
        BinaryCopyReader reader =
            new BinaryCopyReader(
                ByteBuffer.wrap(narrowCopy(0.5, 9.0, Double.NaN)), oneGauge, allocator)) {
      assertThat(reader.next(10)).isTrue();
      VectorSchemaRoot batch = reader.batch();
      assertThat(batch.getRowCount()).isEqualTo(3);
      assertThat(((BigIntVector) batch.getVector(0)).get(2))
          .isEqualTo(2_000_000L + BinaryCopy.POSTGRES_EPOCH_MICROS);
      for (int row = 0; row < 3; row++) {
        assertThat(((IntVector) batch.getVector(1)).get(row)).isEqualTo(42);
        assertThat(((VarCharVector) batch.getVector(4)).isNull(row)).isTrue();
      }
      assertThat(((Float8Vector) batch.getVector(2)).get(1)).isEqualTo(9.0);
      assertThat(((Float8Vector) batch.getVector(2)).isNull(2)).isTrue();
      assertThat(((SmallIntVector) batch.getVector(3)).get(1))
          .isEqualTo((short) QualityFlag.SPIKE.bit());
      assertThat(reader.next(10)).isFalse();
    }
  }

  @Test
  void refusesRowsWithOtherColumnsThanAsked() throws IOException {
    try (BufferAllocator allocator = new RootAllocator();
        BinaryCopyReader reader =
            new BinaryCopyReader(
                ByteBuffer.wrap(copyOf(2)),
                new BinaryCopyReader.Columns(java.util.OptionalInt.of(1), false),
                allocator)) {
      assertThatThrownBy(() -> reader.next(10))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("expected 3 fields a row, got 5");
    }
  }

  @Test
  void refusesAStreamCutInsideARowOrWithoutItsSignature() throws IOException {
    byte[] whole = copyOf(3);
    try (BufferAllocator allocator = new RootAllocator()) {
      try (BinaryCopyReader reader =
          new BinaryCopyReader(
              ByteBuffer.wrap(Arrays.copyOf(whole, whole.length - 5)),
              BinaryCopyReader.ALL,
              allocator)) {
        assertThatThrownBy(() -> reader.next(10))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("ended inside a row");
      }
      byte[] notCopy = whole.clone();
      notCopy[0] = 'X';
      assertThatThrownBy(
              () -> new BinaryCopyReader(ByteBuffer.wrap(notCopy), BinaryCopyReader.ALL, allocator))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("not a binary COPY stream");
    }
  }
}
