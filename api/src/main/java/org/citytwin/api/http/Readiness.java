package org.citytwin.api.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Whether this server should be sent traffic, for {@code /ready}: each part the product relies on
 * answers a probe in time and says it is fit (the twin service's journal and history's group commit
 * last succeeded, fusion answers, ingest is not pushing back). {@code /health} only says the
 * process lives; a load balancer takes a server that is not ready out of rotation until it is
 * again.
 */
public final class Readiness {

  /**
   * One part's check: succeeds with a short note on its state, or fails saying why the part is not
   * fit.
   */
  public record Probe(String name, Supplier<Future<String>> check) {
    public Probe {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(check, "check");
    }
  }

  private final List<Probe> probes;
  private final Duration timeout;

  /**
   * @param timeout how long a probe may take; a part slower than this is not ready
   */
  public Readiness(List<Probe> probes, Duration timeout) {
    this.probes = List.copyOf(probes);
    this.timeout = timeout;
  }

  /**
   * A probe that asks a verticle on the event bus: ready when it answers {@code address} in time
   * with {@code {"ready": true, "detail": ...}}.
   */
  public static Probe eventBus(Vertx vertx, String name, String address, Duration timeout) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeout.toMillis());
    return new Probe(
        name,
        () ->
            vertx
                .eventBus()
                .<JsonObject>request(address, new JsonObject(), options)
                .map(
                    reply -> {
                      JsonObject body = reply.body();
                      if (!body.getBoolean("ready", false)) {
                        throw new IllegalStateException(body.getString("detail", "not ready"));
                      }
                      return body.getString("detail", "ready");
                    }));
  }

  /**
   * Every probe's outcome: {@code {"status": "UP" | "DOWN", "checks": {name: {"status",
   * "detail"}}}} ; DOWN when any probe failed or took too long.
   */
  public Future<JsonObject> check() {
    List<Future<JsonObject>> outcomes = new ArrayList<>(probes.size());
    for (Probe probe : probes) {
      outcomes.add(outcome(probe));
    }
    return Future.join(outcomes)
        .transform(
            all -> {
              JsonObject checks = new JsonObject();
              boolean up = true;
              for (int i = 0; i < probes.size(); i++) {
                JsonObject outcome = outcomes.get(i).result();
                checks.put(probes.get(i).name(), outcome);
                up &= "UP".equals(outcome.getString("status"));
              }
              return Future.succeededFuture(
                  new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks));
            });
  }

  private Future<JsonObject> outcome(Probe probe) {
    Future<String> checked;
    try {
      checked = probe.check().get();
    } catch (RuntimeException e) {
      checked = Future.failedFuture(e);
    }
    return checked
        .timeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .transform(
            done ->
                Future.succeededFuture(
                    done.succeeded()
                        ? new JsonObject().put("status", "UP").put("detail", done.result())
                        : new JsonObject()
                            .put("status", "DOWN")
                            .put("detail", String.valueOf(done.cause().getMessage()))));
  }
}
