package org.citytwin.fusion;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.citytwin.fusion.rules.CorrelationRule;
import org.citytwin.fusion.rules.Grade;
import org.citytwin.fusion.rules.Rule;
import org.citytwin.fusion.rules.Scope;
import org.citytwin.fusion.rules.Signal;
import org.citytwin.fusion.rules.TrajectoryRule;
import org.citytwin.fusion.rules.ValueWindow;
import org.citytwin.twin.LatencyHistogram;
import org.citytwin.twin.WgsPoint;
import org.eclipse.ditto.json.JsonArray;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingId;

/**
 * Turns twin changes into incidents by the loaded rules.
 *
 * <p>For each change it finds the rules listening to the twin's definition. A correlation rule's
 * signal is tested against the twin's value and recent values; the result is recorded in every
 * scope the twin belongs to (the zones of the rule's type it stands in, the object it observes, or
 * itself), and when a grade's signals are all active in that scope within the rule's window, the
 * scope's open incident absorbs the evidence or a new incident is reported. A trajectory rule keeps
 * each vehicle's recent path and checks it against the site it came from.
 *
 * <p>Rules can be replaced while running ({@link #replaceRules}); the state of rules that did not
 * change is kept, so a reload does not forget a storm in progress.
 *
 * <p>Not thread-safe: confined to the {@link FusionVerticle}'s event loop.
 */
public final class FusionEngine {

  /** At most this many positions are kept per vehicle, however often its tracker reports. */
  static final int MAX_FIXES = 2048;

  /** The thinnest a kept path gets between site entries and exits. */
  static final java.time.Duration KEEP_A_FIX_EVERY = java.time.Duration.ofSeconds(10);

  /** How often an open trajectory incident's path is rewritten as the vehicle goes on. */
  static final java.time.Duration REDESCRIBE_EVERY = java.time.Duration.ofSeconds(30);

  /** At most this many of the latest fixes go into an incident's details. */
  static final int MAX_DETAIL_FIXES = 500;

  /** A rule listening to a definition: a correlation rule's signal, or a trajectory rule. */
  /**
   * A rule's signal bound to a definition, with the text of the signal's value pointer: Ditto
   * renders a pointer's text anew, through a stream, at every {@code toString}, and every piece of
   * evidence names it.
   */
  private record Binding(
      Rule rule,
      Signal signal,
      RuleState state,
      String valuePath,
      ValuePath valueAt,
      LatencyHistogram timing) {

    /** {@code valueAt} is the one path of the rule pack equal to its signal's value pointer. */
    Binding(Rule rule, Signal signal, RuleState state, ValuePath valueAt, LatencyHistogram timing) {
      this(rule, signal, state, signal == null ? "" : signal.value().toString(), valueAt, timing);
    }
  }

  /**
   * What one correlation rule remembers: per signal, each twin's recent values; per scope, which
   * twins meet which signal. Kept per rule so a reload can keep the state of unchanged rules and so
   * that a reading finds its state without hashing the rule's id.
   */
  private static final class RuleState {
    // Keyed by the thing id's text: Ditto's ThingId hashes with Objects.hash (an array a call),
    // and these maps are read for every reading.
    final Map<String, Map<String, ValueWindow>> valuesBySignal = new HashMap<>();
    final Map<String, ScopeState> scopes = new HashMap<>();
    final Map<String, Integer> minTwins = new HashMap<>();

    RuleState(CorrelationRule rule) {
      rule.signals().forEach(signal -> minTwins.put(signal.name(), signal.minTwins()));
    }
  }

  /** Where a twin stands and the zones of each type asked about there, filled as asked. */
  private record Place(WgsPoint point, Map<String, List<Zone>> zonesByType) {}

  private record ScopeTarget(String id, String type, WgsPoint location) {}

  /**
   * The part of a vehicle's path fusion has not seen, to be read from history.
   *
   * @param from the start of the rule's trace
   * @param to the first position fusion saw
   */
  public record PathRequest(Instant from, Instant to) {}

  /** A position of a vehicle, and the site it was inside then, if any. */
  private record Fix(Instant at, WgsPoint point, Zone site) {}

  /** The latest evidence of each twin that met each signal in one scope. */
  private static final class ScopeState {
    final Map<String, Map<String, Evidence>> heldBySignal = new HashMap<>();

    void record(String signal, String twin, Optional<Evidence> held) {
      if (held.isPresent()) {
        heldBySignal.computeIfAbsent(signal, s -> new HashMap<>()).put(twin, held.get());
      } else {
        Map<String, Evidence> twins = heldBySignal.get(signal);
        if (twins != null) {
          twins.remove(twin);
        }
      }
    }

    boolean active(String signal, Instant since, int minTwins) {
      Map<String, Evidence> held = heldBySignal.get(signal);
      if (held == null || held.size() < minTwins) {
        return false;
      }
      int recent = 0;
      for (Iterator<Evidence> evidence = held.values().iterator(); evidence.hasNext(); ) {
        if (evidence.next().at().isBefore(since)) {
          evidence.remove(); // too old to count again: forget it
        } else if (++recent >= minTwins) {
          // Enough: the rest is not counted (nor pruned) for every reading of a busy zone;
          // behind() leaves out what is too old.
          return true;
        }
      }
      return false;
    }

    /**
     * What made a grade: the latest evidence of every twin behind its signals at {@code since} or
     * later, newest first.
     */
    List<Evidence> behind(Grade grade, Evidence latest, Instant since) {
      Map<String, Evidence> byTwin = new LinkedHashMap<>();
      byTwin.put(latest.thingId(), latest);
      List<Evidence> others = new ArrayList<>();
      for (String signal : grade.signals()) {
        for (Evidence held : heldBySignal.getOrDefault(signal, Map.of()).values()) {
          if (!held.at().isBefore(since)) {
            others.add(held);
          }
        }
      }
      others.sort(java.util.Comparator.comparing(Evidence::at).reversed());
      for (Evidence evidence : others) {
        if (byTwin.size() >= Incident.MAX_EVIDENCE) {
          break;
        }
        byTwin.putIfAbsent(evidence.thingId(), evidence);
      }
      return List.copyOf(byTwin.values());
    }
  }

  private final ZoneIndex zones;
  private final IncidentBook book;
  private final Clock clock;
  private final GaussKrugerMetres metres = new GaussKrugerMetres();
  private final NearbyTwins nearby = new NearbyTwins();
  // By the thing id's text, like RuleState's maps.
  private final Map<String, Place> places = new HashMap<>();
  private Map<String, RuleState> ruleStates = Map.of();
  private final Map<String, JsonPointer> attributePointers = new HashMap<>();
  // Handed to conditions that look at no past values; never added to.
  private final ValueWindow noValues = new ValueWindow();
  private final Map<ThingId, Deque<Fix>> trajectories = new HashMap<>();
  private final Set<String> approvedAnywhere = new HashSet<>();
  private final Map<String, Instant> describedAt = new HashMap<>();
  private final Map<String, Set<String>> approvedAt = new HashMap<>();
  private final Map<ThingId, PathRequest> pathsToRebuild = new LinkedHashMap<>();
  private List<Rule> rules = List.of();
  private Map<String, List<Binding>> byDefinition = Map.of();
  private Set<String> nearDefinitions = Set.of();
  // Read by the metrics scrape on another thread: replaced whole, never changed.
  private volatile Map<String, LatencyHistogram> ruleTimings = Map.of();

  public FusionEngine(ZoneIndex zones, IncidentBook book, List<Rule> rules, Clock clock) {
    this.zones = zones;
    this.book = book;
    this.clock = clock;
    replaceRules(rules);
  }

  /** The incidents, their life cycle and dispatch. */
  public IncidentBook incidents() {
    return book;
  }

  public List<Rule> rules() {
    return rules;
  }

  /**
   * Replaces the rules. A rule whose id and content are unchanged keeps its state (values seen,
   * signals active); the state of rules removed or changed is dropped. Open incidents stay.
   */
  public void replaceRules(List<Rule> replacement) {
    Map<String, RuleState> states = new HashMap<>();
    Map<String, List<Binding>> bindings = new HashMap<>();
    Set<String> near = new HashSet<>();
    Map<String, LatencyHistogram> timings = new LinkedHashMap<>();
    // One path object per distinct pointer, so that signals reading the same value share it and
    // a reading's value is looked up once for them, compared by identity.
    Map<JsonPointer, ValuePath> paths = new HashMap<>();
    approvedAnywhere.clear();
    approvedAt.clear();
    for (Rule rule : replacement) {
      // A rule's timings go on across reloads, as a Prometheus counter should.
      LatencyHistogram timing =
          timings.computeIfAbsent(
              rule.id(), id -> ruleTimings.getOrDefault(id, new LatencyHistogram()));
      if (rule instanceof CorrelationRule correlation) {
        RuleState state =
            rules.contains(rule) ? ruleStates.get(rule.id()) : new RuleState(correlation);
        states.put(rule.id(), state);
        for (Signal signal : correlation.signals()) {
          bindings
              .computeIfAbsent(signal.definition(), d -> new ArrayList<>())
              .add(
                  new Binding(
                      rule,
                      signal,
                      state,
                      paths.computeIfAbsent(signal.value(), ValuePath::of),
                      timing));
          signal.near().ifPresent(relation -> near.add(relation.definition()));
        }
      } else if (rule instanceof TrajectoryRule trajectory) {
        bindings
            .computeIfAbsent(trajectory.tracker(), d -> new ArrayList<>())
            .add(new Binding(rule, null, null, null, timing));
        for (Zone site : zones.ofType(trajectory.siteZoneType())) {
          approvedAnywhere.addAll(site.texts("approvedVehicles"));
        }
      }
    }
    this.rules = List.copyOf(replacement);
    this.ruleStates = states;
    this.byDefinition = bindings;
    this.nearDefinitions = near;
    this.ruleTimings = Collections.unmodifiableMap(timings);
  }

  /**
   * By rule id, in the rules' order: how long evaluating one twin change against one of the rule's
   * signals (or its trajectory) took. Safe to read from any thread.
   */
  public Map<String, LatencyHistogram> ruleTimings() {
    return ruleTimings;
  }

  /** The definitions of the twins a loaded rule measures distances to (see {@link #know}). */
  public Set<String> definitionsMeasuredTo() {
    return Set.copyOf(nearDefinitions);
  }

  /**
   * Tells the engine where a twin stands without it having changed: the twins loaded at start, so
   * that "near a twin of this definition" knows twins that have not reported yet.
   */
  public void know(ThingId thingId, String definition, WgsPoint location) {
    if (nearDefinitions.contains(definition)) {
      nearby.place(thingId.toString(), definition, metres.project(location));
    }
  }

  /**
   * Evaluates one Ditto Protocol twin event.
   *
   * @return the incidents it raised or updated, empty if none
   */
  public List<Incident> onTwinEvent(JsonObject event) {
    return Observation.read(event, clock).map(this::observe).orElse(List.of());
  }

  /** Evaluates one twin change. */
  public List<Incident> observe(Observation observation) {
    if (observation.location().isPresent() && nearDefinitions.contains(observation.definition())) {
      nearby.place(
          observation.thingId().toString(),
          observation.definition(),
          metres.project(observation.location().get()));
    }
    List<Binding> bindings = byDefinition.get(observation.definition());
    if (bindings == null) {
      return List.of();
    }
    List<Incident> touched = new ArrayList<>(1);
    // Signals of one definition often read the same value (a depth over two lines, and its
    // rise): read it once for them all.
    ValuePath readAt = null;
    Optional<JsonValue> read = Optional.empty();
    for (Binding binding : bindings) {
      long started = System.nanoTime();
      if (binding.rule() instanceof CorrelationRule correlation) {
        if (binding.valueAt() != readAt) {
          readAt = binding.valueAt();
          read = observation.changed(readAt);
        }
        if (read.isPresent()) {
          evaluate(correlation, binding, read.get(), observation, touched);
        }
      } else if (binding.rule() instanceof TrajectoryRule trajectory) {
        follow(trajectory, observation, touched);
      }
      binding.timing().record(System.nanoTime() - started);
    }
    if (touched.size() < 2) {
      return touched;
    }
    // Several signals of one rule can touch the same incident; the last version of each counts.
    Map<String, Incident> latest = new LinkedHashMap<>();
    touched.forEach(incident -> latest.put(incident.id(), incident));
    return List.copyOf(latest.values());
  }

  private void evaluate(
      CorrelationRule rule,
      Binding binding,
      JsonValue value,
      Observation observation,
      List<Incident> touched) {
    Signal signal = binding.signal();
    RuleState ruleState = binding.state();
    if (!hasAttributes(observation, signal.attributes())) {
      return;
    }
    ValueWindow recent = null;
    if (value.isNumber() && !signal.condition().memory().isZero()) {
      recent =
          ruleState
              .valuesBySignal
              .computeIfAbsent(signal.name(), name -> new HashMap<>())
              .computeIfAbsent(observation.thingId().toString(), id -> new ValueWindow());
      recent.add(observation.at(), value.asDouble(), signal.condition().memory());
    }
    boolean holds =
        signal.condition().holds(value, recent == null ? noValues : recent, observation.at());
    if (holds && signal.near().isPresent()) {
      holds =
          observation.location().isPresent()
              && nearby.anyWithin(
                  signal.near().get().definition(),
                  metres.project(observation.location().get()),
                  signal.near().get().metres(),
                  observation.thingId().toString());
    }
    // Most readings do not hold: evidence is made only for those that do.
    Optional<Evidence> evidence =
        holds
            ? Optional.of(
                new Evidence(
                    observation.thingId().toString(),
                    signal.name(),
                    binding.valuePath(),
                    value,
                    observation.at(),
                    observation.location()))
            : Optional.empty();
    for (ScopeTarget scope : scopesOf(rule.scope(), observation)) {
      ScopeState state = ruleState.scopes.computeIfAbsent(scope.id(), key -> new ScopeState());
      state.record(signal.name(), observation.thingId().toString(), evidence);
      if (evidence.isEmpty()) {
        continue;
      }
      Instant since = observation.at().minus(rule.within());
      Optional<Grade> grade = firstGradeActive(rule, ruleState, state, since);
      if (grade.isEmpty()) {
        continue;
      }
      Optional<Incident> open =
          book.mergeTarget(rule, scope.id(), observation.at(), observation.location());
      if (open.isPresent()) {
        touched.add(
            book.confirm(
                open.get(),
                evidence.get(),
                higher(rule, open.get().severity(), grade.get().severity()),
                observation.at()));
      } else {
        Map<String, String> subjects = new LinkedHashMap<>();
        observation.observed().ifPresent(object -> subjects.put("object", object));
        touched.add(
            book.report(
                rule,
                scope.id(),
                scope.type(),
                grade.get().severity(),
                state.behind(grade.get(), evidence.get(), since),
                scope.location(),
                subjects,
                JsonFactory.newObject(),
                observation.at()));
      }
    }
  }

  /** The first grade, most severe first, whose signals are all active in the scope. */
  private static Optional<Grade> firstGradeActive(
      CorrelationRule rule, RuleState ruleState, ScopeState scope, Instant since) {
    for (Grade grade : rule.grades()) {
      boolean all = true;
      for (String signal : grade.signals()) {
        if (!scope.active(signal, since, ruleState.minTwins.get(signal))) {
          all = false;
          break;
        }
      }
      if (all) {
        return Optional.of(grade);
      }
    }
    return Optional.empty();
  }

  /** The more severe of two grades: grades are written most severe first. */
  private static String higher(CorrelationRule rule, String current, String candidate) {
    int currentRank = rank(rule, current);
    int candidateRank = rank(rule, candidate);
    return candidateRank < currentRank ? candidate : current;
  }

  private static int rank(CorrelationRule rule, String severity) {
    for (int i = 0; i < rule.grades().size(); i++) {
      if (rule.grades().get(i).severity().equals(severity)) {
        return i;
      }
    }
    return Integer.MAX_VALUE;
  }

  private boolean hasAttributes(Observation observation, Map<String, String> required) {
    for (Map.Entry<String, String> attribute : required.entrySet()) {
      if (!observation
          .attribute(attributePointers.computeIfAbsent(attribute.getKey(), JsonPointer::of))
          .map(attribute.getValue()::equals)
          .orElse(false)) {
        return false;
      }
    }
    return true;
  }

  private List<ScopeTarget> scopesOf(Scope scope, Observation observation) {
    if (observation.location().isEmpty()) {
      return List.of();
    }
    WgsPoint location = observation.location().get();
    return switch (scope.kind()) {
      case ZONE -> {
        List<Zone> containing = zonesOf(observation.thingId(), location, scope.zoneType());
        if (containing.isEmpty()) {
          yield List.of();
        }
        List<ScopeTarget> targets = new ArrayList<>(containing.size());
        containing.forEach(zone -> targets.add(new ScopeTarget(zone.id(), zone.type(), location)));
        yield targets;
      }
      case OBSERVED ->
          observation
              .observed()
              .map(object -> List.of(new ScopeTarget(object, "observed", location)))
              .orElse(List.of());
      case THING -> List.of(new ScopeTarget(observation.thingId().toString(), "thing", location));
    };
  }

  /** The zones of {@code type} a twin stands in, remembered until it moves. */
  private List<Zone> zonesOf(ThingId thingId, WgsPoint location, String type) {
    Place known = places.get(thingId.toString());
    if (known == null || !known.point().equals(location)) {
      known = new Place(location, new HashMap<>(4));
      places.put(thingId.toString(), known);
    }
    return known.zonesByType().computeIfAbsent(type, t -> zones.containing(location, t));
  }

  private void follow(TrajectoryRule rule, Observation observation, List<Incident> touched) {
    if (observation.location().isEmpty() || !hasAttributes(observation, rule.attributes())) {
      return;
    }
    WgsPoint point = observation.location().get();
    Instant at = observation.at();
    // A moving vehicle is somewhere new at every fix: ask only for sites, not every zone type.
    List<Zone> sites = zones.containing(point, rule.siteZoneType());
    Zone site = sites.isEmpty() ? null : sites.get(0);
    Deque<Fix> path = trajectories.get(observation.thingId());
    if (path == null) {
      // A vehicle first seen (or first since a restart): its earlier path is in history.
      path = new ArrayDeque<>();
      trajectories.put(observation.thingId(), path);
      pathsToRebuild.put(observation.thingId(), new PathRequest(at.minus(rule.trace()), at));
    }
    Fix last = path.peekLast();
    // Keep a fix every 10 s, and every entry to or exit from a site whenever it happens: that is
    // all the path is read for, and it bounds a truck reporting every second to 1,080 fixes in
    // three hours.
    if (last == null || last.site() != site || !at.isBefore(last.at().plus(KEEP_A_FIX_EVERY))) {
      if (last == null || !last.at().isAfter(at)) {
        path.addLast(new Fix(at, point, site));
      }
    }
    Instant oldest = at.minus(rule.trace());
    while (!path.isEmpty() && (path.peekFirst().at().isBefore(oldest) || path.size() > MAX_FIXES)) {
      path.removeFirst();
    }
    if (site != null) {
      return; // at a site: not yet out on the roads
    }
    Zone origin = null;
    Instant leftAt = null;
    for (Iterator<Fix> back = path.descendingIterator(); back.hasNext(); ) {
      Fix fix = back.next();
      if (fix.site() != null) {
        origin = fix.site();
        break;
      }
      leftAt = fix.at();
    }
    String vehicle = observation.observed().orElse(observation.thingId().toString());
    List<String> reasons = new ArrayList<>(2);
    if (rule.unapproved()) {
      boolean approved =
          origin != null
              ? approvedAt
                  .computeIfAbsent(
                      origin.id(),
                      id -> Set.copyOf(zones.byId(id).orElseThrow().texts("approvedVehicles")))
                  .contains(vehicle)
              : approvedAnywhere.contains(vehicle);
      if (!approved) {
        reasons.add("unapproved");
      }
    }
    if (rule.outsideHours()
        && origin != null
        && !origin.openAt(leftAt.atZone(origin.timeZone()).toLocalTime())) {
      reasons.add("outside-hours");
    }
    if (reasons.isEmpty()) {
      return;
    }
    Map<String, String> subjects = new LinkedHashMap<>();
    subjects.put("vehicle", vehicle);
    if (origin != null) {
      subjects.put("site", origin.id());
    }
    Optional<String> enterprise =
        Optional.ofNullable(origin)
            .flatMap(zone -> zone.text("enterprise"))
            .or(() -> observation.attribute("enterprise"));
    enterprise.ifPresent(name -> subjects.put("enterprise", name));
    Evidence evidence =
        new Evidence(
            observation.thingId().toString(),
            String.join(",", reasons),
            "features/position",
            JsonFactory.newObjectBuilder()
                .set("longitude", point.longitude())
                .set("latitude", point.latitude())
                .build(),
            at,
            Optional.of(point));
    Optional<Incident> open = book.mergeTarget(rule, vehicle, at, Optional.of(point));
    Incident incident;
    if (open.isPresent()) {
      incident = book.confirm(open.get(), evidence, open.get().severity(), at);
      // The path is rewritten at most every half minute: a truck reporting each second would
      // otherwise rebuild a path of a thousand fixes a thousand times.
      Instant described = describedAt.get(incident.id());
      if (described == null || !at.isBefore(described.plus(REDESCRIBE_EVERY))) {
        incident =
            book.describe(incident, subjects, trajectoryDetails(path, reasons, origin, leftAt));
        describedAt.put(incident.id(), at);
      }
    } else {
      incident =
          book.report(
              rule,
              vehicle,
              "vehicle",
              rule.incident().severity(),
              List.of(evidence),
              point,
              subjects,
              trajectoryDetails(path, reasons, origin, leftAt),
              at);
      describedAt.put(incident.id(), at);
    }
    touched.add(incident);
  }

  private static JsonObject trajectoryDetails(
      Deque<Fix> path, List<String> reasons, Zone origin, Instant leftAt) {
    List<JsonValue> fixes = new ArrayList<>(Math.min(path.size(), MAX_DETAIL_FIXES));
    int skip = Math.max(0, path.size() - MAX_DETAIL_FIXES);
    for (Fix fix : path) {
      if (skip-- > 0) {
        continue;
      }
      org.eclipse.ditto.json.JsonObjectBuilder json =
          JsonFactory.newObjectBuilder()
              .set("at", fix.at().toString())
              .set("longitude", fix.point().longitude())
              .set("latitude", fix.point().latitude());
      if (fix.site() != null) {
        json.set("site", fix.site().id());
      }
      fixes.add(json.build());
    }
    org.eclipse.ditto.json.JsonObjectBuilder details =
        JsonFactory.newObjectBuilder()
            .set("reasons", JsonArray.of(reasons.stream().map(JsonValue::of).toList()))
            .set("trajectory", JsonFactory.newArrayBuilder(fixes).build());
    if (origin != null) {
      details.set("cameFrom", origin.id());
      origin.text("workingHours").ifPresent(hours -> details.set("siteWorkingHours", hours));
    }
    if (leftAt != null && origin != null) {
      details.set("leftSiteAt", leftAt.toString());
    }
    return details.build();
  }

  /**
   * The vehicles seen for the first time since the last call, with the time span of their path to
   * read from history ({@code citytwin.history.trajectory}) and hand to {@link #rebuildPath}.
   */
  public Map<ThingId, PathRequest> pathsToRebuild() {
    Map<ThingId, PathRequest> requests = Map.copyOf(pathsToRebuild);
    pathsToRebuild.clear();
    return requests;
  }

  /**
   * Puts a vehicle's earlier positions, read from history, before those fusion has seen since: so
   * that a truck seen for the first time after a restart is still traced to the site it left
   * before. Positions at or after the first one already held are ignored.
   *
   * @param fixes the positions, oldest first
   */
  public void rebuildPath(ThingId tracker, List<Map.Entry<Instant, WgsPoint>> fixes) {
    Deque<Fix> path = trajectories.get(tracker);
    if (path == null) {
      return;
    }
    Instant firstHeld = path.isEmpty() ? Instant.MAX : path.peekFirst().at();
    String siteType =
        rules.stream()
            .filter(TrajectoryRule.class::isInstance)
            .map(rule -> ((TrajectoryRule) rule).siteZoneType())
            .findFirst()
            .orElse("");
    List<Fix> earlier = new ArrayList<>();
    Fix last = null;
    for (Map.Entry<Instant, WgsPoint> fix : fixes) {
      if (!fix.getKey().isBefore(firstHeld)) {
        break;
      }
      List<Zone> sites = zones.containing(fix.getValue(), siteType);
      Zone site = sites.isEmpty() ? null : sites.get(0);
      if (last == null
          || last.site() != site
          || !fix.getKey().isBefore(last.at().plus(KEEP_A_FIX_EVERY))) {
        last = new Fix(fix.getKey(), fix.getValue(), site);
        earlier.add(last);
      }
    }
    for (int i = earlier.size() - 1; i >= 0 && path.size() < MAX_FIXES; i--) {
      path.addFirst(earlier.get(i));
    }
  }

  /** The red and black lists as the incidents stand at {@code now}. */
  public CreditLists creditLists(Instant now) {
    return CreditLists.derive(book.all(), zones, rules, now);
  }

  /** Escalates late incidents; see {@link IncidentBook#escalateOverdue}. */
  public List<Incident> escalateOverdue() {
    return book.escalateOverdue(clock.instant());
  }
}
