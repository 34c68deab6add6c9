package org.citytwin.twin;

/**
 * Every Vert.x event-bus address the modules talk over: the contract between them, in one place.
 *
 * <p>Messages are JSON, so that the contract is readable and could cross a clustered event bus
 * unchanged. Readings travel as {@link Reading#toJsonMap()} in a Vert.x JSON object; twin commands
 * and events as Ditto Protocol messages ({@link TwinProtocol}) in JSON text: Vert.x passes a string
 * between verticles without copying it, and each consumer parses it once with Ditto's JSON library.
 * The exceptions are {@link TwinCommandBatch}, Ditto command objects, and {@link ReadingBatch},
 * readings, that senders in the same process pass by reference because reading them back from text
 * would cost more than what the receiver does with them. A failed request fails with an HTTP status
 * code as its failure code.
 */
public final class EventBusAddresses {

  /**
   * History. Request {@code {"readings": [reading, ...]}}, or in the same process a {@link
   * ReadingBatch}; the reply {@code {"appended": n}} comes only once every reading is committed.
   * Fails 400 for malformed readings, 503 if the store cannot commit.
   */
  public static final String HISTORY_APPEND = "citytwin.history.append";

  /**
   * History. Request {@code {"thingId", "feature", "property", "from", "to", "limit"}} (times
   * ISO-8601, {@code to} exclusive); reply {@code {"readings": [...]}}, oldest first. With {@code
   * "bucket": "PT1M"} the reply is {@code {"bucket", "buckets": [{"start", "count", "min", "max",
   * "avg", "last"}]}} instead.
   */
  public static final String HISTORY_RANGE = "citytwin.history.range";

  /**
   * History. Request {@code {"things": [thingId, ...], "feature", "property", "at", "lookback"}}
   * ({@code at} ISO-8601, {@code lookback} an ISO-8601 duration); reply {@code {"readings":
   * [...]}}, each thing's newest reading as of {@code at}, in the order the request named the
   * things.
   */
  public static final String HISTORY_LATEST = "citytwin.history.latest";

  /**
   * History. Request {@code {"thingId", "feature", "from", "to", "limit"}}; reply {@code {"fixes":
   * [{"at", "longitude", "latitude"}, ...]}}, oldest first.
   */
  public static final String HISTORY_TRAJECTORY = "citytwin.history.trajectory";

  /**
   * Any history request may add {@code "format": "arrow"} to be answered with an Arrow IPC stream
   * (a Vert.x buffer) instead of JSON.
   */
  public static final String HISTORY_FORMAT = "format";

  /**
   * Twins. Request a Ditto Protocol command (create, modify, merge, delete; JSON text); the reply
   * {@code {"status": 201|204, "revision": n}} comes once the twin holds the change. Fails with the
   * Ditto error's HTTP status, the error's JSON as message. Or request a {@link TwinCommandBatch}
   * (same process only; the twin service registers its codec when it starts); the reply, a {@link
   * TwinCommandBatch.Outcomes}, comes once every command in it is settled.
   */
  public static final String TWIN_COMMANDS = "citytwin.twin.commands";

  /**
   * Twins. Published: Ditto Protocol events of accepted changes, enriched with {@code extra}, as
   * JSON text with one event per line, in the order of the changes; a message carries the events of
   * one journal commit (at most {@value #EVENTS_PER_MESSAGE}). Split with {@link
   * TwinProtocol#eventsIn}.
   */
  public static final String TWIN_EVENTS = "citytwin.twin.events";

  /**
   * Bounds a twin-events message. Publishing events one per message cost the twin service more than
   * computing them; a thousand together keep messages small and subscribers prompt.
   */
  public static final int EVENTS_PER_MESSAGE = 1_000;

  /**
   * Ingest. Published: a payload ingest refused, {@code {"receivedAt", "source", "place", "error",
   * "message", "payload"}} (times ISO-8601, payload as text); history keeps the newest in a bounded
   * dead-letter table.
   */
  public static final String DEAD_LETTERS = "citytwin.ingest.dead-letters";

  /** History. Request {@code {"limit": n}}; reply {@code {"deadLetters": [...]}}, newest first. */
  public static final String DEAD_LETTER_LIST = "citytwin.history.dead-letters";

  /** Fusion. Published: an incident's JSON each time one is raised or updated. */
  public static final String INCIDENT_EVENTS = "citytwin.incidents.events";

  /**
   * Fusion. Request {@code {"state", "type", "open", "department", "limit"}} (all optional; {@code
   * department}: only incidents it leads or cooperates on); reply {@code {"incidents": [...]}},
   * newest first.
   */
  public static final String INCIDENT_LIST = "citytwin.incidents.list";

  /** Fusion. Request {@code {"id"}}; reply the incident's JSON; fails 404 if there is none. */
  public static final String INCIDENT_GET = "citytwin.incidents.get";

  /**
   * Fusion. Request {@code {"id", "action", "actor", "note", "team", "into"}}; reply the incident
   * after the step. Fails with the error's HTTP status and its Ditto-style JSON as message.
   */
  public static final String INCIDENT_ACT = "citytwin.incidents.act";

  /**
   * Fusion. Request {@code {"list": "red"|"black", "kind"}} (both optional); reply {@code
   * {"entries": [...]}}.
   */
  public static final String CREDIT_LISTS = "citytwin.incidents.credit-lists";

  /** Fusion. Request {@code {}}; reply {@code {"rules": [...], "reload": {...}}}. */
  public static final String RULE_LIST = "citytwin.fusion.rules";

  /**
   * Twins. Request {@code {}}; reply: the twin service's metrics (journal commit times, changes
   * committed and waiting) as a string in Prometheus' text format, for {@code /metrics}.
   */
  public static final String TWIN_METRICS = "citytwin.twin.metrics";

  /**
   * History. Request {@code {}}; reply: history's metrics (group commit times, rows committed,
   * appends waiting) as a string in Prometheus' text format, for {@code /metrics}.
   */
  public static final String HISTORY_METRICS = "citytwin.history.metrics";

  /**
   * Fusion. Request {@code {}}; reply: fusion's metrics (rule timings, how far it is behind the
   * twins, events it skipped) as a string in Prometheus' text format, for {@code /metrics}.
   */
  public static final String FUSION_METRICS = "citytwin.fusion.metrics";

  /**
   * Twins. Request {@code {}}; reply {@code {"ready", "detail"}}: ready unless the journal's last
   * commit failed (changes are then refused until one succeeds).
   */
  public static final String TWIN_READY = "citytwin.twin.ready";

  /**
   * History. Request {@code {}}; reply {@code {"ready", "detail"}}: ready unless the last group
   * commit failed, or commits wait longer than a healthy store takes.
   */
  public static final String HISTORY_READY = "citytwin.history.ready";

  private EventBusAddresses() {}
}
