package org.citytwin.fusion;

import java.util.Locale;

/**
 * Where an incident is in the district's loop report -> review -> dispatch -> handle -> verify ->
 * close, or how it left it (rejected, merged into another).
 */
public enum IncidentState {
  REPORTED,
  REVIEWED,
  DISPATCHED,
  HANDLED,
  VERIFIED,
  CLOSED,
  REJECTED,
  MERGED;

  /** Whether the incident still needs someone to act. */
  public boolean open() {
    return this != CLOSED && this != REJECTED && this != MERGED;
  }

  /** The name in JSON and the API: lower case. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException if {@code name} is not a state's wire name
   */
  public static IncidentState fromWireName(String name) {
    for (IncidentState state : values()) {
      if (state.wireName().equals(name)) {
        return state;
      }
    }
    throw new IllegalArgumentException("not an incident state: " + name);
  }
}
