package org.citytwin.api.http;

import java.util.List;
import java.util.Optional;
import org.citytwin.twin.TwinEvent;
import org.citytwin.twin.TwinProtocol;
import org.eclipse.ditto.json.JsonFactory;

/**
 * One message of Ditto Protocol twin events as the twin service published it, read at most once
 * however many subscribers want it, and not at all while nobody subscribes.
 */
final class TwinMessage {

  private final String body;
  // Read on first use: a message no subscriber ever sees is never parsed. Only the API's event
  // loop touches it.
  private List<TwinEvent> events;

  TwinMessage(String body) {
    this.body = body;
  }

  List<TwinEvent> events() {
    if (events == null) {
      events =
          TwinProtocol.eventsIn(body).stream()
              .map(text -> TwinEvent.parse(JsonFactory.newObject(text)))
              .flatMap(Optional::stream)
              .toList();
    }
    return events;
  }
}
