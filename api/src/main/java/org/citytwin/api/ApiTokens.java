package org.citytwin.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.citytwin.api.http.Caller;
import org.citytwin.twin.AccessGrant;

/**
 * The API's bearer tokens: JSON Web Tokens signed with HMAC-SHA256 under one configured secret,
 * issued by {@code citytwin token} and checked on every API request.
 *
 * <p>A token's claims: {@code sub} (the user or service), {@code department} (whose namespace it
 * reads) and {@code roles} ({@value Caller#DISTRICT_ROLE} reads the whole district), {@code iss}
 * {@value #ISSUER}, and {@code exp}. A token without an expiry is refused: a leaked token must stop
 * working on its own.
 */
public final class ApiTokens {

  /** The shortest secret taken: HS256 wants a key at least as long as its 256-bit hash. */
  public static final int MIN_SECRET_BYTES = 32;

  static final String ISSUER = "citytwin";
  private static final Pattern DEPARTMENT = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  private final JWTAuth jwt;

  /**
   * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_SECRET_BYTES} bytes
   */
  public ApiTokens(Vertx vertx, String secret) {
    if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "api.auth.secret must be at least " + MIN_SECRET_BYTES + " bytes long");
    }
    this.jwt =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
                .setJWTOptions(new JWTOptions().setIssuer(ISSUER)));
  }

  /**
   * A token for {@code subject}: of {@code department} or, without one, for the whole district.
   *
   * @throws IllegalArgumentException for a department that cannot be a namespace, or a validity
   *     that is not positive
   */
  public String issue(String subject, Optional<String> department, Duration validFor) {
    if (validFor.isNegative() || validFor.isZero()) {
      throw new IllegalArgumentException("a token must be valid for some time");
    }
    JsonObject claims = new JsonObject().put("sub", subject);
    department.ifPresentOrElse(
        name -> {
          ApiKeys.checkDepartment(name);
          claims.put("department", name).put("roles", new JsonArray());
        },
        () -> claims.put("roles", new JsonArray().add(Caller.DISTRICT_ROLE)));
    return jwt.generateToken(
        claims,
        new JWTOptions()
            .setAlgorithm("HS256")
            .setIssuer(ISSUER)
            .setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, validFor.toSeconds())));
  }

  /**
   * The caller a token speaks for; fails when its signature, issuer, expiry or claims are wrong.
   */
  public Future<Caller> authenticate(String token) {
    // Vert.x keeps the verified claims under the "accessToken" attribute; the principal lacks exp.
    return jwt.authenticate(new TokenCredentials(token))
        .map(user -> caller(user.attributes().getJsonObject("accessToken", user.principal())));
  }

  /** Whether {@code name} can be a department: a namespace of its own, not a reserved one. */
  static boolean isDepartment(String name) {
    return DEPARTMENT.matcher(name).matches() && !AccessGrant.isReserved(name);
  }

  private static Caller caller(JsonObject claims) {
    String subject = claims.getString("sub");
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("the token names no subject (sub)");
    }
    if (!claims.containsKey("exp")) {
      throw new IllegalArgumentException("the token has no expiry (exp)");
    }
    JsonArray roles = claims.getJsonArray("roles", new JsonArray());
    if (roles.contains(Caller.DISTRICT_ROLE)) {
      return new Caller(subject, Optional.empty(), true);
    }
    String department = claims.getString("department");
    if (department == null || !isDepartment(department)) {
      throw new IllegalArgumentException("the token names no department");
    }
    return new Caller(subject, Optional.of(department), false);
  }
}
