package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import org.citytwin.api.ApiTokens;
import org.citytwin.sim.DemoDistrict;
import org.citytwin.sim.Rainstorm;
import org.citytwin.sim.SimDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The flood-warning screen in a real browser (Debian's headless Chromium, driven through its
 * chromedriver) against a started server with authentication on: it loads without console errors,
 * colours a gauge by the depth its device reports, shows the flood incident a simulated rainstorm
 * raises within 2 s, rides out a network break without losing a change, and shows another
 * department nothing of the water department's. A screenshot is saved under {@code
 * target/screenshots}.
 *
 * <p>Chromium and chromedriver come from Debian's packages, which {@code .ci/run} installs. Without
 * them the test is skipped on a workstation and fails in CI.
 */
@Timeout(240)
class FloodScreenIT {

  private static final String SECRET = "a-test-secret-that-is-at-least-32-bytes-long";
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  /** Reads the colour the map's canvas shows at a gauge's centre, as #rrggbb. */
  private static final String PIXEL_AT_GAUGE =
      """
      const gauge = floodScreen.gauges.get(arguments[0]);
      const point = floodScreen.map.latLngToContainerPoint(gauge.latlng);
      const map = document.getElementById('map').getBoundingClientRect();
      const canvas = document.querySelector('#map .leaflet-overlay-pane canvas');
      const box = canvas.getBoundingClientRect();
      const x = Math.round((map.left + point.x - box.left) * canvas.width / box.width);
      const y = Math.round((map.top + point.y - box.top) * canvas.height / box.height);
      const d = canvas.getContext('2d').getImageData(x, y, 1, 1).data;
      return '#' + [d[0], d[1], d[2]].map(v => v.toString(16).padStart(2, '0')).join('');
      """;

  @TempDir Path directory;
  private RunningDistrict city;
  private ChromeDriver browser;
  private ApiTokens tokens;

  @BeforeEach
  void start() throws Exception {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(
          installed, "Debian's chromium and chromium-driver are not installed (.ci/run does)");
    }
    assertThat(installed)
        .as(
            "CI needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)")
        .isTrue();
    // Four catchments, three waterlogging gauges in each, four river gauges and a rain gauge a
    // catchment: every layer of the screen has something to draw.
    city =
        new RunningDistrict(
            directory,
            new DemoDistrict(7, 2, 3, 4, 1, RunningDistrict.PASSWORD),
            devices -> {},
            Map.of("api.auth.secret", SECRET));
    tokens = new ApiTokens(city.server.vertx(), SECRET);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,850",
        "--user-data-dir=" + Files.createDirectories(directory.resolve("chromium")));
    LoggingPreferences logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logging);
    browser =
        new ChromeDriver(
            new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build(),
            options);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (city != null) {
      city.close();
    }
  }

  private Object script(String script, Object... arguments) {
    return ((JavascriptExecutor) browser).executeScript(script, arguments);
  }

  private void open(String token) {
    browser.get("http://127.0.0.1:" + city.server.port() + "/screen/flood#token=" + token);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "true"
                    .equals(browser.findElement(By.tagName("body")).getDomAttribute("data-ready")));
  }

  private String colourAt(SimDevice gauge) {
    return (String) script(PIXEL_AT_GAUGE, gauge.thingId().toString());
  }

  /** A real mouse click on the gauge's dot, wherever the map has put it. */
  private void clickOn(SimDevice gauge) {
    @SuppressWarnings("unchecked")
    Map<String, Number> offset =
        (Map<String, Number>)
            script(
                """
                const point = floodScreen.map.latLngToContainerPoint(
                    floodScreen.gauges.get(arguments[0]).latlng);
                const size = floodScreen.map.getSize();
                return {x: Math.round(point.x - size.x / 2), y: Math.round(point.y - size.y / 2)};
                """,
                gauge.thingId().toString());
    new Actions(browser)
        .moveToElement(
            browser.findElement(By.id("map")),
            offset.get("x").intValue(),
            offset.get("y").intValue())
        .click()
        .perform();
  }

  private void report(SimDevice gauge, int depthCentimetres, Instant at) {
    assertThat(
            city.postReading(
                    gauge.username(),
                    RunningDistrict.PASSWORD,
                    "application/json",
                    new JsonObject()
                        .put("depth_cm", depthCentimetres)
                        .put("ts", at.getEpochSecond())
                        .encode())
                .status())
        .isEqualTo(202);
  }

  @Test
  void showsTheWaterDepartmentItsGaugesAndTheFloodARainstormRaisesLive() throws Exception {
    open(tokens.issue("wang", Optional.of("water"), Duration.ofHours(1)));
    assertThat(((Number) script("return floodScreen.gauges.size")).intValue())
        .isEqualTo(city.district.devices().size());
    assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("wang · water");
    assertThat(browser.findElement(By.id("banner")).getDomAttribute("data-level"))
        .isEqualTo("none");

    // A gauge's colour follows the depth its device reports (readings four minutes apart, so that
    // cleaning does not take the rise for a spike).
    SimDevice gauge = city.gauge(0);
    Instant now = Instant.now();
    report(gauge, 2, now.minusSeconds(240));
    await().atMost(Duration.ofSeconds(5)).until(() -> colourAt(gauge).equals("#2e7d32"));
    report(gauge, 35, now);
    await().atMost(Duration.ofSeconds(5)).until(() -> colourAt(gauge).equals("#c62828"));

    // Clicking the gauge's dot shows its twin and its last six hours from the history API.
    clickOn(gauge);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> browser.findElement(By.id("sparkline")).getDomAttribute("data-points") != null);
    assertThat(browser.findElement(By.id("gauge")).getDomAttribute("hidden")).isNull();
    assertThat(browser.findElement(By.id("gauge-title")).getText())
        .isEqualTo(gauge.thingId().toString());
    assertThat(browser.findElement(By.id("gauge-facts")).getText())
        .contains("waterlogging/depth\n0.35")
        .contains("observes\n" + gauge.observes());
    assertThat(
            Integer.parseInt(
                browser.findElement(By.id("sparkline")).getDomAttribute("data-points")))
        .isBetween(1, 2);
    assertThat(browser.findElement(By.id("sparkline-range")).getText())
        .startsWith("depth, highest per 5 min:")
        .contains("to 0.35 m");
    double sparklineFirstDrawn =
        ((Number) script("return floodScreen.sparklineDrawnAt")).doubleValue();

    // A network break: the change made while the screen is cut off arrives when it reconnects,
    // replayed after its Last-Event-ID rather than by reading everything again.
    SimDevice other = city.gauge(1);
    script("floodScreen.resyncs = 0; floodScreen.streams[0].interrupt();");
    report(other, 12, Instant.now());
    await().atMost(Duration.ofSeconds(10)).until(() -> colourAt(other).equals("#1e88e5"));
    assertThat(((Number) script("return floodScreen.resyncs")).intValue()).isZero();
    assertThat(browser.findElement(By.id("connection")).getText()).isEqualTo("live");

    // The simulator's rainstorm floods the district; the screen lists the incident within 2 s of
    // fusion raising it, and the banner takes its level.
    Vertx simulator = Vertx.vertx();
    Rainstorm rainstorm =
        new Rainstorm(
            simulator,
            "127.0.0.1",
            city.server.port(),
            city.district.devices(),
            new Rainstorm.Settings(
                Duration.ofSeconds(1), Duration.ofSeconds(60), 40, 2_500, Duration.ofSeconds(5)),
            Clock.systemUTC());
    rainstorm.start();
    JsonObject incident;
    try {
      String water = tokens.issue("probe", Optional.of("water"), Duration.ofHours(1));
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> !floodIncidents(water).isEmpty());
      incident = floodIncidents(water).getJsonObject(0);
      String id = incident.getString("id");
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  !browser
                      .findElements(By.cssSelector("#incidents li[data-incident-id='" + id + "']"))
                      .isEmpty());
      Duration shownAfter =
          Duration.between(Instant.parse(incident.getString("raisedAt")), Instant.now());
      System.out.printf(
          "FloodScreenIT: %s incident %s shown %d ms after fusion raised it%n",
          incident.getString("severity"), id, shownAfter.toMillis());
      assertThat(shownAfter).isLessThan(Duration.ofSeconds(2));
      assertThat(browser.findElement(By.id("banner")).getDomAttribute("data-level"))
          .isIn("blue", "yellow", "orange", "red");
      Thread.sleep(3_000); // let the storm colour the map for the screenshot
    } finally {
      rainstorm.stop();
      simulator.close();
    }
    assertThat(rainstorm.refused()).as("reports the server refused").isZero();
    // The storm's readings redrew the selected gauge's sparkline, without a click.
    assertThat(((Number) script("return floodScreen.sparklineDrawnAt")).doubleValue())
        .isGreaterThan(sparklineFirstDrawn);
    String water = tokens.issue("probe", Optional.of("water"), Duration.ofHours(1));
    // Once the last reports are in, each river gauge's dot shows its twin's level against the
    // warning line, and each catchment's fill the rain its gauge reports.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              for (SimDevice river : city.district.devices()) {
                if (river.kind().equals("water-level-gauge")) {
                  double aboveWarning =
                      twinProperty(water, river, "/features/level/properties/aboveWarning");
                  assertThat(colourAt(river))
                      .as(river.deviceId() + " at " + aboveWarning + " m")
                      .isEqualTo(
                          aboveWarning >= 0
                              ? "#6a1b9a"
                              : aboveWarning > -0.5 ? "#fdd835" : "#26a69a");
                }
              }
            });
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              double rainiest = 0;
              for (SimDevice rain : city.district.devices()) {
                if (rain.kind().equals("rain-gauge")) {
                  double intensity =
                      twinProperty(water, rain, "/features/rain/properties/intensity");
                  rainiest = Math.max(rainiest, intensity);
                  assertThat(
                          ((Number)
                                  script(
                                      "return floodScreen.catchments.get(arguments[0]).rain",
                                      rain.catchmentId()))
                              .doubleValue())
                      .as(rain.catchmentId())
                      .isCloseTo(intensity, org.assertj.core.data.Offset.offset(1e-9));
                }
              }
              assertThat(rainiest).as("the storm's rain").isGreaterThan(16);
            });
    Files.createDirectories(SCREENSHOTS);
    File shot = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(
        shot.toPath(),
        SCREENSHOTS.resolve("flood-screen.png"),
        StandardCopyOption.REPLACE_EXISTING);

    List<LogEntry> errors =
        browser.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
            .toList();
    assertThat(errors).as("console errors").isEmpty();
  }

  /** A number in the gauge's twin, read through the API as {@code token}'s department. */
  private double twinProperty(String token, SimDevice gauge, String pointer) {
    JsonObject twin =
        city.request(
                HttpMethod.GET,
                "/api/2/things/" + gauge.thingId(),
                null,
                "Authorization",
                "Bearer " + token)
            .json();
    Object value = JsonPointer.from(pointer).queryJson(twin);
    assertThat(value).as(gauge.thingId() + pointer).isInstanceOf(Number.class);
    return ((Number) value).doubleValue();
  }

  private JsonArray floodIncidents(String token) {
    return new JsonArray(
        city.request(
                HttpMethod.GET,
                "/api/incidents?type=flood",
                null,
                "Authorization",
                "Bearer " + token)
            .body());
  }

  @Test
  void anotherDepartmentSeesNoneOfTheWaterDepartmentsGauges() {
    SimDevice gauge = city.gauge(0);
    report(gauge, 40, Instant.now());
    report(city.gauge(1), 40, Instant.now());
    open(tokens.issue("zhao", Optional.of("construction"), Duration.ofHours(1)));
    assertThat(((Number) script("return floodScreen.gauges.size")).intValue()).isZero();
    assertThat(browser.findElements(By.cssSelector("#incidents li"))).isEmpty();
    assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("zhao · construction");
  }

  @Test
  void asksForATokenWhenItHasNone() {
    browser.get("http://127.0.0.1:" + city.server.port() + "/screen/flood");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> browser.findElement(By.id("sign-in")).getDomAttribute("open") != null);
    assertThat(browser.findElement(By.id("connection")).getText()).isEqualTo("unauthorised");
  }
}
