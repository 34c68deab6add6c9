package org.citytwin.fusion.rules;

import java.util.Objects;

/**
 * What one incident of a rule covers, and so what its signals are correlated within: a zone of a
 * type the twin stands in (a catchment, an embankment strip, a road), the managed object a device
 * observes (a bridge), or the twin itself (a vehicle's tracker).
 *
 * @param kind which of the three
 * @param zoneType the zone type, for {@link Kind#ZONE} only; empty text otherwise
 */
public record Scope(Kind kind, String zoneType) {

  public enum Kind {
    ZONE,
    OBSERVED,
    THING
  }

  public Scope {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(zoneType, "zoneType");
    if ((kind == Kind.ZONE) == zoneType.isEmpty()) {
      throw new IllegalArgumentException("a zone scope needs a zone type, and only it");
    }
  }

  public static Scope zone(String zoneType) {
    return new Scope(Kind.ZONE, zoneType);
  }
}
