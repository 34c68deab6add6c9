package org.citytwin.history;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbStorageTest extends StorageContract {

  @TempDir Path directory;

  @Override
  Storage open() {
    return Storage.openDuckDb(directory.resolve("history.duckdb"));
  }

  @Override
  Storage reopen() {
    storage.close();
    return open();
  }

  @Test
  void refusesAnUnusablePathWithAClearError() throws Exception {
    Path blocker = Files.createFile(directory.resolve("not-a-directory"));
    assertThatThrownBy(() -> Storage.openDuckDb(blocker.resolve("history.duckdb")))
        .isInstanceOf(HistoryUnavailableException.class)
        .hasMessageContaining("cannot open the history file");
  }
}
