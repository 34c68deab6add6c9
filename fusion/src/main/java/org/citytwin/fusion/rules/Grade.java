package org.citytwin.fusion.rules;

import java.util.List;
import java.util.Objects;

/**
 * A severity and the signals that must all be active in one scope for it: blue needs rain, red
 * needs rain, standing water and the river over its warning line.
 */
public record Grade(String severity, List<String> signals) {

  public Grade {
    Objects.requireNonNull(severity, "severity");
    signals = List.copyOf(signals);
    if (signals.isEmpty()) {
      throw new IllegalArgumentException("a grade needs at least one signal");
    }
  }
}
