package org.citytwin.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.citytwin.launcher.bench.LiveBenchmark.StreamScan;
import org.junit.jupiter.api.Test;

/** The live benchmark's subscribers count events and find the tracer however bytes arrive. */
class StreamScanTest {

  private static final String MARKER = "\"thingId\":\"water:gauge-1\"";

  private static final String STREAM =
      ":subscribed\n\n"
          + "data: {\"thingId\":\"water:gauge-2\",\"features\":{\"depth\":{\"properties\":"
          + "{\"depth\":0.5}}},\"attributes\":{\"name\":\"桥西\"}}\n\n"
          + "data: {\"thingId\":\"water:gauge-1\",\"features\":{\"depth\":{\"properties\":"
          + "{\"depth\":0.2001}}}}\n\n"
          + ":\n\n"
          + "id: 7\n"
          + "data: {\"thingId\":\"water:gauge-1\",\"features\":{\"depth\":{\"properties\":"
          + "{\"depth\":0.2002}}}}\n\n"
          + "data: {\"thingId\":\"water:gauge-1\",\"features\":{\"battery\":{\"properties\":"
          + "{\"level\":0.9}}}}\n\n";

  @Test
  void countsEveryEventAndFindsEachTracerDepthWhereverTheBuffersSplitTheStream() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int size = 1; size <= bytes.length; size++) {
      List<Long> depths = new ArrayList<>();
      StreamScan scan = new StreamScan(MARKER, (depth, at) -> depths.add(depth));
      int events = 0;
      for (int from = 0; from < bytes.length; from += size) {
        byte[] piece = Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + size));
        events += scan.accept(Buffer.buffer(piece), 0);
      }
      assertThat(events).as("events, buffers of %d bytes", size).isEqualTo(4);
      assertThat(depths)
          .as("tracer depths, buffers of %d bytes", size)
          .containsExactly(2001L, 2002L);
    }
  }

  @Test
  void leavesAnEventWhoseLineIsUnfinishedForTheNextBuffer() {
    List<Long> depths = new ArrayList<>();
    StreamScan scan = new StreamScan(MARKER, (depth, at) -> depths.add(depth));

    int first =
        scan.accept(
            Buffer.buffer("data: {\"thingId\":\"water:gauge-1\",\"features\":{\"depth\""), 0);
    int second = scan.accept(Buffer.buffer(":{\"properties\":{\"depth\":0.2003}}}}\n\n"), 0);

    assertThat(first).isZero();
    assertThat(second).isEqualTo(1);
    assertThat(depths).containsExactly(2003L);
  }
}
