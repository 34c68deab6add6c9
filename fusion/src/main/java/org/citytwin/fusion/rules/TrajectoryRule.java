package org.citytwin.fusion.rules;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Follows vehicles through zones and raises an incident when one breaks the rules of the site it
 * came from: a muck truck not on any site's approved list, or one that left its site outside the
 * site's working hours.
 *
 * <p>Each position a tracker reports is kept for {@link #trace()}; when the vehicle is seen outside
 * every site, its path is walked back to the last site it was inside: that is the site it came
 * from, and the enterprise the site names is responsible. The incident carries the path, the
 * vehicle, the site and the enterprise, which is what the credit lists are derived from.
 *
 * @param tracker the definition of the trackers (GPS, plate cameras) that report positions
 * @param attributes attribute values a tracker must have for its vehicle to be followed
 * @param siteZoneType the zone type of sites ({@code construction-site}); their {@code
 *     approvedVehicles}, {@code workingHours} and {@code enterprise} properties are read
 * @param trace how much of a vehicle's path is kept
 * @param unapproved raise when the vehicle is on no site's approved list
 * @param outsideHours raise when the vehicle left its site outside the site's working hours
 */
public record TrajectoryRule(
    String id,
    String source,
    String description,
    IncidentTemplate incident,
    String tracker,
    Map<String, String> attributes,
    String siteZoneType,
    Duration trace,
    boolean unapproved,
    boolean outsideHours,
    Duration mergeWithin,
    String level,
    boolean autoDispatch)
    implements Rule {

  public TrajectoryRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(incident, "incident");
    Objects.requireNonNull(tracker, "tracker");
    attributes = Map.copyOf(attributes);
    Objects.requireNonNull(siteZoneType, "siteZoneType");
    Objects.requireNonNull(trace, "trace");
    Objects.requireNonNull(mergeWithin, "mergeWithin");
    Objects.requireNonNull(level, "level");
    if (!unapproved && !outsideHours) {
      throw new IllegalArgumentException("a trajectory rule must check approval, hours or both");
    }
  }

  @Override
  public Set<String> definitions() {
    return Set.of(tracker);
  }
}
