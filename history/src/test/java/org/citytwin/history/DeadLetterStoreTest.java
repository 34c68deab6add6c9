package org.citytwin.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.citytwin.history.jdbc.JdbcDeadLetterStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLetterStoreTest {

  @TempDir Path directory;

  @Test
  void keepsOnlyTheNewestUpToCapacityAndCutsHugePayloads() throws Exception {
    try (JdbcDeadLetterStore store =
        new JdbcDeadLetterStore(
            DriverManager.getConnection("jdbc:duckdb:" + directory.resolve("dl.duckdb")), 3)) {
      List<DeadLetter> letters = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        letters.add(
            new DeadLetter(
                Instant.parse("2026-07-14T08:00:00Z").plusSeconds(i),
                "http",
                "/telemetry",
                "ingest:payload.malformed",
                "letter " + i,
                "x".repeat(i == 4 ? DeadLetter.MAX_PAYLOAD_CHARS + 10 : 1)));
      }
      store.append(letters.subList(0, 2));
      store.append(letters.subList(2, 5));

      List<DeadLetter> kept = store.latest(10);
      assertThat(kept)
          .extracting(DeadLetter::message)
          .containsExactly("letter 4", "letter 3", "letter 2");
      assertThat(kept.get(0).payload()).hasSize(DeadLetter.MAX_PAYLOAD_CHARS);
    }
  }
}
