package org.citytwin.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a simulator run found: the readings sent and acknowledged, how fast, the incidents expected
 * against those raised, the bad inputs and their answers, and whether every acknowledged reading is
 * in history. {@link #json()} is the file; {@link #summary()} the text for a log. Its {@code
 * timings} part is the only part that differs between two runs of the same seed.
 *
 * @param json the whole report
 * @param failures why the run failed; empty when it passed
 */
public record RunReport(JsonObject json, List<String> failures) {

  /** The least precision and recall a scenario may score. */
  public static final double QUALITY_FLOOR = 0.95;

  /** The least share of planned readings the server must acknowledge. */
  public static final double ACKNOWLEDGED_FLOOR = 0.99;

  public RunReport {
    failures = List.copyOf(failures);
  }

  public boolean passed() {
    return failures.isEmpty();
  }

  /** A bad input, what the server should answer and what it did. */
  public record BadInput(String name, String transport, int expected, int answered, String code) {}

  /** The acknowledged readings looked for in history, and those not found. */
  public record HistoryCheck(long checked, List<String> missing) {}

  /** What the driver gathered after the run. */
  record Outcome(
      ScenarioPlan plan,
      double scale,
      Map<String, JsonObject> incidents,
      Map<String, Instant> incidentsFirstSeen,
      List<BadInput> badInputs,
      HistoryCheck history,
      Duration length) {}

  /** Counts as the run goes; every method is called on the driver's one event-loop thread. */
  static final class Recorder {
    private long requests;
    private long sent;
    private long acknowledged;
    private long refused;
    private final Map<String, long[]> byTransport = new TreeMap<>();
    private final Map<ScenarioPlan.Fault, Long> byFault = new EnumMap<>(ScenarioPlan.Fault.class);
    private final List<Long> ackNanos = new ArrayList<>();
    private final List<Long> twinNanos = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private final List<String> serverErrors = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Set<Instant>> acknowledgedReadings = new HashMap<>();

    synchronized void sent(ScenarioPlan.Send send) {
      requests++;
      sent += send.readings().size();
      for (ScenarioPlan.Reading reading : send.readings()) {
        byFault.merge(reading.fault(), 1L, Long::sum);
      }
      transport(send)[0] += send.readings().size();
    }

    private long[] transport(ScenarioPlan.Send send) {
      return byTransport.computeIfAbsent(
          send.transport().name().toLowerCase(Locale.ROOT).replace('_', '-'), t -> new long[3]);
    }

    synchronized void acknowledged(ScenarioPlan.Send send, String transport, long nanos) {
      acknowledged += send.readings().size();
      transport(send)[1] += send.readings().size();
      ackNanos.add(nanos);
      for (ScenarioPlan.Reading reading : send.readings()) {
        acknowledgedReadings
            .computeIfAbsent(send.device().thingId() + "|" + reading.series(), k -> new TreeSet<>())
            .add(reading.observedAt());
      }
    }

    synchronized void answered(ScenarioPlan.Send send, String transport, int status, String body) {
      if (status >= 500) {
        serverErrors.add(transport + " " + send.device().username() + ": " + status + " " + body);
      }
      refused(send, transport, status + " " + body);
    }

    synchronized void refused(ScenarioPlan.Send send, String transport, String why) {
      refused += send.readings().size();
      transport(send)[2] += send.readings().size();
      if (refusals.size() < 20) {
        refusals.add(transport + " " + send.device().username() + ": " + why);
      }
    }

    synchronized void twinLatency(long nanos) {
      twinNanos.add(nanos);
    }

    synchronized void serverError(String what, int status) {
      serverErrors.add(what + ": " + status);
    }

    synchronized void note(String text) {
      notes.add(text);
    }

    synchronized long sent() {
      return sent;
    }

    synchronized long acknowledged() {
      return acknowledged;
    }

    synchronized long refusedCount() {
      return refused;
    }

    synchronized Map<String, Set<Instant>> acknowledgedReadings() {
      Map<String, Set<Instant>> copy = new HashMap<>();
      acknowledgedReadings.forEach((series, times) -> copy.put(series, Set.copyOf(times)));
      return copy;
    }

    synchronized RunReport report(Outcome outcome) {
      List<String> failures = new ArrayList<>();
      ScenarioPlan plan = outcome.plan();
      Instant start = plan.start();
      JsonObject json = new JsonObject();
      json.put(
          "district",
          new JsonObject()
              .put("seed", plan.seed())
              .put("scale", outcome.scale())
              .put("things", plan.district().things().size())
              .put("devices", plan.district().devices().size())
              .put("zones", plan.district().zones().getJsonArray("features").size()));
      JsonObject transports = new JsonObject();
      byTransport.forEach(
          (name, counts) ->
              transports.put(
                  name,
                  new JsonObject()
                      .put("sent", counts[0])
                      .put("acknowledged", counts[1])
                      .put("refused", counts[2])));
      JsonObject faults = new JsonObject();
      byFault.forEach((fault, count) -> faults.put(fault.name().toLowerCase(Locale.ROOT), count));
      json.put(
          "readings",
          new JsonObject()
              .put("requests", requests)
              .put("sent", sent)
              .put("acknowledged", acknowledged)
              .put("refused", refused)
              .put("byTransport", transports)
              .put("byFault", faults)
              .put("refusals", new JsonArray(refusals)));
      if (sent == 0 || (double) acknowledged / sent < ACKNOWLEDGED_FLOOR) {
        failures.add(
            String.format(
                Locale.ROOT,
                "%,d of %,d readings acknowledged, under %.0f %%",
                acknowledged,
                sent,
                ACKNOWLEDGED_FLOOR * 100));
      }

      Map<String, JsonObject> raisedAfterStart = new TreeMap<>();
      outcome
          .incidents()
          .forEach(
              (id, incident) -> {
                if (!Instant.parse(incident.getString("raisedAt"))
                    .isBefore(start.minusSeconds(60))) {
                  raisedAfterStart.put(id, incident);
                }
              });
      JsonObject scenarios = new JsonObject();
      JsonObject timings = new JsonObject();
      List<ExpectedIncidents> truth = plan.expected();
      for (ExpectedIncidents expected : truth) {
        score(
            expected,
            raised(raisedAfterStart, outcome.incidentsFirstSeen(), expected),
            scenarios,
            timings,
            failures);
      }
      plan.sensorFaults()
          .forEach(
              (scenario, faulty) -> {
                JsonObject counts = new JsonObject();
                faulty.counts().forEach(counts::put);
                scenarios.getJsonObject(scenario).put("faultySensors", counts);
              });
      // The cases the same run would have had with every sensor working: those missing from the
      // truth happened where only failed sensors could see them, and no rule can be asked for them.
      new ScenarioPlan(
              plan.district(), plan.settings().withFaultyShare(0), plan.start(), plan.seed())
          .expected()
          .forEach(
              healthy -> {
                Set<String> unseen = new TreeSet<>(healthy.cases().keySet());
                truth.stream()
                    .filter(expected -> expected.scenario().equals(healthy.scenario()))
                    .forEach(expected -> unseen.removeAll(expected.cases().keySet()));
                scenarios
                    .getJsonObject(healthy.scenario())
                    .put("seenOnlyByFailedSensors", new JsonArray(List.copyOf(unseen)));
              });
      json.put("scenarios", scenarios);

      JsonArray bad = new JsonArray();
      for (BadInput input : outcome.badInputs()) {
        bad.add(
            new JsonObject()
                .put("input", input.name())
                .put("transport", input.transport())
                .put("expected", input.expected())
                .put("answered", input.answered())
                .put("code", input.code()));
        if (input.answered() >= 500 || (input.answered() >= 200 && input.answered() < 300)) {
          failures.add("bad input '" + input.name() + "' was answered " + input.answered());
        }
      }
      json.put("badInputs", bad);

      HistoryCheck history = outcome.history();
      json.put(
          "history",
          new JsonObject()
              .put("acknowledgedReadingsChecked", history.checked())
              .put("missing", history.missing().size())
              .put("firstMissing", new JsonArray(history.missing().stream().limit(20).toList())));
      if (!history.missing().isEmpty()) {
        failures.add(history.missing().size() + " acknowledged readings are missing from history");
      }
      json.put("serverErrors", new JsonArray(serverErrors));
      if (!serverErrors.isEmpty()) {
        failures.add(serverErrors.size() + " answers were 5xx: " + serverErrors.get(0));
      }
      if (!notes.isEmpty()) {
        json.put("notes", new JsonArray(notes));
      }

      double seconds = Math.max(1, outcome.length().toMillis()) / 1000.0;
      timings
          .put("seconds", seconds)
          .put("acknowledgedPerSecond", Math.round(acknowledged / seconds * 10) / 10.0)
          .put("ackLatencyMs", percentiles(ackNanos))
          .put("twinChangeSeenBySseMs", percentiles(twinNanos));
      json.put("timings", timings);
      json.put("passed", failures.isEmpty());
      json.put("failures", new JsonArray(failures));
      return new RunReport(json, failures);
    }

    /** A raised incident of a scenario's type: the case it names, when it was seen, its grade. */
    private record Raised(String id, String key, Instant firstSeen, String severity) {}

    /**
     * The incidents of {@code expected}'s type, oldest first; those an operator merged into another
     * are left out, as they were folded into it.
     */
    private static List<Raised> raised(
        Map<String, JsonObject> incidents,
        Map<String, Instant> firstSeen,
        ExpectedIncidents expected) {
      List<Raised> raised = new ArrayList<>();
      incidents.forEach(
          (id, incident) -> {
            if (!expected.incidentType().equals(incident.getString("type"))
                || incident.containsKey("mergedInto")) {
              return;
            }
            Map<String, String> subjects = new TreeMap<>();
            incident
                .getJsonObject("subjects", new JsonObject())
                .forEach(entry -> subjects.put(entry.getKey(), String.valueOf(entry.getValue())));
            String key =
                expected.key().of(incident.getJsonObject("scope").getString("id"), subjects);
            raised.add(
                new Raised(
                    id, String.valueOf(key), firstSeen.get(id), incident.getString("severity")));
          });
      raised.sort(java.util.Comparator.comparing(Raised::firstSeen).thenComparing(Raised::id));
      return raised;
    }

    /**
     * Precision counts every raised incident: one whose case was raised before (a burst that did
     * not merge) is a false alarm as much as one for no case.
     */
    private static void score(
        ExpectedIncidents expected,
        List<Raised> raised,
        JsonObject scenarios,
        JsonObject timings,
        List<String> failures) {
      String scenario = expected.scenario();
      Map<String, ExpectedIncidents.Case> truth = expected.cases();
      Map<String, Raised> firstOfCase = new TreeMap<>();
      List<String> falseAlarms = new ArrayList<>();
      List<String> duplicates = new ArrayList<>();
      for (Raised incident : raised) {
        if (!truth.containsKey(incident.key())) {
          falseAlarms.add(incident.key());
        } else if (firstOfCase.putIfAbsent(incident.key(), incident) != null) {
          duplicates.add(incident.key());
        }
      }
      Set<String> missed = new TreeSet<>(truth.keySet());
      missed.removeAll(firstOfCase.keySet());
      int hits = firstOfCase.size();
      double precision = raised.isEmpty() ? 1 : (double) hits / raised.size();
      double recall = truth.isEmpty() ? 1 : (double) hits / truth.size();
      List<Long> latencies = new ArrayList<>();
      List<String> wrongGrades = new ArrayList<>();
      firstOfCase.forEach(
          (key, incident) -> {
            ExpectedIncidents.Case expectedCase = truth.get(key);
            latencies.add(Duration.between(expectedCase.at(), incident.firstSeen()).toNanos());
            expectedCase
                .severity()
                .filter(severity -> !severity.equals(incident.severity()))
                .ifPresent(
                    severity ->
                        wrongGrades.add(
                            key + " " + incident.severity() + " (not " + severity + ")"));
          });
      scenarios.put(
          scenario,
          new JsonObject()
              .put("expected", truth.size())
              .put("raised", raised.size())
              .put("hits", hits)
              .put("precision", Math.round(precision * 1000) / 1000.0)
              .put("recall", Math.round(recall * 1000) / 1000.0)
              .put("missed", new JsonArray(List.copyOf(missed)))
              .put("falseAlarms", new JsonArray(falseAlarms))
              .put("duplicates", new JsonArray(duplicates))
              .put("wrongGrades", new JsonArray(wrongGrades)));
      timings.put(scenario + "DetectionLatencyMs", percentiles(latencies));
      if (truth.isEmpty()) {
        failures.add(scenario + ": the scenario expected no incident, so it measured nothing");
      }
      if (precision < QUALITY_FLOOR || recall < QUALITY_FLOOR) {
        failures.add(
            String.format(
                Locale.ROOT,
                "%s: precision %.3f, recall %.3f (at least %.2f each); missed %s, false %s,"
                    + " duplicates %s",
                scenario,
                precision,
                recall,
                QUALITY_FLOOR,
                missed,
                falseAlarms,
                duplicates));
      }
      if (!wrongGrades.isEmpty()) {
        failures.add(scenario + ": incidents at the wrong grade: " + wrongGrades);
      }
    }

    private static JsonObject percentiles(List<Long> nanos) {
      List<Long> sorted = new ArrayList<>(nanos);
      sorted.sort(null);
      JsonObject json = new JsonObject().put("count", sorted.size());
      if (!sorted.isEmpty()) {
        json.put("p50", millis(sorted.get(sorted.size() / 2)))
            .put(
                "p99",
                millis(sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99)))))
            .put("max", millis(sorted.get(sorted.size() - 1)));
      }
      return json;
    }

    private static double millis(long nanos) {
      return Math.round(nanos / 100_000.0) / 10.0;
    }
  }

  private static String listed(JsonObject score, String field, String label) {
    JsonArray entries = score.getJsonArray(field, new JsonArray());
    return entries.isEmpty() ? "" : "; " + label + ": " + entries.encode();
  }

  /** The report as a reader wants it in a log. */
  public String summary() {
    StringBuilder text = new StringBuilder();
    JsonObject district = json.getJsonObject("district");
    JsonObject readings = json.getJsonObject("readings");
    JsonObject timings = json.getJsonObject("timings");
    text.append(
        String.format(
            Locale.ROOT,
            "citytwin simulator report: seed %d, scale %s, %,d twins, %,d devices, %,d zones%n",
            district.getLong("seed"),
            district.getValue("scale"),
            district.getInteger("things"),
            district.getInteger("devices"),
            district.getInteger("zones")));
    text.append(
        String.format(
            Locale.ROOT,
            "readings: %,d sent in %,d requests, %,d acknowledged, %,d refused; %s by transport; faults %s%n",
            readings.getLong("sent"),
            readings.getLong("requests"),
            readings.getLong("acknowledged"),
            readings.getLong("refused"),
            readings.getJsonObject("byTransport").encode(),
            readings.getJsonObject("byFault").encode()));
    text.append(
        String.format(
            Locale.ROOT,
            "timings: %.1f readings/s acknowledged; ack latency %s; twin change seen over SSE %s%n",
            timings.getDouble("acknowledgedPerSecond"),
            timings.getJsonObject("ackLatencyMs").encode(),
            timings.getJsonObject("twinChangeSeenBySseMs").encode()));
    JsonObject scenarios = json.getJsonObject("scenarios");
    for (String scenario : scenarios.fieldNames()) {
      JsonObject score = scenarios.getJsonObject(scenario);
      text.append(
          String.format(
              Locale.ROOT,
              "%s: expected %d, raised %d, precision %.3f, recall %.3f, faulty sensors %s,"
                  + " detection latency %s%s%n",
              scenario,
              score.getInteger("expected"),
              score.getInteger("raised"),
              score.getDouble("precision"),
              score.getDouble("recall"),
              score.getJsonObject("faultySensors", new JsonObject()).encode(),
              timings.getJsonObject(scenario + "DetectionLatencyMs").encode(),
              listed(score, "duplicates", "not merged")
                  + listed(score, "wrongGrades", "at the wrong grade")
                  + listed(
                      score,
                      "seenOnlyByFailedSensors",
                      "left out of the truth: only failed sensors saw them")));
    }
    json.getJsonArray("badInputs")
        .forEach(
            entry -> {
              JsonObject input = (JsonObject) entry;
              text.append(
                  String.format(
                      Locale.ROOT,
                      "bad input over %s, %s: answered %d %s (expected %d)%n",
                      input.getString("transport"),
                      input.getString("input"),
                      input.getInteger("answered"),
                      input.getString("code"),
                      input.getInteger("expected")));
            });
    JsonObject history = json.getJsonObject("history");
    text.append(
        String.format(
            Locale.ROOT,
            "history: %,d acknowledged readings looked for, %d missing%n",
            history.getLong("acknowledgedReadingsChecked"),
            history.getInteger("missing")));
    text.append("5xx answers: ").append(json.getJsonArray("serverErrors").size()).append('\n');
    text.append(passed() ? "PASSED" : "FAILED: " + String.join("; ", failures)).append('\n');
    return text.toString();
  }
}
