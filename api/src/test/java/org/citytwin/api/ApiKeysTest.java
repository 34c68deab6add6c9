package org.citytwin.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.citytwin.api.http.Caller;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

  private static final Instant NOW = Instant.parse("2026-07-01T08:00:00Z");
  private final SecureRandom random = new SecureRandom();

  private ApiKeys.Issued waterScreen(ApiKeys keys) {
    return keys.issue("flood-screen", Optional.of("water"), Optional.empty(), NOW, random);
  }

  @Test
  void aDepartmentKeySpeaksForItsServiceInThatDepartment() {
    ApiKeys.Issued issued = waterScreen(ApiKeys.none());

    Caller caller = issued.keys().authenticate(issued.text(), NOW.plus(Duration.ofDays(400)));

    assertThat(caller).isEqualTo(new Caller("flood-screen", Optional.of("water"), false));
    assertThat(issued.text()).startsWith(ApiKeys.PREFIX + issued.key().id() + "_");
  }

  @Test
  void aDistrictKeyReadsTheWholeDistrict() {
    ApiKeys.Issued issued =
        ApiKeys.none().issue("data-bureau-etl", Optional.empty(), Optional.empty(), NOW, random);

    assertThat(issued.keys().authenticate(issued.text(), NOW).wholeDistrict()).isTrue();
  }

  @Test
  void keepsOnlyAHashOfTheSecret() {
    ApiKeys.Issued issued = waterScreen(ApiKeys.none());
    String secret = issued.text().substring(issued.text().lastIndexOf('_') + 1);

    assertThat(issued.key().secretHash()).hasSize(64).doesNotContain(secret);
  }

  @Test
  void aWrongSecretAndAnUnknownIdAreRefusedAlike() {
    ApiKeys.Issued issued = waterScreen(ApiKeys.none());
    String wrongSecret = issued.text().substring(0, issued.text().length() - 2) + "xx";
    String unknownId = ApiKeys.PREFIX + "000000000000_" + "a".repeat(43);

    assertThatThrownBy(() -> issued.keys().authenticate(wrongSecret, NOW))
        .hasMessage("the API key is not known");
    assertThatThrownBy(() -> issued.keys().authenticate(unknownId, NOW))
        .hasMessage("the API key is not known");
    assertThatThrownBy(() -> issued.keys().authenticate("not-a-key", NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRevokedKeyIsRefusedAndTheOthersStillWork() {
    ApiKeys.Issued first = waterScreen(ApiKeys.none());
    ApiKeys.Issued second = waterScreen(first.keys());

    ApiKeys revoked = second.keys().revoke(first.key().id(), NOW.plusSeconds(60));

    assertThatThrownBy(() -> revoked.authenticate(first.text(), NOW.plusSeconds(61)))
        .hasMessageContaining("revoked");
    assertThat(revoked.authenticate(second.text(), NOW.plusSeconds(61)).subject())
        .isEqualTo("flood-screen");
    assertThat(revoked.revoke(first.key().id(), NOW.plusSeconds(120))).isSameAs(revoked);
    assertThatThrownBy(() -> revoked.revoke("nosuchkey", NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aKeyStopsWorkingWhenItExpires() {
    ApiKeys.Issued issued =
        ApiKeys.none()
            .issue(
                "patrol-app", Optional.of("urban"), Optional.of(Duration.ofDays(90)), NOW, random);

    assertThat(issued.keys().authenticate(issued.text(), NOW.plus(Duration.ofDays(89))).subject())
        .isEqualTo("patrol-app");
    assertThatThrownBy(
            () -> issued.keys().authenticate(issued.text(), NOW.plus(Duration.ofDays(90))))
        .hasMessageContaining("expired");
  }

  @Test
  void refusesReservedOrMalformedDepartmentsAndNoValidity() {
    assertThatThrownBy(
            () ->
                ApiKeys.none().issue("x", Optional.of("incidents"), Optional.empty(), NOW, random))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ApiKeys.none().issue("x", Optional.of("Water!"), Optional.empty(), NOW, random))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                ApiKeys.none()
                    .issue("x", Optional.of("water"), Optional.of(Duration.ZERO), NOW, random))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aKeyFileReadsBackWhatWasWritten(@TempDir Path directory) throws Exception {
    Path file = directory.resolve("keys").resolve("api-keys.json");
    ApiKeys.Issued first = waterScreen(ApiKeys.none());
    ApiKeys.Issued second =
        first.keys().issue("etl", Optional.empty(), Optional.of(Duration.ofDays(1)), NOW, random);
    ApiKeys kept = second.keys().revoke(first.key().id(), NOW.plusSeconds(5));

    kept.write(file);
    ApiKeys read = ApiKeys.read(file);

    assertThat(read.all()).isEqualTo(kept.all());
    assertThat(read.authenticate(second.text(), NOW).subject()).isEqualTo("etl");
    assertThat(Files.readString(file)).doesNotContain(second.text());
  }

  @Test
  void aMissingFileHoldsNoKeysAndABrokenOneIsRefusedByName(@TempDir Path directory)
      throws Exception {
    assertThat(ApiKeys.read(directory.resolve("absent.json")).all()).isEmpty();

    Path broken = Files.writeString(directory.resolve("broken.json"), "{\"keys\": [ {\"id\": 1");
    assertThatThrownBy(() -> ApiKeys.read(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(broken.toString());
  }
}
