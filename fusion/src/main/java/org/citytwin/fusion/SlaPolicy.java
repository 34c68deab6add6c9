package org.citytwin.fusion;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * How long each step of an incident may take before it escalates one level: time to review a
 * report, to dispatch a reviewed incident, for the team to handle it, to verify and to close.
 *
 * <p>The defaults follow the district's practice: Lin'an's patrol teams are on scene within 5
 * minutes and done within 10, so a dispatched incident not handled in 10 minutes escalates.
 */
public record SlaPolicy(Map<IncidentState, Duration> allowed) {

  public SlaPolicy {
    allowed = Map.copyOf(allowed);
  }

  public static SlaPolicy defaults() {
    Map<IncidentState, Duration> allowed = new EnumMap<>(IncidentState.class);
    allowed.put(IncidentState.REPORTED, Duration.ofMinutes(10));
    allowed.put(IncidentState.REVIEWED, Duration.ofMinutes(5));
    allowed.put(IncidentState.DISPATCHED, Duration.ofMinutes(10));
    allowed.put(IncidentState.HANDLED, Duration.ofMinutes(60));
    allowed.put(IncidentState.VERIFIED, Duration.ofMinutes(60));
    return new SlaPolicy(allowed);
  }

  /** How long an incident may stay in {@code state}; empty for the states it never leaves. */
  public Optional<Duration> allowedIn(IncidentState state) {
    return Optional.ofNullable(allowed.get(state));
  }
}
