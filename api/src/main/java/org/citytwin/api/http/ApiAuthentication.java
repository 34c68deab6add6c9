package org.citytwin.api.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.citytwin.twin.ErrorCode;
import org.eclipse.ditto.base.model.common.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Establishes the {@link Caller} of every API request, before any route runs: from a user's {@code
 * Authorization: Bearer} JSON web token, or from a service's API key, sent as {@code X-Api-Key} or
 * as the bearer token itself (keys start with {@code ctk_}, so clients that only send bearer
 * tokens, such as the Ditto client, can use one). Without either check configured every caller is
 * {@link Caller#OPEN}. A missing, malformed, forged, revoked or expired credential is answered 401
 * with Ditto's {@code gateway:authentication.failed}, and counted.
 */
public final class ApiAuthentication implements Handler<RoutingContext> {

  /** Checks a bearer token: the caller it speaks for, or a failure saying why not. */
  @FunctionalInterface
  public interface TokenCheck {
    Future<Caller> check(String token);
  }

  static final ErrorCode AUTHENTICATION_FAILED =
      new ErrorCode(
          "gateway:authentication.failed",
          HttpStatus.UNAUTHORIZED,
          "Send 'Authorization: Bearer <token>' with a token from 'citytwin token' that has not"
              + " expired, or a service's key from 'citytwin api-key create' as 'X-Api-Key'.");

  /** The header services send their API key in. */
  public static final String API_KEY_HEADER = "X-Api-Key";

  private static final String API_KEY_PREFIX = "ctk_";

  private static final Logger LOG = LoggerFactory.getLogger(ApiAuthentication.class);
  private static final String CALLER_KEY = "citytwin.caller";

  private final Optional<TokenCheck> tokens;
  private final Optional<TokenCheck> apiKeys;
  private final LongAdder refused = new LongAdder();

  /**
   * @param tokens checks users' bearer tokens, if the API takes them
   * @param apiKeys checks services' API keys, if the API takes them
   */
  public ApiAuthentication(Optional<TokenCheck> tokens, Optional<TokenCheck> apiKeys) {
    this.tokens = tokens;
    this.apiKeys = apiKeys;
  }

  /** The caller {@link ApiAuthentication} established for this request. */
  public static Caller caller(RoutingContext context) {
    Caller caller = context.get(CALLER_KEY);
    if (caller == null) {
      throw new IllegalStateException("no caller: the authentication handler did not run");
    }
    return caller;
  }

  /** Whether requests must bring a token. */
  public boolean required() {
    return tokens.isPresent() || apiKeys.isPresent();
  }

  /** Requests refused for their token since start. */
  public long refused() {
    return refused.sum();
  }

  @Override
  public void handle(RoutingContext context) {
    if (!required()) {
      context.put(CALLER_KEY, Caller.OPEN);
      context.next();
      return;
    }
    String key = context.request().getHeader(API_KEY_HEADER);
    String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
    boolean bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
    if (key == null && bearer && header.substring(7).trim().startsWith(API_KEY_PREFIX)) {
      key = header.substring(7).trim();
    }
    if (key != null) {
      check(context, apiKeys, key.trim(), "API keys");
    } else if (bearer) {
      check(context, tokens, header.substring(7).trim(), "bearer tokens");
    } else {
      refuse(context, "The request has no 'Authorization: Bearer' token and no API key.");
    }
  }

  private void check(
      RoutingContext context, Optional<TokenCheck> checks, String credential, String kind) {
    if (checks.isEmpty()) {
      refuse(context, "This server takes no " + kind + ".");
      return;
    }
    checks
        .get()
        .check(credential)
        .onSuccess(
            caller -> {
              context.put(CALLER_KEY, caller);
              context.next();
            })
        .onFailure(
            failure -> {
              LOG.debug("token refused: {}", failure.getMessage());
              refuse(context, "The credential was refused: " + failure.getMessage());
            });
  }

  private void refuse(RoutingContext context, String message) {
    refused.increment();
    context.response().putHeader("WWW-Authenticate", "Bearer realm=\"citytwin\"");
    context.fail(AUTHENTICATION_FAILED.toException(message));
  }
}
