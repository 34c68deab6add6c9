package org.citytwin.fusion;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An incident raised by a rule in a zone: what happened, where, who leads and who cooperates, and
 * the evidence (the latest value of each twin that confirmed it).
 *
 * <p>Every incident starts in state {@code reported}, the first step of the district's loop report,
 * review, dispatch, handle, verify, close.
 */
public record Incident(
    String id,
    String ruleId,
    IncidentTemplate template,
    String state,
    Zone zone,
    Instant raisedAt,
    Instant updatedAt,
    List<Evidence> evidence) {

  /** Keeps an incident's size bounded however many readings confirm it. */
  public static final int MAX_EVIDENCE = 50;

  public Incident {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(zone, "zone");
    evidence = List.copyOf(evidence);
  }

  /** This incident with {@code latest} as the evidence of its twin, replacing that twin's older. */
  Incident confirmedBy(Evidence latest) {
    List<Evidence> updated = new ArrayList<>();
    updated.add(latest);
    for (Evidence earlier : evidence) {
      if (!earlier.thingId().equals(latest.thingId()) && updated.size() < MAX_EVIDENCE) {
        updated.add(earlier);
      }
    }
    return new Incident(id, ruleId, template, state, zone, raisedAt, latest.at(), updated);
  }

  public JsonObject toJson() {
    JsonArray evidenceJson = new JsonArray();
    evidence.forEach(e -> evidenceJson.add(e.toJson()));
    return new JsonObject()
        .put("id", id)
        .put("type", template.type())
        .put("severity", template.severity())
        .put("state", state)
        .put("rule", ruleId)
        .put(
            "zone",
            new JsonObject().put("id", zone.id()).put("type", zone.type()).put("name", zone.name()))
        .put("leadDepartment", template.leadDepartment())
        .put("cooperatingDepartments", new JsonArray(template.cooperatingDepartments()))
        .put("raisedAt", raisedAt.toString())
        .put("updatedAt", updatedAt.toString())
        .put("evidence", evidenceJson);
  }
}
