package org.citytwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.CitytwinException;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;

class WaterloggingCentimetresTest {

  private static final Instant RECEIVED = Instant.parse("2026-07-14T08:30:05Z");
  private final VendorFormat format = VendorFormats.builtIn().find("waterlogging-cm").orElseThrow();
  private final Device gauge =
      new Device(
          new DeviceId("water", "wlg-0001"),
          "wlg-0001",
          PasswordHash.of("x", new SecureRandom()),
          ThingId.of("water", "wlg-0001"),
          "waterlogging-cm",
          true);

  @Test
  void convertsCentimetresToMetresAtTheDevicesTime() {
    List<Reading> readings =
        format.normalise(
            new JsonObject().put("depth_cm", 23).put("ts", 1784017800), gauge, RECEIVED);
    assertThat(readings)
        .singleElement()
        .satisfies(
            reading -> {
              assertThat(reading.value()).isEqualTo(0.23);
              assertThat(reading.unit()).isEqualTo(CanonicalUnit.METRE);
              assertThat(reading.feature()).isEqualTo("waterlogging");
              assertThat(reading.property()).isEqualTo("depth");
              assertThat(reading.observedAt()).isEqualTo(Instant.ofEpochSecond(1784017800));
            });
  }

  @Test
  void usesArrivalTimeWhenThePayloadHasNone() {
    assertThat(
            format
                .normalise(new JsonObject().put("depth_cm", 5), gauge, RECEIVED)
                .get(0)
                .observedAt())
        .isEqualTo(RECEIVED);
  }

  @Test
  void refusesMissingOrImplausibleDepthWithTheirCodes() {
    assertThatThrownBy(() -> format.normalise(new JsonObject().put("depth", 5), gauge, RECEIVED))
        .isInstanceOfSatisfying(
            CitytwinException.class,
            e -> assertThat(e.errorCode()).isEqualTo(IngestErrors.PAYLOAD_MALFORMED));
    assertThatThrownBy(
            () ->
                format.normalise(
                    new JsonObject().put("depth_cm", 5).put("ts", "soon"), gauge, RECEIVED))
        .isInstanceOfSatisfying(
            CitytwinException.class,
            e -> assertThat(e.errorCode()).isEqualTo(IngestErrors.PAYLOAD_MALFORMED));
    assertThatThrownBy(
            () -> format.normalise(new JsonObject().put("depth_cm", 5_000), gauge, RECEIVED))
        .isInstanceOfSatisfying(
            CitytwinException.class,
            e -> assertThat(e.errorCode()).isEqualTo(IngestErrors.READING_IMPLAUSIBLE));
  }
}
