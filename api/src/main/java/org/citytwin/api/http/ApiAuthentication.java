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
 * Establishes the {@link Caller} of every API request from its {@code Authorization: Bearer} token,
 * before any route runs; without a token check configured every caller is {@link Caller#OPEN}. A
 * missing, malformed, forged or expired token is answered 401 with Ditto's {@code
 * gateway:authentication.failed}, and counted.
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
          "Send 'Authorization: Bearer <token>' with a token from 'citytwin token' that has not expired.");

  private static final Logger LOG = LoggerFactory.getLogger(ApiAuthentication.class);
  private static final String CALLER_KEY = "citytwin.caller";

  private final Optional<TokenCheck> tokens;
  private final LongAdder refused = new LongAdder();

  public ApiAuthentication(Optional<TokenCheck> tokens) {
    this.tokens = tokens;
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
    return tokens.isPresent();
  }

  /** Requests refused for their token since start. */
  public long refused() {
    return refused.sum();
  }

  @Override
  public void handle(RoutingContext context) {
    if (tokens.isEmpty()) {
      context.put(CALLER_KEY, Caller.OPEN);
      context.next();
      return;
    }
    String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      refuse(context, "The request has no 'Authorization: Bearer' token.");
      return;
    }
    tokens
        .get()
        .check(header.substring(7).trim())
        .onSuccess(
            caller -> {
              context.put(CALLER_KEY, caller);
              context.next();
            })
        .onFailure(
            failure -> {
              LOG.debug("token refused: {}", failure.getMessage());
              refuse(context, "The bearer token was refused: " + failure.getMessage());
            });
  }

  private void refuse(RoutingContext context, String message) {
    refused.increment();
    context.response().putHeader("WWW-Authenticate", "Bearer realm=\"citytwin\"");
    context.fail(AUTHENTICATION_FAILED.toException(message));
  }
}
