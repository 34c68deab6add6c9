package org.citytwin.twin;

/**
 * Every Vert.x event-bus address the modules talk over: the contract between them, in one place.
 *
 * <p>All messages are JSON, so that the contract is readable and could cross a clustered event bus
 * unchanged. Readings travel as {@link Reading#toJsonMap()} in a Vert.x JSON object; twin commands
 * and events as Ditto Protocol messages ({@link TwinProtocol}) in JSON text: Vert.x passes a string
 * between verticles without copying it, and each consumer parses it once with Ditto's JSON library.
 * A failed request fails with an HTTP status code as its failure code.
 */
public final class EventBusAddresses {

  /**
   * History. Request {@code {"readings": [reading, ...]}}; the reply {@code {"appended": n}} comes
   * only once every reading is committed. Fails 400 for malformed readings, 503 if the store cannot
   * commit.
   */
  public static final String HISTORY_APPEND = "citytwin.history.append";

  /**
   * History. Request {@code {"thingId", "feature", "property", "from", "to", "limit"}} (times
   * ISO-8601, {@code to} exclusive); reply {@code {"readings": [...]}}, oldest first.
   */
  public static final String HISTORY_RANGE = "citytwin.history.range";

  /**
   * Twins. Request a Ditto Protocol command (create, modify, merge, delete; JSON text); the reply
   * {@code {"revision": n}} comes once the twin holds the change. Fails with the Ditto error's HTTP
   * status, the error's JSON as message.
   */
  public static final String TWIN_COMMANDS = "citytwin.twin.commands";

  /**
   * Twins. Published: one Ditto Protocol event per accepted change (JSON text), enriched with
   * {@code extra}.
   */
  public static final String TWIN_EVENTS = "citytwin.twin.events";

  /** Fusion. Published: an incident's JSON each time one is raised or updated. */
  public static final String INCIDENT_EVENTS = "citytwin.incidents.events";

  /** Fusion. Request {@code {}}; reply {@code {"incidents": [...]}}, newest first. */
  public static final String INCIDENT_LIST = "citytwin.incidents.list";

  private EventBusAddresses() {}
}
