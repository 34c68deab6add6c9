package org.citytwin.api.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The API's error answers, counted by status and error code, for {@code /metrics}: every answer of
 * 400 or more to a request under {@code /api} or {@code /ws/2}, and every request the server could
 * not even read (too long a URI, too large headers). Device requests are counted by ingest.
 */
public final class ApiRefusals {

  /** An error answer: its status and Ditto error code. */
  public record Refusal(int status, String error) {}

  /** Where the error code of the answer being written is noted for the count. */
  private static final String ERROR_CODE = "citytwin.api.error-code";

  /** For an error answer written without a code (none of the API's own should be). */
  static final String NO_CODE = "none";

  private final ConcurrentHashMap<Refusal, LongAdder> counts = new ConcurrentHashMap<>();

  /**
   * Counts the error answers to requests under the API's paths; mounted before any other route, so
   * that it sees every request that reaches the router.
   */
  public void mount(Router router) {
    for (String path : new String[] {"/api/*", "/ws/2"}) {
      router.route(path).handler(this::countOnAnswer);
    }
  }

  private void countOnAnswer(RoutingContext context) {
    context.addHeadersEndHandler(
        written -> {
          int status = context.response().getStatusCode();
          if (status >= 400) {
            String code = context.get(ERROR_CODE);
            count(status, code == null ? NO_CODE : code);
          }
        });
    context.next();
  }

  /** Notes the error code of the answer about to be written, for the count. */
  static void noteErrorCode(RoutingContext context, String code) {
    context.put(ERROR_CODE, code);
  }

  void count(int status, String error) {
    counts.computeIfAbsent(new Refusal(status, error), refusal -> new LongAdder()).increment();
  }

  /** Error answers so far, by status and code. */
  public Map<Refusal, Long> counts() {
    Map<Refusal, Long> snapshot =
        new java.util.TreeMap<>(
            Comparator.comparingInt(Refusal::status).thenComparing(Refusal::error));
    counts.forEach((refusal, count) -> snapshot.put(refusal, count.sum()));
    return snapshot;
  }

  /** A label value as Prometheus' text format reads it: backslash and quote escaped. */
  private static String labelValue(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** The counts in Prometheus' text format. */
  void appendMetrics(StringBuilder text) {
    text.append(
            "# HELP citytwin_api_error_answers_total API requests answered with an error, by"
                + " status and error code.\n")
        .append("# TYPE citytwin_api_error_answers_total counter\n");
    counts()
        .forEach(
            (refusal, count) ->
                text.append("citytwin_api_error_answers_total{status=\"")
                    .append(refusal.status())
                    .append("\",error=\"")
                    .append(labelValue(refusal.error()))
                    .append("\"} ")
                    .append(count)
                    .append('\n'));
  }
}
