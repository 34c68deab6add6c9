package org.citytwin.fusion;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.citytwin.twin.TwinEvent;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonValue;

/**
 * Turns twin events into incidents.
 *
 * <p>For each Ditto Protocol event it reconstructs what changed, and for every rule watching the
 * twin's definition and the changed property, checks the threshold and the zones the twin stands
 * in. A zone with an open incident of the rule gets its evidence updated instead of a second
 * incident, so a burst of readings from many gauges in one catchment stays one incident.
 *
 * <p>Not thread-safe: it is confined to the {@link FusionVerticle}'s event loop.
 */
public final class FusionEngine {

  private record OpenKey(String ruleId, String zoneId) {}

  private final ZoneIndex zones;
  private final List<ThresholdInZoneRule> rules;
  private final Clock clock;
  private final Map<OpenKey, Incident> open = new HashMap<>();

  public FusionEngine(ZoneIndex zones, List<ThresholdInZoneRule> rules, Clock clock) {
    this.zones = zones;
    this.rules = List.copyOf(rules);
    this.clock = clock;
  }

  /**
   * Evaluates one Ditto Protocol twin event.
   *
   * @return the incidents it raised or updated, empty if none
   */
  public List<Incident> onTwinEvent(JsonObject event) {
    Optional<TwinEvent> parsed = TwinEvent.parse(event);
    if (parsed.isEmpty()) {
      return List.of();
    }
    TwinEvent twin = parsed.get();
    Optional<WgsPoint> location = twin.location();
    List<Incident> touched = new ArrayList<>();
    for (ThresholdInZoneRule rule : rules) {
      if (!rule.definition().equals(twin.definition()) || location.isEmpty()) {
        continue;
      }
      Optional<JsonValue> value = twin.changes().getValue(rule.valuePath());
      if (value.isEmpty() || !value.get().isNumber() || value.get().asDouble() <= rule.above()) {
        continue;
      }
      Instant now = clock.instant();
      Evidence evidence =
          new Evidence(
              twin.thingId().toString(),
              rule.valuePath().toString(),
              value.get().asDouble(),
              twin.revision(),
              now);
      for (Zone zone : zones.containing(location.get(), rule.zoneType())) {
        Incident incident =
            open.compute(
                new OpenKey(rule.id(), zone.id()),
                (key, existing) ->
                    existing != null
                        ? existing.confirmedBy(evidence)
                        : new Incident(
                            "incidents:" + rule.id() + "-" + zone.id() + "-" + now.toEpochMilli(),
                            rule.id(),
                            rule.incident(),
                            "reported",
                            zone,
                            now,
                            now,
                            List.of(evidence)));
        touched.add(incident);
      }
    }
    return touched;
  }

  /** Every incident, newest first. */
  public List<Incident> incidents() {
    List<Incident> all = new ArrayList<>(open.values());
    all.sort(Comparator.comparing(Incident::raisedAt).reversed().thenComparing(Incident::id));
    return all;
  }
}
