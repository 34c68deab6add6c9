package org.citytwin.twin;

import java.util.List;
import java.util.Optional;
import org.eclipse.ditto.things.model.Thing;

/** One page of search results, in sort order, and the cursor to the next page if there is one. */
public record SearchPage(List<Thing> items, Optional<String> cursor) {

  public SearchPage {
    items = List.copyOf(items);
  }
}
