package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.things.model.ThingId;
import org.junit.jupiter.api.Test;

class UnitsTest {

  @Test
  void depthConvertsVendorUnitsToMetres() {
    assertThat(Depth.ofCentimetres(23).metres()).isEqualTo(0.23);
    assertThat(Depth.ofMillimetres(230).metres()).isEqualTo(0.23);
  }

  @Test
  void depthRefusesNegativeAndImplausibleValues() {
    assertThatThrownBy(() -> Depth.ofCentimetres(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Depth.ofCentimetres(1_001))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Depth(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void wgsPointRoundTripsThroughGeoJsonLongitudeFirst() {
    WgsPoint point = new WgsPoint(120.15, 30.3);
    assertThat(point.toGeoJson().toString())
        .isEqualTo("{\"type\":\"Point\",\"coordinates\":[120.15,30.3]}");
    assertThat(WgsPoint.fromGeoJson(point.toGeoJson())).isEqualTo(point);
  }

  @Test
  void wgsPointRefusesPositionsOffTheGlobeAndOtherGeometries() {
    assertThatThrownBy(() -> new WgsPoint(30.3, 120.15))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                WgsPoint.fromGeoJson(
                    JsonFactory.newObject("{\"type\":\"LineString\",\"coordinates\":[]}")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readingRoundTripsThroughItsEventBusForm() {
    Reading reading =
        new Reading(
            ThingId.of("water", "wlg-0001"),
            "waterlogging",
            "depth",
            0.23,
            CanonicalUnit.METRE,
            Instant.parse("2026-07-14T08:00:00.123Z"));
    assertThat(Reading.fromJsonMap(reading.toJsonMap())).isEqualTo(reading);
  }

  @Test
  void readingRefusesNonFiniteValuesAndPathLikeNames() {
    ThingId id = ThingId.of("water", "wlg-0001");
    Instant at = Instant.EPOCH;
    assertThatThrownBy(
            () ->
                new Reading(
                    id, "waterlogging", "depth", Double.POSITIVE_INFINITY, CanonicalUnit.METRE, at))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Reading(id, "water/logging", "depth", 1, CanonicalUnit.METRE, at))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void errorsRenderAsDittoErrorBodies() {
    ErrorCode code =
        new ErrorCode(
            "ingest:payload.malformed",
            org.eclipse.ditto.base.model.common.HttpStatus.BAD_REQUEST,
            "Send JSON.");
    assertThat(code.toException("Not JSON.").toJson().toString())
        .isEqualTo(
            "{\"status\":400,\"error\":\"ingest:payload.malformed\",\"message\":\"Not JSON.\",\"description\":\"Send JSON.\"}");
    assertThatThrownBy(
            () ->
                new ErrorCode(
                    "Bad Code", org.eclipse.ditto.base.model.common.HttpStatus.BAD_REQUEST, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
