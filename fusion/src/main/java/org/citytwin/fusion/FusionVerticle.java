package org.citytwin.fusion;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.citytwin.fusion.rules.CorrelationRule;
import org.citytwin.fusion.rules.Rule;
import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.LatencyHistogram;
import org.citytwin.twin.MetricsText;
import org.citytwin.twin.TwinCommandBatch;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThing;
import org.eclipse.ditto.things.model.signals.commands.modify.ThingModifyCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link FusionEngine} on one event loop: feeds it twin events from {@link
 * EventBusAddresses#TWIN_EVENTS}, read into observations on another event loop by a {@link
 * TwinEventReader} it deploys, answers the incident addresses (list, get, act, credit lists,
 * rules), escalates late incidents every {@link Settings#escalationTick()}, and reloads rules from
 * a directory when its files change.
 *
 * <p>Incidents changed are collected and flushed every {@link Settings#flushEvery()}: each is
 * published on {@link EventBusAddresses#INCIDENT_EVENTS} and written as a twin in the {@value
 * Incident#NAMESPACE} namespace, once per flush however many readings confirmed it, so a storm's
 * thousand confirming readings a second cost one write.
 *
 * <p>A malformed event is logged and skipped; a rule directory that does not load is logged with
 * the file, line and reason, and the rules already running stay.
 */
public final class FusionVerticle extends AbstractVerticle {

  private static final Logger LOG = LoggerFactory.getLogger(FusionVerticle.class);

  /**
   * How the verticle runs.
   *
   * @param shipped the rules citytwin ships; a directory rule with the same id replaces one
   * @param rulesDirectory where operators' rule files live, watched for changes
   * @param reloadEvery how often the directory is checked
   * @param escalationTick how often late incidents are looked for
   * @param flushEvery how often changed incidents are published and written
   * @param evidenceEvery how often an incident whose only change is fresher evidence is published
   *     and written again; any other change goes out at the next flush
   */
  public record Settings(
      List<Rule> shipped,
      Optional<Path> rulesDirectory,
      Duration reloadEvery,
      Duration escalationTick,
      Duration flushEvery,
      Duration evidenceEvery) {

    public Settings {
      shipped = List.copyOf(shipped);
    }

    public static Settings defaults(List<Rule> shipped, Optional<Path> rulesDirectory) {
      return new Settings(
          shipped,
          rulesDirectory,
          Duration.ofSeconds(2),
          Duration.ofSeconds(10),
          Duration.ofMillis(200),
          Duration.ofSeconds(5));
    }
  }

  /** 3 hours at one fix a second: a rule's whole trace, however often the tracker reported. */
  private static final int PATH_FIXES_READ = 10_800;

  private final FusionEngine engine;
  private final Settings settings;
  private final Clock clock;
  private final Set<String> changed = new LinkedHashSet<>();
  // What was last published and written of each open incident, and when.
  private final Map<String, Written> written = new HashMap<>();
  private String rulesFingerprint = "";
  private JsonObject lastReload = new JsonObject().put("status", "shipped rules only");
  private long skippedEvents;
  private final LatencyHistogram evaluationLag = new LatencyHistogram();

  public FusionVerticle(FusionEngine engine, Settings settings, Clock clock) {
    this.engine = engine;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public void start(Promise<Void> started) {
    var bus = vertx.eventBus();
    bus.<TwinEventReader.Batch>consumer(TwinEventReader.OBSERVATIONS, this::onObservations);
    bus.<JsonObject>consumer(EventBusAddresses.INCIDENT_GET, this::onGet);
    bus.<JsonObject>consumer(EventBusAddresses.INCIDENT_ACT, this::onAct);
    bus.<JsonObject>consumer(EventBusAddresses.CREDIT_LISTS, this::onCreditLists);
    bus.<JsonObject>consumer(EventBusAddresses.RULE_LIST, this::onRules);
    bus.<JsonObject>consumer(EventBusAddresses.FUSION_METRICS, this::onMetrics);
    vertx.setPeriodic(settings.escalationTick().toMillis(), id -> escalate());
    vertx.setPeriodic(settings.flushEvery().toMillis(), id -> flush());
    Future<Void> firstLoad =
        settings.rulesDirectory().isPresent() ? reloadRules() : Future.succeededFuture();
    settings
        .rulesDirectory()
        .ifPresent(
            directory -> vertx.setPeriodic(settings.reloadEvery().toMillis(), id -> reloadRules()));
    // Twin events are read on another event loop (see TwinEventReader); it starts last, once
    // everything its observations go to is listening.
    firstLoad
        .compose(loaded -> vertx.deployVerticle(new TwinEventReader(clock)))
        .onComplete(
            deployed -> {
              if (deployed.failed()) {
                started.fail(deployed.cause());
                return;
              }
              bus.<JsonObject>consumer(EventBusAddresses.INCIDENT_LIST, this::onList)
                  .completionHandler(started);
            });
  }

  private void onObservations(Message<TwinEventReader.Batch> message) {
    skippedEvents += message.body().unreadable();
    for (Observation observation : message.body().observations()) {
      try {
        engine.observe(observation).forEach(incident -> changed.add(incident.id()));
      } catch (RuntimeException e) {
        skippedEvents++;
        LOG.warn("fusion could not evaluate {}", observation, e);
      }
    }
    evaluationLag.record(System.nanoTime() - message.body().arrivedNanos());
    engine.pathsToRebuild().forEach(this::rebuildPath);
  }

  private void onMetrics(Message<JsonObject> request) {
    StringBuilder text = new StringBuilder();
    LatencyHistogram.appendHeader(
        text,
        "citytwin_fusion_rule_seconds",
        "Time to evaluate one twin change against one signal of a rule (or its trajectory).");
    engine
        .ruleTimings()
        .forEach(
            (rule, timing) ->
                timing.appendTo(
                    text, "citytwin_fusion_rule_seconds", MetricsText.label("rule", rule)));
    evaluationLag.appendWithHeader(
        text,
        "citytwin_fusion_lag_seconds",
        "From twin changes reaching fusion to their evaluation against every rule being done.");
    MetricsText.counter(
        text,
        "citytwin_fusion_skipped_events_total",
        "Twin events fusion could not read or evaluate.",
        skippedEvents);
    MetricsText.header(
        text, "citytwin_fusion_incidents", "gauge", "Incidents held, by life-cycle state.");
    engine
        .incidents()
        .countByState()
        .forEach(
            (state, count) ->
                MetricsText.sample(
                    text,
                    "citytwin_fusion_incidents",
                    MetricsText.label("state", state.wireName()),
                    count));
    request.reply(text.toString());
  }

  /** Reads a newly seen vehicle's earlier path from history and hands it to the engine. */
  private void rebuildPath(ThingId tracker, FusionEngine.PathRequest span) {
    JsonObject query =
        new JsonObject()
            .put("thingId", tracker.toString())
            .put("feature", "position")
            .put("from", span.from().toString())
            .put("to", span.to().toString())
            .put("limit", PATH_FIXES_READ);
    vertx
        .eventBus()
        .<JsonObject>request(EventBusAddresses.HISTORY_TRAJECTORY, query)
        .onSuccess(
            reply -> {
              List<Map.Entry<Instant, org.citytwin.twin.WgsPoint>> fixes = new ArrayList<>();
              for (Object item : reply.body().getJsonArray("fixes", new JsonArray())) {
                JsonObject fix = (JsonObject) item;
                try {
                  fixes.add(
                      Map.entry(
                          Instant.parse(fix.getString("at")),
                          new org.citytwin.twin.WgsPoint(
                              fix.getDouble("longitude"), fix.getDouble("latitude"))));
                } catch (RuntimeException unreadable) {
                  // A fix history cannot give in full is left out of the path.
                }
              }
              engine.rebuildPath(tracker, fixes);
            })
        .onFailure(
            failure ->
                LOG.debug(
                    "no earlier path for {} from history: {}", tracker, failure.getMessage()));
  }

  private void escalate() {
    for (Incident incident : engine.escalateOverdue()) {
      changed.add(incident.id());
    }
  }

  /**
   * How many incidents whose only change is fresher evidence one flush may write: the open
   * incidents' share of one flush in {@link Settings#evidenceEvery()}, at least one. Enough for
   * each open incident once an interval; and incidents a storm opened together, all due together an
   * interval later, go out over the interval instead of in one burst (a hundred such incidents of
   * some 6,000 characters each, written at once, held up the live stream for tens of milliseconds
   * every interval).
   */
  private int evidenceRefreshesPerFlush() {
    double share =
        (double) settings.flushEvery().toNanos() / Math.max(1, settings.evidenceEvery().toNanos());
    return (int) Math.max(1, Math.ceil(written.size() * share));
  }

  /** An incident as it was last published and written. */
  private record Written(Incident incident, Instant at) {}

  /**
   * Publishes and writes the incidents changed since the last flush. One whose only change is
   * fresher evidence waits until {@link Settings#evidenceEvery()} has passed since it was last
   * written: in a storm every reading of a flooded catchment confirms its incident again, and
   * rewriting the whole incident (its evidence is up to {@value Incident#MAX_EVIDENCE} entries) at
   * every flush for each of them took more than half of the twin stream's bytes and a share of the
   * twin journal, for nothing a screen or a duty officer acts on. Those refreshes are spread over
   * the interval ({@link #evidenceRefreshesPerFlush()}). Incidents read through the API are the
   * engine's own, always current.
   */
  void flush() {
    if (changed.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    int refreshesLeft = evidenceRefreshesPerFlush();
    List<ThingModifyCommand<?>> writes = new ArrayList<>(changed.size());
    for (Iterator<String> ids = changed.iterator(); ids.hasNext(); ) {
      String id = ids.next();
      Optional<Incident> incident = engine.incidents().get(id);
      if (incident.isEmpty()) {
        ids.remove();
        written.remove(id);
        continue;
      }
      Written last = written.get(id);
      if (last != null && incident.get().differsOnlyInEvidence(last.incident())) {
        if (refreshesLeft == 0 || now.isBefore(last.at().plus(settings.evidenceEvery()))) {
          continue; // stays changed, for a later flush
        }
        refreshesLeft--;
      }
      ids.remove();
      if (incident.get().state().open()) {
        written.put(id, new Written(incident.get(), now));
      } else {
        written.remove(id); // no evidence comes to a closed incident: nothing to hold back
      }
      JsonObject json = incident.get().toJson();
      vertx.eventBus().publish(EventBusAddresses.INCIDENT_EVENTS, json);
      writes.add(
          ModifyThing.of(
              ThingId.of(id), asThing(incident.get(), json), null, DittoHeaders.empty()));
    }
    if (writes.isEmpty()) {
      return;
    }
    try {
      vertx
          .eventBus()
          .request(EventBusAddresses.TWIN_COMMANDS, new TwinCommandBatch(writes))
          .onFailure(
              failure ->
                  LOG.warn(
                      "could not keep {} incidents as twins: {}",
                      writes.size(),
                      failure.getMessage()));
    } catch (IllegalArgumentException noTwinService) {
      // No codec: no twin service runs in this process (a fusion-only deployment or a test).
      LOG.warn("incidents are not kept as twins: {}", noTwinService.getMessage());
    }
  }

  /**
   * An incident as the twin it is kept as: its JSON as attributes, under the incident definition.
   */
  public static Thing asThing(Incident incident, JsonObject json) {
    return ThingsModelFactory.newThingBuilder()
        .setId(ThingId.of(incident.id()))
        .setDefinition(ThingsModelFactory.newDefinition(Incident.DEFINITION))
        .setAttributes(ThingsModelFactory.newAttributes(json.encode()))
        .build();
  }

  /** Reads an incident back from its twin, if the twin is one. */
  public static Optional<Incident> fromThing(Thing thing) {
    if (thing.getDefinition().map(d -> d.toString().equals(Incident.DEFINITION)).orElse(false)
        && thing.getAttributes().isPresent()) {
      return Optional.of(Incident.fromJson(new JsonObject(thing.getAttributes().get().toString())));
    }
    return Optional.empty();
  }

  private Future<Void> reloadRules() {
    Path directory = settings.rulesDirectory().orElseThrow();
    return vertx
        .<Optional<List<Rule>>>executeBlocking(
            () -> {
              String fingerprint = fingerprint(directory);
              if (fingerprint.equals(rulesFingerprint)) {
                return Optional.empty();
              }
              rulesFingerprint = fingerprint;
              return Optional.of(new RuleLoader().loadDirectory(directory));
            },
            // One reload at a time, in order: a slow one must not overlap the next check.
            true)
        .map(
            loaded -> {
              loaded.ifPresent(
                  rules -> {
                    List<Rule> combined = combine(settings.shipped(), rules);
                    engine.replaceRules(combined);
                    lastReload =
                        new JsonObject()
                            .put("status", "loaded")
                            .put("at", clock.instant().toString())
                            .put("directoryRules", rules.size())
                            .put("rules", combined.size());
                    LOG.info("rules loaded from {}: {} in all", directory, combined.size());
                  });
              return (Void) null;
            })
        .recover(
            failure -> {
              lastReload =
                  new JsonObject()
                      .put("status", "refused")
                      .put("at", clock.instant().toString())
                      .put("error", failure.getMessage());
              LOG.error(
                  "rules in {} refused, the {} rules already loaded keep running: {}",
                  directory,
                  engine.rules().size(),
                  failure.getMessage());
              return Future.succeededFuture();
            });
  }

  /** The shipped rules with those of the directory added, a directory rule replacing its id. */
  public static List<Rule> combine(List<Rule> shipped, List<Rule> directory) {
    Map<String, Rule> byId = new LinkedHashMap<>();
    shipped.forEach(rule -> byId.put(rule.id(), rule));
    directory.forEach(rule -> byId.put(rule.id(), rule));
    return List.copyOf(byId.values());
  }

  private static String fingerprint(Path directory) {
    try (Stream<Path> files = Files.list(directory)) {
      StringBuilder fingerprint = new StringBuilder();
      for (Path file : files.filter(RuleLoader::isRuleFile).sorted().toList()) {
        fingerprint
            .append(file.getFileName())
            .append(':')
            .append(Files.getLastModifiedTime(file).toMillis())
            .append(':')
            .append(Files.size(file))
            .append('\n');
      }
      return fingerprint.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read rule directory " + directory, e);
    }
  }

  private void onList(Message<JsonObject> request) {
    JsonObject query = request.body() == null ? new JsonObject() : request.body();
    String state = query.getString("state");
    String type = query.getString("type");
    Boolean open = query.getBoolean("open");
    String department = query.getString("department");
    int limit = query.getInteger("limit", 1000);
    JsonArray incidents = new JsonArray();
    for (Incident incident : engine.incidents().all()) {
      if (incidents.size() >= limit) {
        break;
      }
      if ((state == null || incident.state().wireName().equals(state))
          && (type == null || incident.template().type().equals(type))
          && (open == null || incident.state().open() == open)
          && (department == null || incident.template().involves(department))) {
        incidents.add(incident.toJson());
      }
    }
    request.reply(new JsonObject().put("incidents", incidents));
  }

  private void onGet(Message<JsonObject> request) {
    String id = request.body().getString("id", "");
    Optional<Incident> incident = engine.incidents().get(id);
    if (incident.isPresent()) {
      request.reply(incident.get().toJson());
    } else {
      fail(request, IncidentErrors.NOT_FOUND.toException("No incident " + id + "."));
    }
  }

  private void onAct(Message<JsonObject> request) {
    JsonObject body = request.body();
    try {
      String action = body.getString("action", "");
      IncidentAction parsed =
          IncidentAction.fromWireName(action)
              .orElseThrow(
                  () ->
                      IncidentErrors.ACTION_INVALID.toException(
                          "'" + action + "' is not an incident action."));
      String actor = body.getString("actor", "");
      if (actor.isBlank()) {
        throw IncidentErrors.ACTION_INVALID.toException("Every step needs an \"actor\".");
      }
      Incident after =
          engine
              .incidents()
              .act(
                  body.getString("id", ""),
                  parsed,
                  actor,
                  body.getString("note", ""),
                  Optional.ofNullable(body.getString("team")),
                  Optional.ofNullable(body.getString("into")),
                  clock.instant());
      changed.add(after.id());
      after.mergedInto().ifPresent(changed::add);
      request.reply(after.toJson());
    } catch (CitytwinException e) {
      fail(request, e);
    } catch (ClassCastException e) {
      fail(
          request,
          IncidentErrors.ACTION_INVALID.toException(
              "A field has the wrong type: " + e.getMessage()));
    }
  }

  private static void fail(Message<?> request, CitytwinException error) {
    request.fail(error.getHttpStatus().getCode(), error.toJson().toString());
  }

  private void onCreditLists(Message<JsonObject> request) {
    JsonObject query = request.body() == null ? new JsonObject() : request.body();
    JsonArray entries = new JsonArray();
    engine
        .creditLists(clock.instant())
        .on(
            Optional.ofNullable(query.getString("list")),
            Optional.ofNullable(query.getString("kind")))
        .forEach(entry -> entries.add(entry.toJson()));
    request.reply(new JsonObject().put("entries", entries));
  }

  private void onRules(Message<JsonObject> request) {
    JsonArray rules = new JsonArray();
    for (Rule rule : engine.rules()) {
      rules.add(
          new JsonObject()
              .put("id", rule.id())
              .put("kind", rule instanceof CorrelationRule ? "correlation" : "trajectory")
              .put("source", rule.source())
              .put("type", rule.incident().type())
              .put("lead", rule.incident().leadDepartment())
              .put("definitions", new JsonArray(List.copyOf(rule.definitions()))));
    }
    request.reply(
        new JsonObject()
            .put("rules", rules)
            .put("reload", lastReload.copy())
            .put("skippedEvents", skippedEvents));
  }
}
