package org.citytwin.api.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.citytwin.twin.ErrorCode;
import org.eclipse.ditto.base.model.common.HttpStatus;

/**
 * Requests per client, as token buckets: each client may send {@link Limit#perSecond()} requests a
 * second on average and up to {@link Limit#burst()} at once, so that one runaway script or
 * misconfigured dashboard cannot starve the flood-warning screen or slow ingest, which shares the
 * event loops. A client is the authenticated caller (a user or a service's key), or, on an API
 * without authentication, the remote address. A request over the limit is answered 429 with Ditto's
 * {@code gateway:too.many.requests} and a {@code Retry-After}, and counted.
 *
 * <p>Runs after {@link ApiAuthentication}, on {@code /api} and on the {@code /ws/2} handshake; a
 * WebSocket's messages are bounded by its own demand, not here. Device ingest has its own
 * back-pressure (HTTP 503 when storage falls behind) and is not limited.
 */
public final class RateLimits implements Handler<RoutingContext> {

  /**
   * How much one client may ask.
   *
   * @param perSecond requests a second, sustained; 0 turns the limit off
   * @param burst requests at once after a quiet spell; at least 1 when limited
   */
  public record Limit(double perSecond, int burst) {

    /** No limit at all. */
    public static final Limit NONE = new Limit(0, 0);

    public Limit {
      if (perSecond < 0 || burst < 0) {
        throw new IllegalArgumentException("a rate limit is not negative");
      }
      if (perSecond > 0 && burst < 1) {
        throw new IllegalArgumentException("a rate limit lets at least one request through");
      }
    }

    boolean limits() {
      return perSecond > 0;
    }
  }

  static final ErrorCode TOO_MANY_REQUESTS =
      new ErrorCode(
          "gateway:too.many.requests",
          HttpStatus.TOO_MANY_REQUESTS,
          "You have sent too many requests at once. Wait for the seconds in 'Retry-After' before"
              + " trying again.");

  /** A bucket idle this long is full again and can be forgotten. */
  private static final long FORGET_AFTER_NANOS = TimeUnit.MINUTES.toNanos(5);

  private final Limit limit;
  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final LongAdder refused = new LongAdder();

  /** One client's allowance: tokens refill at the limit's rate up to its burst. */
  private static final class Bucket {
    private double tokens;
    private long refilledAt;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.refilledAt = now;
    }

    /** Takes a token, or tells how many nanoseconds until one is there. */
    synchronized long take(Limit limit, long now) {
      tokens = Math.min(limit.burst(), tokens + (now - refilledAt) / 1e9 * limit.perSecond());
      refilledAt = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) / limit.perSecond() * 1e9);
    }

    synchronized boolean idleSince(long cutoff) {
      return refilledAt < cutoff;
    }
  }

  /**
   * @param nanoTime the monotonic clock buckets refill by ({@code System::nanoTime} in production)
   */
  public RateLimits(Limit limit, LongSupplier nanoTime) {
    this.limit = Objects.requireNonNull(limit, "limit");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** The limit each client gets. */
  public Limit limit() {
    return limit;
  }

  /** Requests refused for their rate since start. */
  public long refused() {
    return refused.sum();
  }

  /** Clients with a bucket now; idle ones are forgotten by {@link #forgetIdle()}. */
  public int clients() {
    return buckets.size();
  }

  /** Forgets buckets idle long enough to be full: bounds memory to the clients of late. */
  public void forgetIdle() {
    long cutoff = nanoTime.getAsLong() - FORGET_AFTER_NANOS;
    buckets.values().removeIf(bucket -> bucket.idleSince(cutoff));
  }

  @Override
  public void handle(RoutingContext context) {
    if (!limit.limits()) {
      context.next();
      return;
    }
    long now = nanoTime.getAsLong();
    long waitNanos =
        buckets
            .computeIfAbsent(client(context), any -> new Bucket(limit.burst(), now))
            .take(limit, now);
    if (waitNanos == 0) {
      context.next();
      return;
    }
    refused.increment();
    long seconds = Math.max(1, (long) Math.ceil(waitNanos / 1e9));
    context.response().putHeader("Retry-After", Long.toString(seconds));
    context.fail(
        TOO_MANY_REQUESTS.toException(
            "More than "
                + formatted(limit.perSecond())
                + " requests a second (bursts of "
                + limit.burst()
                + ") came from this client."));
  }

  private static String client(RoutingContext context) {
    Caller caller = ApiAuthentication.caller(context);
    if (!caller.equals(Caller.OPEN)) {
      return "caller:" + caller.subject() + "@" + caller.department().orElse("*");
    }
    return "address:" + context.request().remoteAddress().hostAddress();
  }

  private static String formatted(double perSecond) {
    return perSecond == Math.rint(perSecond)
        ? Long.toString((long) perSecond)
        : Double.toString(perSecond);
  }
}
