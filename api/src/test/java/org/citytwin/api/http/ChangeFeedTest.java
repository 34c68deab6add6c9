package org.citytwin.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeFeedTest {

  private static List<String> items(List<ChangeFeed.Change<String>> changes) {
    return changes.stream().map(ChangeFeed.Change::item).toList();
  }

  @Test
  void aSubscriberResumesAfterTheLastChangeItSaw() {
    ChangeFeed<String> feed = new ChangeFeed<>(10);
    List<ChangeFeed.Change<String>> told = new ArrayList<>();
    Runnable stop = feed.listen(told::add);
    feed.publish("a");
    feed.publish("b");
    stop.run();
    feed.publish("c");
    feed.publish("d");
    assertThat(items(told)).containsExactly("a", "b");
    String lastSeen = feed.eventId(told.get(1));
    assertThat(items(feed.since(lastSeen).orElseThrow())).containsExactly("c", "d");
    assertThat(feed.listenerCount()).isZero();
  }

  @Test
  void aSubscriberUpToDateIsToldNothingMissed() {
    ChangeFeed<String> feed = new ChangeFeed<>(10);
    List<ChangeFeed.Change<String>> told = new ArrayList<>();
    feed.listen(told::add);
    feed.publish("a");
    assertThat(feed.since(feed.eventId(told.get(0)))).hasValue(List.of());
  }

  @Test
  void changesNoLongerHeldOrIdsOfAnotherFeedCannotBeResumed() {
    ChangeFeed<String> feed = new ChangeFeed<>(3);
    List<ChangeFeed.Change<String>> told = new ArrayList<>();
    feed.listen(told::add);
    for (String item : List.of("a", "b", "c", "d", "e")) {
      feed.publish(item);
    }
    // Held: c, d, e. After b the next is c: still complete. After a, b is gone.
    assertThat(items(feed.since(feed.eventId(told.get(1))).orElseThrow()))
        .containsExactly("c", "d", "e");
    assertThat(feed.since(feed.eventId(told.get(0)))).isEmpty();
    ChangeFeed<String> afterRestart = new ChangeFeed<>(3);
    assertThat(afterRestart.since(feed.eventId(told.get(4)))).isEmpty();
    assertThat(feed.since("garbage")).isEmpty();
    assertThat(feed.since(feed.eventId(told.get(4)).replaceAll("\\d+$", "99"))).isEmpty();
  }

  @Test
  void holdsNoMoreThanItsWeightAllowsButAlwaysTheNewest() {
    List<String> letGo = new ArrayList<>();
    ChangeFeed<String> feed = new ChangeFeed<>(100, 10, String::length, letGo::add);
    List<ChangeFeed.Change<String>> told = new ArrayList<>();
    feed.listen(told::add);
    feed.publish("aaaa");
    feed.publish("bbbb");
    feed.publish("cccc"); // 12 > 10: "aaaa" goes
    assertThat(items(feed.since(feed.eventId(told.get(0))).orElseThrow()))
        .containsExactly("bbbb", "cccc");
    assertThat(letGo).containsExactly("aaaa");
    feed.publish("a message heavier than the whole allowance");
    assertThat(feed.since(feed.eventId(told.get(1)))).isEmpty();
    assertThat(items(feed.since(feed.eventId(told.get(2))).orElseThrow()))
        .containsExactly("a message heavier than the whole allowance");
    // Each change is let go once, after its listeners were told of the one that pushed it out.
    assertThat(letGo).containsExactly("aaaa", "bbbb", "cccc");
    assertThat(told).hasSize(4);
  }
}
