package org.citytwin.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.citytwin.fusion.GaussKrugerMetres;
import org.citytwin.fusion.Zone;
import org.citytwin.fusion.ZoneIndex;
import org.citytwin.ingest.VendorFormats;

/**
 * People on the river embankments, seen by the AI cameras along the canal: each intrusion makes its
 * nearest camera raise a region-intrusion alert every tick for twenty seconds (one of them sent
 * twice, as cameras do when an acknowledgement is lost) and the cameras beside it join in every
 * other tick, the bursts of duplicate alerts the field notes describe. The camera farthest from
 * every intrusion raises a street-vendor and an illegal-parking alert instead, which are no
 * intrusion.
 *
 * <p>A share of the cameras fail ({@link SensorFaults}): a stuck one's picture freezes, so it
 * repeats its last alert whenever it would raise one (and raises none if it had raised none); a
 * drifting one's confidence sinks {@value #SCORE_DRIFT_PER_MINUTE} points a minute, as a fogging
 * lens does.
 *
 * <p>Truth: one incident per intrusion a working camera alerted on, from the first such alert;
 * every alert of the burst must merge into it. Intrusions are one to an embankment zone, so a
 * second incident on an embankment is a burst that did not merge. Cameras that stand in two
 * embankment zones (where segments meet) are left out, so that each alert has one place.
 *
 * @param district a {@link GeneratedDistrict}'s district
 * @param start the first tick
 * @param length how long the run sends
 * @param interval the tick
 * @param seed chooses the cameras, and those that fail
 * @param faultyShare the share of cameras that fail, 0 to 1
 */
public record EmbankmentIntrusionScenario(
    District district,
    Instant start,
    Duration length,
    Duration interval,
    long seed,
    double faultyShare)
    implements FieldScenario {

  /** The kind of device that sees intrusions. */
  public static final String CAMERA_KIND = "ai-camera";

  /**
   * Cameras this close to the one that saw an intrusion first join its burst: inside the rule's 150
   * m cluster, so their alerts must merge into its incident.
   */
  static final double COMPANION_METRES = 145;

  /** How many ticks the nearest camera keeps alerting. */
  static final int BURST_TICKS = 10;

  /** At most this many intrusions a run, one to an embankment zone. */
  static final int MOST_INTRUSIONS = 3;

  /** How fast a drifting camera's confidence sinks, in points (percent) a minute. */
  public static final double SCORE_DRIFT_PER_MINUTE = 1;

  /** An alert frozen or drifting: the time is {@code alarmTime}, the confidence {@code score}. */
  private static final SensorFaults.Failing FAILING =
      new SensorFaults.PayloadFields(
          "alarmTime",
          EmbankmentIntrusionScenario::alarmTime,
          "score",
          (score, minutes) -> Math.max(0, Math.round(score - SCORE_DRIFT_PER_MINUTE * minutes)));

  /**
   * One intrusion.
   *
   * @param embankment the embankment zone it is on
   * @param first the camera that sees it first
   * @param companions the cameras beside it that join the burst
   * @param at its first alert
   */
  public record Intrusion(
      String embankment, SimDevice first, List<SimDevice> companions, Instant at) {}

  /** The intrusions of this run, in time order. */
  public List<Intrusion> intrusions() {
    Map<String, List<SimDevice>> byEmbankment = camerasByEmbankment();
    List<String> embankments = new ArrayList<>(byEmbankment.keySet());
    SplittableRandom random = new SplittableRandom(seed ^ 0x1e7a_0b5aL);
    GaussKrugerMetres metres = new GaussKrugerMetres();
    List<Intrusion> intrusions = new ArrayList<>();
    int count = Math.min(MOST_INTRUSIONS, embankments.size());
    for (int i = 0; i < count; i++) {
      String embankment = embankments.get(i);
      List<SimDevice> cameras = byEmbankment.get(embankment);
      SimDevice first = cameras.get(random.nextInt(cameras.size()));
      List<SimDevice> companions =
          cameras.stream()
              .filter(camera -> camera != first)
              .filter(
                  camera ->
                      metres.metresBetween(camera.location(), first.location()) <= COMPANION_METRES)
              .toList();
      Instant at = tick(0.2 + 0.15 * i);
      intrusions.add(new Intrusion(embankment, first, companions, at));
    }
    return intrusions;
  }

  /** The cameras that stand in exactly one embankment zone, by zone, in id order. */
  private Map<String, List<SimDevice>> camerasByEmbankment() {
    ZoneIndex zones = ZoneIndex.fromGeoJson(district.zones());
    Map<String, List<SimDevice>> byEmbankment = new TreeMap<>();
    district
        .devicesOfKind(CAMERA_KIND)
        .forEach(
            camera -> {
              List<Zone> on = zones.containing(camera.location(), "embankment");
              if (on.size() == 1) {
                byEmbankment.computeIfAbsent(on.get(0).id(), id -> new ArrayList<>()).add(camera);
              }
            });
    return byEmbankment;
  }

  /** The tick nearest to {@code share} of the run. */
  private Instant tick(double share) {
    long ticks = Math.round(length.toMillis() * share / interval.toMillis());
    return start.plus(interval.multipliedBy(ticks));
  }

  @Override
  public String name() {
    return "embankment-intrusion";
  }

  @Override
  public SensorFaults faults() {
    return SensorFaults.choose(
        district.devicesOfKind(CAMERA_KIND), faultyShare, start, length, seed ^ 0x1e7a_0cL);
  }

  /** Every alert a camera would raise if it worked, by camera, in time order. */
  private Map<SimDevice, List<ScenarioPlan.Reading>> alerts() {
    Map<SimDevice, List<ScenarioPlan.Reading>> alerts =
        new TreeMap<>(Comparator.comparing(SimDevice::deviceId));
    SplittableRandom random = new SplittableRandom(seed ^ 0x5ce_e7e5L);
    List<Intrusion> intrusions = intrusions();
    for (Intrusion intrusion : intrusions) {
      for (int tick = 0; tick < BURST_TICKS; tick++) {
        Instant at = intrusion.at().plus(interval.multipliedBy(tick));
        add(alerts, alert(intrusion.first(), "region_intrusion", at, random));
        if (tick % 2 == 1) {
          for (SimDevice companion : intrusion.companions()) {
            add(alerts, alert(companion, "region_intrusion", at, random));
          }
        }
      }
    }
    // The camera farthest from every intrusion sees a street vendor and a parked car instead.
    GaussKrugerMetres metres = new GaussKrugerMetres();
    camerasByEmbankment().values().stream()
        .flatMap(List::stream)
        .max(
            Comparator.comparingDouble(
                camera ->
                    intrusions.stream()
                        .mapToDouble(
                            intrusion ->
                                metres.metresBetween(
                                    camera.location(), intrusion.first().location()))
                        .min()
                        .orElse(0)))
        .ifPresent(
            camera -> {
              add(alerts, alert(camera, "street_vendor", tick(0.3), random));
              add(alerts, alert(camera, "illegal_parking", tick(0.5), random));
            });
    alerts
        .values()
        .forEach(list -> list.sort(Comparator.comparing(ScenarioPlan.Reading::observedAt)));
    return alerts;
  }

  private static void add(
      Map<SimDevice, List<ScenarioPlan.Reading>> alerts, ScenarioPlan.Reading alert) {
    alerts.computeIfAbsent(alert.device(), camera -> new ArrayList<>()).add(alert);
  }

  @Override
  public List<ScenarioPlan.Timed> sends() {
    SensorFaults faults = faults();
    Map<SimDevice, List<Instant>> resent = new TreeMap<>(Comparator.comparing(SimDevice::deviceId));
    for (Intrusion intrusion : intrusions()) {
      resent
          .computeIfAbsent(intrusion.first(), camera -> new ArrayList<>())
          .add(
              intrusion
                  .at()
                  .plus(interval.multipliedBy(BURST_TICKS / 2))
                  .truncatedTo(ChronoUnit.SECONDS));
    }
    List<ScenarioPlan.Timed> sends = new ArrayList<>();
    alerts()
        .forEach(
            (camera, alerts) -> {
              for (ScenarioPlan.Reading alert : faults.asSent(camera, alerts, FAILING)) {
                sends.add(ScenarioPlan.Timed.alone(alert, ScenarioPlan.Transport.HTTP));
                if (resent.getOrDefault(camera, List.of()).contains(alert.observedAt())) {
                  // The camera missed the acknowledgement and raises the same alert again.
                  sends.add(
                      new ScenarioPlan.Timed(
                          alert.observedAt().plus(interval.dividedBy(2)),
                          new ScenarioPlan.Send(
                              camera,
                              ScenarioPlan.Transport.HTTP,
                              List.of(
                                  new ScenarioPlan.Reading(
                                      camera,
                                      alert.payload(),
                                      alert.observedAt(),
                                      alert.series(),
                                      ScenarioPlan.Fault.DUPLICATE)))));
                }
              }
            });
    sends.sort(Comparator.comparing(ScenarioPlan.Timed::at));
    return sends;
  }

  private static ScenarioPlan.Reading alert(
      SimDevice camera, String eventType, Instant at, SplittableRandom random) {
    Instant stated = at.truncatedTo(ChronoUnit.SECONDS);
    JsonObject payload =
        new JsonObject()
            .put("eventType", eventType)
            .put("score", 80 + random.nextInt(19))
            .put(
                "rect",
                new JsonArray()
                    .add(200 + random.nextInt(800))
                    .add(150 + random.nextInt(500))
                    .add(40 + random.nextInt(120))
                    .add(80 + random.nextInt(200)))
            .put(
                "picUrl",
                "https://nvr.example/snap/"
                    + camera.deviceId()
                    + "/"
                    + stated.getEpochSecond()
                    + ".jpg")
            .put("alarmTime", alarmTime(stated));
    return new ScenarioPlan.Reading(
        camera, payload, stated, "detection/confidence", ScenarioPlan.Fault.NONE);
  }

  private static String alarmTime(Instant at) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
        OffsetDateTime.ofInstant(at, VendorFormats.DISTRICT_ZONE));
  }

  @Override
  public ExpectedIncidents expected() {
    SensorFaults faults = faults();
    Map<SimDevice, List<ScenarioPlan.Reading>> alerts = alerts();
    Map<String, ExpectedIncidents.Case> cases = new TreeMap<>();
    for (Intrusion intrusion : intrusions()) {
      List<SimDevice> cameras = new ArrayList<>(intrusion.companions());
      cameras.add(intrusion.first());
      cameras.stream()
          .flatMap(camera -> faults.seen(camera, alerts.getOrDefault(camera, List.of())).stream())
          .filter(alert -> alert.payload().getString("eventType").equals("region_intrusion"))
          .map(ScenarioPlan.Reading::observedAt)
          .min(Comparator.naturalOrder())
          .ifPresent(
              first ->
                  cases.put(
                      intrusion.embankment(), ExpectedIncidents.Case.graded(first, "yellow")));
    }
    return new ExpectedIncidents(
        name(), "embankment-intrusion", ExpectedIncidents.CaseKey.SCOPE, cases);
  }
}
