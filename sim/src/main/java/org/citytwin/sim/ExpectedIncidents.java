package org.citytwin.sim;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The incidents one scenario should raise, by the key a raised incident names its case with.
 *
 * @param scenario its name in the report
 * @param incidentType the type of incident the shipped rule raises
 * @param key how a raised incident names its case
 * @param cases each case, by key
 */
public record ExpectedIncidents(
    String scenario, String incidentType, CaseKey key, Map<String, Case> cases) {

  public ExpectedIncidents {
    cases = Map.copyOf(new TreeMap<>(cases));
  }

  /**
   * One case.
   *
   * @param at when it became a case (its detection latency is counted from here)
   * @param severity the grade the incident should stand at once the scenario has played, for
   *     scenarios whose truth knows it
   */
  public record Case(Instant at, Optional<String> severity) {
    public static Case at(Instant at) {
      return new Case(at, Optional.empty());
    }

    public static Case graded(Instant at, String severity) {
      return new Case(at, Optional.of(severity));
    }
  }

  /** What names a case in a raised incident. */
  public enum CaseKey {
    /** The incident's scope: a catchment, an embankment, a road, a bridge, a PV farm. */
    SCOPE,
    /** The vehicle it is about. */
    VEHICLE;

    /** The key of an incident with this scope and these subjects; null when it names none. */
    public String of(String scope, Map<String, String> subjects) {
      return this == SCOPE ? scope : subjects.get("vehicle");
    }
  }
}
