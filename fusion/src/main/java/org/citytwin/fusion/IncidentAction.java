package org.citytwin.fusion;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a person (or the system) can do to an incident, and from which states. An action asked of an
 * incident in any other state is refused; nothing is changed.
 *
 * <p>{@link #RETURN} is a failed verification: the work goes back to the team. {@link #ESCALATE}
 * moves the incident one level up (grid, community, street, district) without changing its state;
 * the system does it when a step is late, and a person may do it at any time while it is open.
 */
public enum IncidentAction {
  REVIEW(EnumSet.of(IncidentState.REPORTED), IncidentState.REVIEWED),
  DISPATCH(EnumSet.of(IncidentState.REVIEWED), IncidentState.DISPATCHED),
  HANDLE(EnumSet.of(IncidentState.DISPATCHED), IncidentState.HANDLED),
  VERIFY(EnumSet.of(IncidentState.HANDLED), IncidentState.VERIFIED),
  RETURN(EnumSet.of(IncidentState.HANDLED), IncidentState.DISPATCHED),
  CLOSE(EnumSet.of(IncidentState.VERIFIED), IncidentState.CLOSED),
  REJECT(EnumSet.of(IncidentState.REPORTED, IncidentState.REVIEWED), IncidentState.REJECTED),
  MERGE(
      EnumSet.of(
          IncidentState.REPORTED,
          IncidentState.REVIEWED,
          IncidentState.DISPATCHED,
          IncidentState.HANDLED),
      IncidentState.MERGED),
  ESCALATE(
      EnumSet.of(
          IncidentState.REPORTED,
          IncidentState.REVIEWED,
          IncidentState.DISPATCHED,
          IncidentState.HANDLED,
          IncidentState.VERIFIED),
      null);

  private final Set<IncidentState> from;
  private final IncidentState to;

  IncidentAction(Set<IncidentState> from, IncidentState to) {
    this.from = from;
    this.to = to;
  }

  public boolean allowedFrom(IncidentState state) {
    return from.contains(state);
  }

  /** The state after the action; empty when it keeps the state (escalation). */
  public Optional<IncidentState> to() {
    return Optional.ofNullable(to);
  }

  public Set<IncidentState> allowedFrom() {
    return EnumSet.copyOf(from);
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<IncidentAction> fromWireName(String name) {
    for (IncidentAction action : values()) {
      if (action.wireName().equals(name)) {
        return Optional.of(action);
      }
    }
    return Optional.empty();
  }
}
