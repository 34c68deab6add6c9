package org.citytwin.fusion;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * One step in an incident's life, kept for ever: who did what, when, and why.
 *
 * @param action what was done ({@code report}, {@code review}, {@code escalate}, ...)
 * @param from the state before
 * @param to the state after (the same as {@code from} for escalation and merged evidence)
 * @param actor who did it: a user, or {@code citytwin} for the system's own steps
 * @param at when
 * @param note what the actor wrote, or what the system decided (the team chosen, the level
 *     escalated to)
 */
public record AuditEntry(
    String action, IncidentState from, IncidentState to, String actor, Instant at, String note) {

  /** The actor of steps the system takes on its own: reports, escalations, automatic dispatch. */
  public static final String SYSTEM = "citytwin";

  public AuditEntry {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(note, "note");
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("action", action)
        .put("from", from.wireName())
        .put("to", to.wireName())
        .put("actor", actor)
        .put("at", at.toString())
        .put("note", note);
  }

  static AuditEntry fromJson(JsonObject json) {
    return new AuditEntry(
        json.getString("action"),
        IncidentState.fromWireName(json.getString("from")),
        IncidentState.fromWireName(json.getString("to")),
        json.getString("actor"),
        Instant.parse(json.getString("at")),
        json.getString("note", ""));
  }
}
