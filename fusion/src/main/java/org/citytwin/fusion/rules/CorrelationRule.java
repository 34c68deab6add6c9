package org.citytwin.fusion.rules;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Raises an incident when signals from (often different departments') twins are active together in
 * one scope within a time window, graded by which signals are active.
 *
 * <p>A one-signal rule is a plain threshold, rate or window rule; several signals make a
 * co-occurrence rule. Grades are tried highest first (the order written); the first whose signals
 * are all active gives the severity. An open incident of the rule in the same scope absorbs new
 * evidence (and is regraded) as long as its latest evidence is no older than {@link #mergeWithin()}
 * and, with {@link #clusterMetres()}, lies within that distance of where the incident was raised or
 * of any of its evidence: that is what keeps a burst of 40 intrusion alerts, or a walk along the
 * bank past several cameras, one incident.
 *
 * @param within how recently a signal must have held to count as active
 * @param clusterMetres if present, evidence farther than this from an open incident's position and
 *     from all its evidence starts a new incident in the same scope
 */
public record CorrelationRule(
    String id,
    String source,
    String description,
    IncidentTemplate incident,
    Scope scope,
    List<Signal> signals,
    Duration within,
    List<Grade> grades,
    Duration mergeWithin,
    Optional<Double> clusterMetres,
    String level,
    boolean autoDispatch)
    implements Rule {

  public CorrelationRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(incident, "incident");
    Objects.requireNonNull(scope, "scope");
    signals = List.copyOf(signals);
    Objects.requireNonNull(within, "within");
    grades =
        grades.isEmpty()
            ? List.of(new Grade(incident.severity(), signals.stream().map(Signal::name).toList()))
            : List.copyOf(grades);
    Objects.requireNonNull(mergeWithin, "mergeWithin");
    Objects.requireNonNull(clusterMetres, "clusterMetres");
    Objects.requireNonNull(level, "level");
    Set<String> names = new HashSet<>();
    for (Signal signal : signals) {
      if (!names.add(signal.name())) {
        throw new IllegalArgumentException("two signals are named " + signal.name());
      }
    }
    for (Grade grade : grades) {
      for (String needed : grade.signals()) {
        if (!names.contains(needed)) {
          throw new IllegalArgumentException(
              "grade " + grade.severity() + " needs signal " + needed + ", which is not defined");
        }
      }
    }
  }

  @Override
  public Set<String> definitions() {
    Set<String> definitions = new LinkedHashSet<>();
    signals.forEach(signal -> definitions.add(signal.definition()));
    return definitions;
  }
}
