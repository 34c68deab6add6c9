package org.citytwin.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The benchmark counts a page's things without building its JSON. */
class SearchBenchmarkTest {

  @Test
  void countsTheThingsOfAPageWhateverTheyHoldAndWhereverItsItemsStand() {
    String things =
        "[{\"thingId\":\"a:1\",\"attributes\":{\"items\":[1,2,{\"x\":[]}]}},"
            + "{\"thingId\":\"a:2\",\"features\":{}},{\"thingId\":\"a:3\"}]";
    assertThat(SearchBenchmark.itemsIn(Buffer.buffer("{\"items\":" + things + "}"))).isEqualTo(3);
    assertThat(
            SearchBenchmark.itemsIn(
                Buffer.buffer(
                    "{\"cursor\":\"abc\",\"more\":{\"items\":[9]},\"items\":" + things + "}")))
        .isEqualTo(3);
    assertThat(SearchBenchmark.itemsIn(Buffer.buffer("{\"items\":[]}"))).isZero();
  }

  @Test
  void refusesToRunWithNothingInFlightOrNoWindow() {
    assertThatThrownBy(() -> new SearchBenchmark(Path.of("."), Duration.ofSeconds(10), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--in-flight");
    assertThatThrownBy(() -> new SearchBenchmark(Path.of("."), Duration.ZERO, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--seconds");
  }

  @Test
  void anAnswerWithoutItemsIsNotCountedAsAnEmptyPage() {
    assertThatThrownBy(() -> SearchBenchmark.itemsIn(Buffer.buffer("{\"status\":400}")))
        .hasMessageContaining("no items");
    assertThatThrownBy(() -> SearchBenchmark.itemsIn(Buffer.buffer("[1]")))
        .hasMessageContaining("an object");
  }
}
