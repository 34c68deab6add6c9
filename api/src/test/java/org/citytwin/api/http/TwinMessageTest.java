package org.citytwin.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A twin message held by the feed gives back the events it was published with. */
class TwinMessageTest {

  private static String event(String name, String value) {
    return "{\"topic\":\"water/"
        + name
        + "/things/twin/events/merged\",\"headers\":{},\"path\":\"/features/depth/properties\","
        + "\"value\":{\"value\":"
        + value
        + "},\"revision\":3,\"timestamp\":\"2026-12-07T02:00:00Z\"}";
  }

  @Test
  void aReleasedMessageReadsAsTheOneItWasPublishedAs() {
    // Non-ASCII text too: the held bytes are UTF-8, and each event must end where it ended.
    List<String> texts =
        List.of(event("g-1", "0.12"), event("g-2", "\"积水 0.3 m\""), event("g-3", "1e-3"));
    TwinMessage published = TwinMessage.of(String.join("\n", texts));
    List<TwinMessage.Event> fresh = published.withTexts();

    published.release();
    List<TwinMessage.Event> held = published.withTexts();

    assertThat(held).hasSize(3).isEqualTo(fresh);
    assertThat(held).extracting(TwinMessage.Event::text).containsExactlyElementsOf(texts);
    assertThat(held.get(1).event().changes().toString()).contains("积水 0.3 m");
    // Released again after a replay, and read again: still the same.
    published.release();
    assertThat(published.withTexts()).isEqualTo(fresh);
  }

  @Test
  void aDiscardedMessageIsNotReadFromFreedMemory() {
    TwinMessage published = TwinMessage.of(event("g-1", "0.12"));
    published.release();
    published.discard();
    assertThatThrownBy(published::withTexts).isInstanceOf(IllegalStateException.class);
  }
}
