package org.citytwin.history.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.citytwin.history.Bucket;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ArrowAnswersTest {

  private static final ThingId GAUGE = ThingId.of("water:wlg-0001");
  private static final Instant T0 = Instant.parse("2026-07-14T08:00:00.123456Z");

  private final BufferAllocator allocator = new RootAllocator();
  private final ArrowAnswers answers = new ArrowAnswers(allocator);

  @AfterEach
  void releaseMemory() {
    allocator.close();
  }

  @Test
  void readingsReadBackColumnByColumnAcrossRecordBatches() throws Exception {
    List<Reading> readings = new ArrayList<>();
    int rows = ArrowAnswers.BATCH_ROWS + 10;
    for (int i = 0; i < rows; i++) {
      readings.add(
          new Reading(
              GAUGE, "waterlogging", "depth", i / 1000.0, CanonicalUnit.METRE, T0.plusSeconds(i)));
    }
    readings.set(
        1,
        readings
            .get(1)
            .classifiedAs("waterlogging-point")
            .withQuality(Set.of(QualityFlag.SPIKE, QualityFlag.LATE)));
    readings.set(2, new Reading(GAUGE, "waterlogging", "state", JsonValue.of("dry"), T0));

    List<Object[]> read = new ArrayList<>();
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(answers.readings(readings)), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertThat(root.getSchema()).isEqualTo(ArrowAnswers.READINGS);
      int batches = 0;
      while (reader.loadNextBatch()) {
        batches++;
        for (int row = 0; row < root.getRowCount(); row++) {
          read.add(
              new Object[] {
                ((TimeStampMicroTZVector) root.getVector("observed_at")).get(row),
                root.getVector("thing_id").getObject(row).toString(),
                ((Float8Vector) root.getVector("value")).isNull(row)
                    ? null
                    : ((Float8Vector) root.getVector("value")).get(row),
                root.getVector("unit").getObject(row).toString(),
                root.getVector("category").getObject(row).toString(),
                root.getVector("quality").getObject(row).toString(),
                ((VarCharVector) root.getVector("stated")).isNull(row)
                    ? null
                    : root.getVector("stated").getObject(row).toString()
              });
        }
      }
      assertThat(batches).isEqualTo(2);
    }

    assertThat(read).hasSize(rows);
    assertThat(read.get(0))
        .containsExactly(
            1_784_016_000_123_456L, "water:wlg-0001", 0.0, "m", "unclassified", "", null);
    assertThat(read.get(1)).contains("waterlogging-point", "spike,late");
    assertThat(read.get(2))
        .containsExactly(
            1_784_016_000_123_456L, "water:wlg-0001", null, "", "unclassified", "", "\"dry\"");
    assertThat(read.get(rows - 1)[2]).isEqualTo((rows - 1) / 1000.0);
  }

  @Test
  void anEmptyAnswerIsAStreamWithTheSchemaAndNoRows() throws Exception {
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(answers.readings(List.of())), allocator)) {
      assertThat(reader.getVectorSchemaRoot().getSchema()).isEqualTo(ArrowAnswers.READINGS);
      int rows = 0;
      while (reader.loadNextBatch()) {
        rows += reader.getVectorSchemaRoot().getRowCount();
      }
      assertThat(rows).isZero();
    }
  }

  @Test
  void bucketsKeepTheirSummaries() throws Exception {
    byte[] stream = answers.buckets(List.of(new Bucket(T0, 60, 0.1, 0.4, 0.25, 0.3)));
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(stream), allocator)) {
      assertThat(reader.loadNextBatch()).isTrue();
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertThat(root.getRowCount()).isEqualTo(1);
      assertThat(root.getVector("count").getObject(0)).isEqualTo(60L);
      assertThat(root.getVector("avg").getObject(0)).isEqualTo(0.25);
      assertThat(root.getVector("last").getObject(0)).isEqualTo(0.3);
    }
  }
}
