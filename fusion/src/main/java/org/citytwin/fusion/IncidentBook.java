package org.citytwin.fusion;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.citytwin.fusion.rules.CorrelationRule;
import org.citytwin.fusion.rules.Rule;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonObject;

/**
 * Every incident and its life cycle: reporting with routing to a level, the state machine, dispatch
 * to the nearest free team, merging, and escalation of late steps.
 *
 * <p><b>Routing.</b> An incident's position falls in a grid, community, street and district (zones
 * of those types); it starts at its rule's level and is assigned to that level's zone there (or the
 * next level up that has one). <b>Escalation.</b> Each open state has a time allowed ({@link
 * SlaPolicy}); when it passes, the incident moves one level up and the clock restarts, until the
 * district, where it stays. <b>Dispatch.</b> Without a team named, the nearest team free of other
 * dispatched work is chosen, measured in metres on the Gauss-Kruger plane, preferring the lead
 * department's teams. Every step is audited.
 *
 * <p>Not thread-safe: confined to the fusion verticle's event loop, like the engine that feeds it.
 */
public final class IncidentBook {

  private final ZoneIndex zones;
  private final List<PatrolTeam> teams;
  private final SlaPolicy sla;
  private final GaussKrugerMetres metres = new GaussKrugerMetres();
  private final Map<String, Incident> byId = new LinkedHashMap<>();
  private final Map<String, List<String>> openByRuleAndScope = new HashMap<>();

  public IncidentBook(ZoneIndex zones, List<PatrolTeam> teams, SlaPolicy sla) {
    this.zones = zones;
    this.teams = List.copyOf(teams);
    this.sla = sla;
  }

  /** Takes back an incident kept before a restart. */
  public void recover(Incident incident) {
    put(incident);
  }

  public Optional<Incident> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Every incident, newest first. */
  public List<Incident> all() {
    List<Incident> all = new ArrayList<>(byId.values());
    all.sort(Comparator.comparing(Incident::raisedAt).reversed().thenComparing(Incident::id));
    return all;
  }

  /** How many incidents are in each state, in the states' order; states with none left out. */
  public Map<IncidentState, Integer> countByState() {
    Map<IncidentState, Integer> counts = new EnumMap<>(IncidentState.class);
    for (Incident incident : byId.values()) {
      counts.merge(incident.state(), 1, Integer::sum);
    }
    return counts;
  }

  /**
   * The open incident of {@code rule} in {@code scope} that evidence at {@code at} and {@code
   * where} belongs to: the one whose latest evidence is recent enough and, for a clustering rule,
   * close enough to where it was raised or to any of its evidence.
   */
  Optional<Incident> mergeTarget(Rule rule, String scope, Instant at, Optional<WgsPoint> where) {
    List<String> ids = openByRuleAndScope.get(key(rule.id(), scope));
    if (ids == null) {
      return Optional.empty();
    }
    Optional<Double> cluster =
        rule instanceof CorrelationRule correlation
            ? correlation.clusterMetres()
            : Optional.empty();
    Incident best = null;
    double bestDistance = Double.MAX_VALUE;
    for (String id : ids) {
      Incident candidate = byId.get(id);
      if (at.isAfter(candidate.lastEvidenceAt().plus(rule.mergeWithin()))) {
        continue;
      }
      double distance =
          cluster.isPresent() && where.isPresent() ? nearestMetres(candidate, where.get()) : 0;
      if (cluster.isPresent() && distance > cluster.get()) {
        continue;
      }
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * How far {@code where} lies from {@code incident}: from the place it was raised or from its
   * nearest evidence, whichever is nearer. Measuring from the evidence makes a cluster grow with
   * its alerts (single linkage): a person walking the bank past camera after camera, or one seen
   * only by the cameras beside a failed one, stays one incident.
   */
  private double nearestMetres(Incident incident, WgsPoint where) {
    double nearest = metres.metresBetween(incident.location(), where);
    for (Evidence evidence : incident.evidence()) {
      if (evidence.location().isPresent()) {
        nearest = Math.min(nearest, metres.metresBetween(evidence.location().get(), where));
      }
    }
    return nearest;
  }

  /**
   * Raises a new incident, routed to its level, and dispatches it at once if the rule says so.
   *
   * @param evidence what made the rule fire, the triggering reading first
   */
  Incident report(
      Rule rule,
      String scope,
      String scopeType,
      String severity,
      List<Evidence> evidence,
      WgsPoint location,
      Map<String, String> subjects,
      JsonObject details,
      Instant now) {
    Map<String, String> jurisdiction = jurisdictionAt(location);
    String level = rule.level();
    Incident incident =
        new Incident(
            newId(rule.id(), scope, now),
            rule.id(),
            rule.incident(),
            severity,
            IncidentState.REPORTED,
            scope,
            scopeType,
            location,
            jurisdiction,
            level,
            unitAt(jurisdiction, level),
            Optional.empty(),
            now,
            now,
            due(IncidentState.REPORTED, now),
            evidence,
            List.of(
                new AuditEntry(
                    "report",
                    IncidentState.REPORTED,
                    IncidentState.REPORTED,
                    AuditEntry.SYSTEM,
                    now,
                    "raised by rule " + rule.id() + " (" + rule.source() + ")")),
            subjects,
            details,
            Optional.empty());
    put(incident);
    if (rule.autoDispatch()) {
      incident =
          act(
              incident.id(),
              IncidentAction.REVIEW,
              AuditEntry.SYSTEM,
              "reviewed automatically: rule " + rule.id() + " dispatches without review",
              Optional.empty(),
              Optional.empty(),
              now);
      try {
        incident =
            act(
                incident.id(),
                IncidentAction.DISPATCH,
                AuditEntry.SYSTEM,
                "dispatched automatically to the nearest free team",
                Optional.empty(),
                Optional.empty(),
                now);
      } catch (org.citytwin.twin.CitytwinException noTeam) {
        // It stays reviewed, and escalates if nobody dispatches it in time.
      }
    }
    return incident;
  }

  /** Adds evidence to an open incident, regrading it when the evidence raised its severity. */
  Incident confirm(Incident open, Evidence evidence, String severity, Instant now) {
    Incident confirmed = open.withEvidence(evidence, severity, now);
    if (!severity.equals(open.severity())) {
      confirmed =
          confirmed.withAudit(
              new AuditEntry(
                  "regrade",
                  open.state(),
                  open.state(),
                  AuditEntry.SYSTEM,
                  now,
                  open.severity() + " -> " + severity + " on " + evidence.signal()),
              confirmed.evidence());
    }
    put(confirmed);
    return confirmed;
  }

  /** Replaces an open incident's subjects and details (a trajectory extended). */
  Incident describe(Incident incident, Map<String, String> subjects, JsonObject details) {
    Incident described = incident.withDetails(subjects, details);
    put(described);
    return described;
  }

  /**
   * Takes one step on an incident.
   *
   * @param team for dispatch: the team to send; empty picks the nearest free one
   * @param into for merge: the incident that absorbs this one
   * @return the incident after the step (for merge: the one merged away)
   * @throws org.citytwin.twin.CitytwinException {@link IncidentErrors#NOT_FOUND}, {@link
   *     IncidentErrors#ILLEGAL_TRANSITION} or {@link IncidentErrors#NO_TEAM}; nothing changes
   */
  public Incident act(
      String id,
      IncidentAction action,
      String actor,
      String note,
      Optional<String> team,
      Optional<String> into,
      Instant now) {
    Incident incident =
        get(id).orElseThrow(() -> IncidentErrors.NOT_FOUND.toException("No incident " + id + "."));
    if (!action.allowedFrom(incident.state())) {
      throw IncidentErrors.ILLEGAL_TRANSITION.toException(
          "Cannot "
              + action.wireName()
              + " incident "
              + id
              + ": it is "
              + incident.state().wireName()
              + "; "
              + action.wireName()
              + " is allowed when it is "
              + action.allowedFrom().stream()
                  .map(IncidentState::wireName)
                  .collect(Collectors.joining(" or "))
              + ".");
    }
    Incident after =
        switch (action) {
          case ESCALATE ->
              escalated(incident, actor, note, now)
                  .orElseThrow(
                      () ->
                          IncidentErrors.ILLEGAL_TRANSITION.toException(
                              "Incident " + id + " is already at district level."));
          case DISPATCH -> dispatched(incident, actor, note, team, now);
          case MERGE -> merged(incident, actor, note, into, now);
          default -> {
            IncidentState to = action.to().orElseThrow();
            yield incident.withStep(
                to,
                incident.level(),
                incident.unit(),
                incident.team(),
                to.open() ? due(to, now) : Optional.empty(),
                new AuditEntry(action.wireName(), incident.state(), to, actor, now, note),
                incident.mergedInto());
          }
        };
    put(after);
    return after;
  }

  private Incident dispatched(
      Incident incident, String actor, String note, Optional<String> named, Instant now) {
    PatrolTeam team =
        named.isPresent()
            ? teams.stream()
                .filter(candidate -> candidate.id().equals(named.get()))
                .filter(candidate -> !busy().contains(candidate.id()))
                .findFirst()
                .orElseThrow(
                    () ->
                        IncidentErrors.NO_TEAM.toException(
                            "Team " + named.get() + " does not exist or is busy."))
            : nearestFreeTeam(incident)
                .orElseThrow(
                    () ->
                        IncidentErrors.NO_TEAM.toException(
                            "No patrol team is free for incident " + incident.id() + "."));
    double distance = metres.metresBetween(team.base(), incident.location());
    String decided =
        String.format(
            java.util.Locale.ROOT,
            "team %s, %.0f m away%s",
            team.id(),
            distance,
            note.isBlank() ? "" : "; " + note);
    return incident.withStep(
        IncidentState.DISPATCHED,
        incident.level(),
        incident.unit(),
        Optional.of(team.id()),
        due(IncidentState.DISPATCHED, now),
        new AuditEntry("dispatch", incident.state(), IncidentState.DISPATCHED, actor, now, decided),
        incident.mergedInto());
  }

  /** The nearest team free of dispatched work, the lead department's teams first. */
  Optional<PatrolTeam> nearestFreeTeam(Incident incident) {
    Set<String> busy = busy();
    List<PatrolTeam> free = teams.stream().filter(team -> !busy.contains(team.id())).toList();
    List<PatrolTeam> own =
        free.stream()
            .filter(team -> team.department().equals(incident.template().leadDepartment()))
            .toList();
    return (own.isEmpty() ? free : own)
        .stream()
            .min(
                Comparator.comparingDouble(
                        (PatrolTeam team) -> metres.metresBetween(team.base(), incident.location()))
                    .thenComparing(PatrolTeam::id));
  }

  private Set<String> busy() {
    return openIncidents().stream()
        .filter(incident -> incident.state() == IncidentState.DISPATCHED)
        .flatMap(incident -> incident.team().stream())
        .collect(Collectors.toSet());
  }

  private Incident merged(
      Incident incident, String actor, String note, Optional<String> into, Instant now) {
    String targetId =
        into.orElseThrow(
            () ->
                IncidentErrors.ACTION_INVALID.toException("Merge needs \"into\": an incident id."));
    Incident target =
        get(targetId)
            .orElseThrow(
                () -> IncidentErrors.NOT_FOUND.toException("No incident " + targetId + "."));
    if (target.id().equals(incident.id()) || !target.state().open()) {
      throw IncidentErrors.ILLEGAL_TRANSITION.toException(
          "Incident "
              + incident.id()
              + " can only merge into another open incident; "
              + targetId
              + " is "
              + (target.id().equals(incident.id()) ? "itself" : target.state().wireName())
              + ".");
    }
    List<Evidence> combined = new ArrayList<>(target.evidence());
    for (Evidence evidence : incident.evidence()) {
      if (combined.size() < Incident.MAX_EVIDENCE) {
        combined.add(evidence);
      }
    }
    combined.sort(Comparator.comparing(Evidence::at).reversed());
    put(
        target.withAudit(
            new AuditEntry(
                "absorb",
                target.state(),
                target.state(),
                actor,
                now,
                "absorbed " + incident.id() + (note.isBlank() ? "" : "; " + note)),
            combined));
    return incident.withStep(
        IncidentState.MERGED,
        incident.level(),
        incident.unit(),
        incident.team(),
        Optional.empty(),
        new AuditEntry(
            "merge",
            incident.state(),
            IncidentState.MERGED,
            actor,
            now,
            "into " + targetId + (note.isBlank() ? "" : "; " + note)),
        Optional.of(targetId));
  }

  /**
   * Escalates every open incident whose current step is late, one level each.
   *
   * @return the incidents escalated
   */
  public List<Incident> escalateOverdue(Instant now) {
    List<Incident> escalated = new ArrayList<>();
    for (Incident incident : openIncidents()) {
      if (incident.state().open()
          && incident.dueAt().isPresent()
          && now.isAfter(incident.dueAt().get())) {
        Optional<Incident> up =
            escalated(
                incident,
                AuditEntry.SYSTEM,
                incident.state().wireName() + " step late (due " + incident.dueAt().get() + ")",
                now);
        Incident after =
            up.orElseGet(
                () ->
                    incident.withStep(
                        incident.state(),
                        incident.level(),
                        incident.unit(),
                        incident.team(),
                        Optional.empty(),
                        new AuditEntry(
                            "overdue",
                            incident.state(),
                            incident.state(),
                            AuditEntry.SYSTEM,
                            now,
                            "late at district level; no level above"),
                        incident.mergedInto()));
        put(after);
        escalated.add(after);
      }
    }
    return escalated;
  }

  /** The open incidents, read from the open index rather than every incident ever kept. */
  private List<Incident> openIncidents() {
    List<Incident> open = new ArrayList<>();
    openByRuleAndScope.values().forEach(ids -> ids.forEach(id -> open.add(byId.get(id))));
    return open;
  }

  private Optional<Incident> escalated(Incident incident, String actor, String note, Instant now) {
    int level = Zone.LEVELS.indexOf(incident.level());
    if (level < 0 || level + 1 >= Zone.LEVELS.size()) {
      return Optional.empty();
    }
    String up = Zone.LEVELS.get(level + 1);
    String unit = unitAt(incident.jurisdiction(), up);
    return Optional.of(
        incident.withStep(
            incident.state(),
            up,
            unit,
            incident.team(),
            due(incident.state(), now),
            new AuditEntry(
                "escalate",
                incident.state(),
                incident.state(),
                actor,
                now,
                incident.level()
                    + " -> "
                    + up
                    + " ("
                    + unit
                    + ")"
                    + (note.isBlank() ? "" : "; " + note)),
            incident.mergedInto()));
  }

  private Optional<Instant> due(IncidentState state, Instant now) {
    return sla.allowedIn(state).map(now::plus);
  }

  private Map<String, String> jurisdictionAt(WgsPoint location) {
    Map<String, String> jurisdiction = new LinkedHashMap<>();
    for (String level : Zone.LEVELS) {
      List<Zone> found = zones.containing(location, level);
      if (!found.isEmpty()) {
        jurisdiction.put(level, found.get(0).id());
      }
    }
    return jurisdiction;
  }

  /** The zone handling {@code level} at the incident, or the nearest level above that has one. */
  private static String unitAt(Map<String, String> jurisdiction, String level) {
    for (int i = Math.max(0, Zone.LEVELS.indexOf(level)); i < Zone.LEVELS.size(); i++) {
      String unit = jurisdiction.get(Zone.LEVELS.get(i));
      if (unit != null) {
        return unit;
      }
    }
    return "district";
  }

  private String newId(String ruleId, String scope, Instant now) {
    String base =
        Incident.NAMESPACE
            + ":"
            + ruleId
            + "-"
            + scope.replaceAll("[^A-Za-z0-9_.-]", "_")
            + "-"
            + Long.toString(now.toEpochMilli(), 36);
    String id = base;
    for (int n = 2; byId.containsKey(id); n++) {
      id = base + "-" + n;
    }
    return id;
  }

  private void put(Incident incident) {
    Incident before = byId.put(incident.id(), incident);
    String key = key(incident.ruleId(), incident.scope());
    if (before == null || before.state().open() != incident.state().open()) {
      if (incident.state().open()) {
        openByRuleAndScope.computeIfAbsent(key, k -> new ArrayList<>(1)).add(incident.id());
      } else {
        List<String> ids = openByRuleAndScope.get(key);
        if (ids != null) {
          ids.remove(incident.id());
          if (ids.isEmpty()) {
            openByRuleAndScope.remove(key);
          }
        }
      }
    }
  }

  private static String key(String ruleId, String scope) {
    return ruleId + '\u0000' + scope;
  }
}
