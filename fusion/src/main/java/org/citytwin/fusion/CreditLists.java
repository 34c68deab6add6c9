package org.citytwin.fusion;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.citytwin.fusion.rules.Rule;
import org.citytwin.fusion.rules.TrajectoryRule;

/**
 * The red (good standing) and black lists of enterprises, vehicles and sites, derived from
 * incidents, as the muck-truck departments keep them.
 *
 * <p>A subject is black-listed once an incident naming it has been verified or closed within the
 * last {@link #MEMORY}: a machine's report alone never black-lists anyone, since a rejected report
 * was a false alarm. Incidents still open count as pending. A subject the district knows of (a site
 * in the zones, its enterprise, a vehicle on an approved list) with no incident in that time, open
 * or confirmed, is on the red list.
 */
public record CreditLists(List<Entry> entries) {

  /** How long a confirmed violation keeps a subject black-listed. */
  public static final Duration MEMORY = Duration.ofDays(365);

  /** The kinds of subject incidents name. */
  public static final List<String> KINDS = List.of("enterprise", "vehicle", "site");

  /**
   * One subject's standing.
   *
   * @param kind enterprise, vehicle or site
   * @param id the subject
   * @param list {@code black}, {@code red}, or {@code none} (pending incidents only)
   * @param confirmed incidents verified or closed within {@link #MEMORY}
   * @param pending incidents still open
   * @param incidents their ids, newest first
   */
  public record Entry(
      String kind, String id, String list, int confirmed, int pending, List<String> incidents) {

    public Entry {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(list, "list");
      incidents = List.copyOf(incidents);
    }

    public JsonObject toJson() {
      return new JsonObject()
          .put("kind", kind)
          .put("id", id)
          .put("list", list)
          .put("confirmed", confirmed)
          .put("pending", pending)
          .put("incidents", new JsonArray(incidents));
    }
  }

  public CreditLists {
    entries = List.copyOf(entries);
  }

  static CreditLists derive(
      List<Incident> newestFirst, ZoneIndex zones, List<Rule> rules, Instant now) {
    Map<String, int[]> counts = new TreeMap<>();
    Map<String, List<String>> incidents = new TreeMap<>();
    for (Rule rule : rules) {
      if (rule instanceof TrajectoryRule trajectory) {
        for (Zone site : zones.ofType(trajectory.siteZoneType())) {
          counts.putIfAbsent(key("site", site.id()), new int[2]);
          site.text("enterprise")
              .ifPresent(e -> counts.putIfAbsent(key("enterprise", e), new int[2]));
          site.texts("approvedVehicles")
              .forEach(vehicle -> counts.putIfAbsent(key("vehicle", vehicle), new int[2]));
        }
      }
    }
    Instant since = now.minus(MEMORY);
    for (Incident incident : newestFirst) {
      boolean confirmed =
          (incident.state() == IncidentState.VERIFIED || incident.state() == IncidentState.CLOSED)
              && !incident.updatedAt().isBefore(since);
      boolean pending = incident.state().open() && incident.state() != IncidentState.VERIFIED;
      if (!confirmed && !pending) {
        continue;
      }
      for (Map.Entry<String, String> subject : incident.subjects().entrySet()) {
        if (!KINDS.contains(subject.getKey())) {
          continue;
        }
        String key = key(subject.getKey(), subject.getValue());
        int[] count = counts.computeIfAbsent(key, k -> new int[2]);
        count[confirmed ? 0 : 1]++;
        incidents.computeIfAbsent(key, k -> new ArrayList<>()).add(incident.id());
      }
    }
    List<Entry> entries = new ArrayList<>(counts.size());
    counts.forEach(
        (key, count) -> {
          int split = key.indexOf('\u0000');
          String list = count[0] > 0 ? "black" : count[1] > 0 ? "none" : "red";
          entries.add(
              new Entry(
                  key.substring(0, split),
                  key.substring(split + 1),
                  list,
                  count[0],
                  count[1],
                  incidents.getOrDefault(key, List.of())));
        });
    entries.sort(Comparator.comparing(Entry::kind).thenComparing(Entry::id));
    return new CreditLists(entries);
  }

  private static String key(String kind, String id) {
    return kind + '\u0000' + id;
  }

  /**
   * The entries on a list ({@code red}, {@code black} or {@code none}; all if empty), of a kind.
   */
  public List<Entry> on(java.util.Optional<String> list, java.util.Optional<String> kind) {
    return entries.stream()
        .filter(entry -> list.map(entry.list()::equals).orElse(true))
        .filter(entry -> kind.map(entry.kind()::equals).orElse(true))
        .toList();
  }
}
