package org.citytwin.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.citytwin.api.http.Caller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApiTokensTest {

  private static final String SECRET = "a-test-secret-that-is-at-least-32-bytes-long";
  private final Vertx vertx = Vertx.vertx();
  private final ApiTokens tokens = new ApiTokens(vertx, SECRET);

  @AfterEach
  void close() {
    vertx.close();
  }

  private Caller check(String token) throws Exception {
    return tokens
        .authenticate(token)
        .toCompletionStage()
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }

  @Test
  void aDepartmentTokenSpeaksForItsUserAndDepartment() throws Exception {
    Caller caller = check(tokens.issue("wang", Optional.of("water"), Duration.ofHours(1)));
    assertThat(caller).isEqualTo(new Caller("wang", Optional.of("water"), false));
    assertThat(caller.owns("water")).isTrue();
    assertThat(caller.owns("traffic")).isFalse();
  }

  @Test
  void aDistrictTokenReadsEverything() throws Exception {
    Caller caller = check(tokens.issue("duty", Optional.empty(), Duration.ofHours(1)));
    assertThat(caller.wholeDistrict()).isTrue();
    assertThat(caller.owns("construction")).isTrue();
  }

  @Test
  void refusesTokensSignedWithAnotherSecretOrTamperedWith() {
    String foreign =
        new ApiTokens(vertx, "another-secret-that-is-at-least-32-bytes")
            .issue("mallory", Optional.empty(), Duration.ofHours(1));
    assertThatThrownBy(() -> check(foreign)).hasMessageContaining("ignature");
    String honest = tokens.issue("wang", Optional.of("water"), Duration.ofHours(1));
    String[] parts = honest.split("\\.");
    String claims =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                "{\"sub\":\"wang\",\"roles\":[\"district\"],\"iss\":\"citytwin\",\"exp\":9999999999}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThatThrownBy(() -> check(parts[0] + "." + claims + "." + parts[2])).isNotNull();
  }

  @Test
  void refusesShortSecretsAndDepartmentsThatCannotBeNamespaces() {
    assertThatThrownBy(() -> new ApiTokens(vertx, "short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> tokens.issue("x", Optional.of("Water Dept"), Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tokens.issue("x", Optional.of("water"), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
