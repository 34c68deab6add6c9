package org.citytwin.fusion;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.citytwin.fusion.rules.IncidentTemplate;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonFactory;

/**
 * An incident: what happened, where, how severe, who leads and who cooperates, where it is in its
 * life cycle and at which level, with its evidence and every step taken on it.
 *
 * <p>Immutable: every change makes a new incident, so one handed to a subscriber never changes
 * under it. Incidents are kept as twins in the {@value #NAMESPACE} namespace; {@link #toJson()} is
 * the twin's attributes and {@link #fromJson} reads them back after a restart.
 *
 * @param id the twin id, {@code incidents:<rule>-<scope>-<n>}
 * @param ruleId the rule that raised it
 * @param template type, lead and cooperating departments from the rule
 * @param severity the current grade (a flood warning rises from blue to red)
 * @param state where it is in the loop
 * @param scope what it covers: a zone id, an observed object's id or a twin's id
 * @param scopeType the zone type, or {@code observed} or {@code thing}
 * @param location where its first evidence was
 * @param jurisdiction the grid, community, street and district zones at {@code location}, by level
 * @param level the level it is handled at now
 * @param unit the zone id of that level at {@code location}, or {@code district} if none
 * @param team the patrol team dispatched, if any
 * @param dueAt when the current step is late and the incident escalates, if it is open
 * @param evidence the latest evidence per twin, newest first, at most {@link #MAX_EVIDENCE}
 * @param audit every step, oldest first
 * @param subjects who is responsible, for credit lists: {@code vehicle}, {@code site}, {@code
 *     enterprise}
 * @param details rule-specific detail, for example the trajectory that was rebuilt
 * @param mergedInto the incident it was merged into, if merged
 */
public record Incident(
    String id,
    String ruleId,
    IncidentTemplate template,
    String severity,
    IncidentState state,
    String scope,
    String scopeType,
    WgsPoint location,
    Map<String, String> jurisdiction,
    String level,
    String unit,
    Optional<String> team,
    Instant raisedAt,
    Instant updatedAt,
    Optional<Instant> dueAt,
    List<Evidence> evidence,
    List<AuditEntry> audit,
    Map<String, String> subjects,
    org.eclipse.ditto.json.JsonObject details,
    Optional<String> mergedInto) {

  /** The Ditto namespace incidents are kept in. */
  public static final String NAMESPACE = "incidents";

  /** The definition of incident twins. */
  public static final String DEFINITION = "citytwin:incident:1.0.0";

  /** Keeps an incident's size bounded however many readings confirm it. */
  public static final int MAX_EVIDENCE = 50;

  public Incident {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(scopeType, "scopeType");
    Objects.requireNonNull(location, "location");
    jurisdiction = FrozenMap.of(jurisdiction);
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(raisedAt, "raisedAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(dueAt, "dueAt");
    evidence = List.copyOf(evidence);
    audit = List.copyOf(audit);
    subjects = FrozenMap.of(subjects);
    Objects.requireNonNull(details, "details");
    Objects.requireNonNull(mergedInto, "mergedInto");
  }

  /**
   * An ordered map no one can change, copied once and then handed on from one version of an
   * incident to the next: every reading that confirms an incident makes a new version, and copying
   * its maps each time was a tenth of confirming it.
   */
  private static final class FrozenMap extends java.util.AbstractMap<String, String> {
    private final Map<String, String> entries;

    private FrozenMap(Map<String, String> from) {
      this.entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(from));
    }

    static Map<String, String> of(Map<String, String> map) {
      return map instanceof FrozenMap frozen ? frozen : new FrozenMap(map);
    }

    @Override
    public java.util.Set<Entry<String, String>> entrySet() {
      return entries.entrySet();
    }

    @Override
    public String get(Object key) {
      return entries.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return entries.containsKey(key);
    }

    @Override
    public int size() {
      return entries.size();
    }
  }

  /** The latest evidence's time: how fresh the incident is for merging. */
  public Instant lastEvidenceAt() {
    return evidence.isEmpty() ? raisedAt : evidence.get(0).at();
  }

  /**
   * Whether this incident is {@code earlier} with fresher evidence only (and so a later update
   * time): confirmed again, not regraded, moved on in its life cycle, re-routed or described anew.
   */
  public boolean differsOnlyInEvidence(Incident earlier) {
    return withEvidenceList(severity, earlier.updatedAt, earlier.evidence).equals(earlier);
  }

  /** This incident with {@code latest} as the newest evidence, replacing that twin's older. */
  Incident withEvidence(Evidence latest, String newSeverity, Instant now) {
    List<Evidence> updated = new ArrayList<>(Math.min(evidence.size() + 1, MAX_EVIDENCE));
    updated.add(latest);
    for (Evidence earlier : evidence) {
      // One entry per twin: a reading that gives several signals (standing water, and standing
      // water at two gauges) is one piece of evidence.
      if (!earlier.thingId().equals(latest.thingId()) && updated.size() < MAX_EVIDENCE) {
        updated.add(earlier);
      }
    }
    return withEvidenceList(newSeverity, now, updated);
  }

  private Incident withEvidenceList(
      String newSeverity, Instant newUpdatedAt, List<Evidence> newEvidence) {
    return new Incident(
        id,
        ruleId,
        template,
        newSeverity,
        state,
        scope,
        scopeType,
        location,
        jurisdiction,
        level,
        unit,
        team,
        raisedAt,
        newUpdatedAt,
        dueAt,
        newEvidence,
        audit,
        subjects,
        details,
        mergedInto);
  }

  Incident withStep(
      IncidentState newState,
      String newLevel,
      String newUnit,
      Optional<String> newTeam,
      Optional<Instant> newDueAt,
      AuditEntry step,
      Optional<String> newMergedInto) {
    List<AuditEntry> steps = new ArrayList<>(audit);
    steps.add(step);
    return new Incident(
        id,
        ruleId,
        template,
        severity,
        newState,
        scope,
        scopeType,
        location,
        jurisdiction,
        newLevel,
        newUnit,
        newTeam,
        raisedAt,
        step.at(),
        newDueAt,
        evidence,
        steps,
        subjects,
        details,
        newMergedInto);
  }

  Incident withAudit(AuditEntry step, List<Evidence> newEvidence) {
    List<AuditEntry> steps = new ArrayList<>(audit);
    steps.add(step);
    return new Incident(
        id,
        ruleId,
        template,
        severity,
        state,
        scope,
        scopeType,
        location,
        jurisdiction,
        level,
        unit,
        team,
        raisedAt,
        step.at(),
        dueAt,
        newEvidence,
        steps,
        subjects,
        details,
        mergedInto);
  }

  Incident withDetails(
      Map<String, String> newSubjects, org.eclipse.ditto.json.JsonObject newDetails) {
    return new Incident(
        id,
        ruleId,
        template,
        severity,
        state,
        scope,
        scopeType,
        location,
        jurisdiction,
        level,
        unit,
        team,
        raisedAt,
        updatedAt,
        dueAt,
        evidence,
        audit,
        newSubjects,
        newDetails,
        mergedInto);
  }

  public JsonObject toJson() {
    JsonArray evidenceJson = new JsonArray();
    evidence.forEach(e -> evidenceJson.add(e.toJson()));
    JsonArray auditJson = new JsonArray();
    audit.forEach(step -> auditJson.add(step.toJson()));
    JsonObject json =
        new JsonObject()
            .put("id", id)
            .put("type", template.type())
            .put("severity", severity)
            .put("state", state.wireName())
            .put("rule", ruleId)
            .put("scope", new JsonObject().put("id", scope).put("type", scopeType))
            .put("location", new JsonObject(location.toGeoJson().toString()))
            .put("jurisdiction", new JsonObject(new LinkedHashMap<>(jurisdiction)))
            .put("level", level)
            .put("unit", unit)
            .put("leadDepartment", template.leadDepartment())
            .put("cooperatingDepartments", new JsonArray(template.cooperatingDepartments()))
            .put("raisedAt", raisedAt.toString())
            .put("updatedAt", updatedAt.toString())
            .put("subjects", new JsonObject(new LinkedHashMap<>(subjects)))
            .put("details", new JsonObject(details.toString()))
            .put("evidence", evidenceJson)
            .put("audit", auditJson);
    team.ifPresent(t -> json.put("team", t));
    dueAt.ifPresent(due -> json.put("dueAt", due.toString()));
    mergedInto.ifPresent(target -> json.put("mergedInto", target));
    return json;
  }

  /**
   * Reads an incident back from {@link #toJson()}.
   *
   * @throws IllegalArgumentException if the JSON is not an incident
   */
  public static Incident fromJson(JsonObject json) {
    try {
      List<Evidence> evidence = new ArrayList<>();
      json.getJsonArray("evidence", new JsonArray())
          .forEach(item -> evidence.add(Evidence.fromJson((JsonObject) item)));
      List<AuditEntry> audit = new ArrayList<>();
      json.getJsonArray("audit", new JsonArray())
          .forEach(item -> audit.add(AuditEntry.fromJson((JsonObject) item)));
      List<String> cooperating = new ArrayList<>();
      json.getJsonArray("cooperatingDepartments", new JsonArray())
          .forEach(item -> cooperating.add(String.valueOf(item)));
      JsonObject scope = json.getJsonObject("scope");
      return new Incident(
          json.getString("id"),
          json.getString("rule"),
          new IncidentTemplate(
              json.getString("type"),
              json.getString("severity"),
              json.getString("leadDepartment"),
              cooperating),
          json.getString("severity"),
          IncidentState.fromWireName(json.getString("state")),
          scope.getString("id"),
          scope.getString("type"),
          WgsPoint.fromGeoJson(JsonFactory.readFrom(json.getJsonObject("location").encode())),
          texts(json.getJsonObject("jurisdiction", new JsonObject())),
          json.getString("level"),
          json.getString("unit"),
          Optional.ofNullable(json.getString("team")),
          Instant.parse(json.getString("raisedAt")),
          Instant.parse(json.getString("updatedAt")),
          Optional.ofNullable(json.getString("dueAt")).map(Instant::parse),
          evidence,
          audit,
          texts(json.getJsonObject("subjects", new JsonObject())),
          JsonFactory.newObject(json.getJsonObject("details", new JsonObject()).encode()),
          Optional.ofNullable(json.getString("mergedInto")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not an incident: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> texts(JsonObject json) {
    Map<String, String> texts = new LinkedHashMap<>();
    json.forEach(entry -> texts.put(entry.getKey(), String.valueOf(entry.getValue())));
    return texts;
  }
}
