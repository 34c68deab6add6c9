package org.citytwin.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Ditto Protocol on {@code /ws/2} as text, with the JDK's WebSocket client: subscriptions with
 * a namespace and an RQL filter, their acknowledgements, and the errors bad messages get (answered,
 * counted, and the connection kept).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WebSocketProtocolIT {

  @TempDir Path directory;
  private RunningDistrict city;
  private WebSocket socket;
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() {
    if (socket != null) {
      socket.abort();
    }
    if (city != null) {
      city.close();
    }
  }

  private void open() throws Exception {
    socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(
                URI.create("ws://127.0.0.1:" + city.server.port() + "/ws/2"),
                new WebSocket.Listener() {
                  private final StringBuilder message = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(
                      WebSocket webSocket, CharSequence data, boolean last) {
                    message.append(data);
                    if (last) {
                      received.add(message.toString());
                      message.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
  }

  private String next() throws InterruptedException {
    String message = received.poll(10, TimeUnit.SECONDS);
    assertThat(message).as("a message within 10 s").isNotNull();
    return message;
  }

  private String send(String text) throws Exception {
    socket.sendText(text, true).get(5, TimeUnit.SECONDS);
    return next();
  }

  @Test
  void requestsThatArriveTogetherGetSuccessivePagesNeverTheSameOneTwice() throws Exception {
    city = new RunningDistrict(directory, 1, 3);
    open();
    JsonObject created =
        new JsonObject(
            send(
                new JsonObject()
                    .put("topic", "_/_/things/twin/search/subscribe")
                    .put("path", "/")
                    .put(
                        "value",
                        new JsonObject()
                            .put("filter", "eq(definition,\"citytwin:waterlogging-gauge:1.0.0\")")
                            .put("options", "size(1),sort(+thingId)"))
                    .encode()));
    assertThat(created.getString("topic")).isEqualTo("_/_/things/twin/search/created");
    String id = created.getJsonObject("value").getString("subscriptionId");
    String request =
        new JsonObject()
            .put("topic", "_/_/things/twin/search/request")
            .put("path", "/")
            .put("value", new JsonObject().put("subscriptionId", id).put("demand", 1))
            .encode();
    // Three requests of one page each, sent without waiting: the pages must still follow on.
    for (int i = 0; i < 3; i++) {
      socket.sendText(request, true).get(5, TimeUnit.SECONDS);
    }
    java.util.List<String> things = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JsonObject page = new JsonObject(next());
      assertThat(page.getString("topic")).isEqualTo("_/_/things/twin/search/next");
      page.getJsonObject("value")
          .getJsonArray("items")
          .forEach(item -> things.add(((JsonObject) item).getString("thingId")));
    }
    assertThat(things)
        .containsExactly(
            city.gauge(0).thingId().toString(),
            city.gauge(1).thingId().toString(),
            city.gauge(2).thingId().toString());
    assertThat(new JsonObject(send(request)).getString("topic"))
        .isEqualTo("_/_/things/twin/search/complete");
  }

  @Test
  void sendsOnlyTheEventsItsFilterAndNamespacesLetThrough() throws Exception {
    city = new RunningDistrict(directory, 1, 3);
    open();
    String deep = "gt(features/waterlogging/properties/depth,0.3)";
    assertThat(
            send(
                "START-SEND-EVENTS?namespaces=water&filter="
                    + URLEncoder.encode(deep, StandardCharsets.UTF_8)))
        .isEqualTo("START-SEND-EVENTS:ACK");
    city.reportDepth(city.gauge(0), 10);
    city.reportDepth(city.gauge(1), 40);
    JsonObject event = new JsonObject(next());
    assertThat(event.getString("topic"))
        .isEqualTo(
            city.gauge(1).thingId().getNamespace()
                + "/"
                + city.gauge(1).thingId().getName()
                + "/things/twin/events/merged");
    assertThat(event.getValue("value").toString()).contains("0.4");
    assertThat(received.poll(1, TimeUnit.SECONDS)).as("the shallow gauge's event").isNull();

    assertThat(send("STOP-SEND-EVENTS")).isEqualTo("STOP-SEND-EVENTS:ACK");
    city.reportDepth(city.gauge(2), 45);
    assertThat(received.poll(1, TimeUnit.SECONDS)).as("an event after stopping").isNull();
  }

  @Test
  void enrichesEventsWithTheExtraFieldsAskedFor() throws Exception {
    city = new RunningDistrict(directory, 1, 2);
    open();
    JsonObject bad = new JsonObject(send("START-SEND-EVENTS?extraFields=" + encoded("(")));
    assertThat(bad.getInteger("status")).isEqualTo(400);
    assertThat(bad.getJsonObject("value").getString("error"))
        .isEqualTo("json.fieldselector.invalid");

    String gauges = "eq(attributes/kind,\"waterlogging-gauge\")";
    assertThat(
            send(
                "START-SEND-EVENTS?namespaces=water&extraFields="
                    + encoded("attributes/kind,definition")
                    + "&filter="
                    + encoded(gauges)))
        .isEqualTo("START-SEND-EVENTS:ACK");
    city.reportDepth(city.gauge(1), 4);
    JsonObject event = new JsonObject(next());
    assertThat(event.getString("topic")).endsWith("/things/twin/events/merged");
    assertThat(event.getValue("value").toString()).isEqualTo("0.04");
    JsonObject extra = event.getJsonObject("extra");
    assertThat(extra.getString("definition")).isEqualTo("citytwin:waterlogging-gauge:1.0.0");
    assertThat(extra.getJsonObject("attributes").fieldNames()).containsExactly("kind");
    assertThat(extra.getJsonObject("attributes").getString("kind")).isEqualTo("waterlogging-gauge");
  }

  private static String encoded(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Test
  void answersBadMessagesWithDittoErrorsAndKeepsTheConnection() throws Exception {
    city = new RunningDistrict(directory, 1, 1);
    open();
    JsonObject notJson = new JsonObject(send("this is no JSON"));
    assertThat(notJson.getString("topic")).isEqualTo("_/_/things/twin/errors");
    assertThat(notJson.getInteger("status")).isEqualTo(400);
    assertThat(notJson.getJsonObject("value").fieldNames())
        .contains("status", "error", "message", "description");

    JsonObject unknown = new JsonObject(send("START-SEND-WEATHER"));
    assertThat(unknown.getInteger("status")).isEqualTo(400);
    assertThat(unknown.getJsonObject("value").getString("message")).contains("START-SEND-WEATHER");

    JsonObject badFilter = new JsonObject(send("START-SEND-EVENTS?filter=gt(depth"));
    assertThat(badFilter.getInteger("status")).isEqualTo(400);
    JsonObject badEscape = new JsonObject(send("START-SEND-EVENTS?filter=%zz"));
    assertThat(badEscape.getJsonObject("value").getString("error"))
        .isEqualTo("api:message.invalid");

    JsonObject missing =
        new JsonObject(
            send(
                "{\"topic\":\"water/no-such-gauge/things/twin/commands/retrieve\","
                    + "\"headers\":{\"correlation-id\":\"q-1\"},\"path\":\"/\"}"));
    assertThat(missing.getString("topic")).isEqualTo("water/no-such-gauge/things/twin/errors");
    assertThat(missing.getInteger("status")).isEqualTo(404);
    assertThat(missing.getJsonObject("headers").getString("correlation-id")).isEqualTo("q-1");
    assertThat(missing.getJsonObject("value").getString("error"))
        .isEqualTo("things:thing.notfound");

    // Still connected: a good command is answered.
    JsonObject gauge = retrieveFirstGauge("q-2");
    assertThat(gauge.getInteger("status")).isEqualTo(200);
    assertThat(gauge.getJsonObject("value").getString("thingId"))
        .isEqualTo(city.gauge(0).thingId().toString());
    assertThat(city.get("/metrics").body()).contains("citytwin_websocket_refused_messages_total 5");

    // Plain HTTP on the socket's address gets a Ditto-style 400, not a failure.
    var plain = city.get("/ws/2");
    assertThat(plain.status()).isEqualTo(400);
    assertThat(plain.json().getString("error")).isEqualTo("api:message.invalid");
  }

  /**
   * Every twin command on every kind of path with values of every JSON type, and messages that are
   * not quite the Ditto Protocol: each is answered (its correlation id kept), none with a server
   * error, every refusal in Ditto's form, and the connection stays open for the next.
   */
  @Test
  void answersEveryMalformedCommandWithoutAServerErrorAndKeepsTheConnection() throws Exception {
    city = new RunningDistrict(directory, 1, 1);
    open();
    List<String> actions = List.of("create", "modify", "merge", "retrieve", "delete");
    List<String> paths =
        List.of(
            "/",
            "/thingId",
            "/attributes",
            "/attributes/a/b",
            "/features",
            "/features/f",
            "/features/f/properties/p",
            "/features/f/definition",
            "/definition",
            "/policyId",
            "/_revision",
            "//",
            "/features//properties");
    List<Object> values =
        List.of(
            new io.vertx.core.json.JsonArray().add(1).add(2),
            "text",
            7,
            true,
            new JsonObject(),
            new JsonObject().put("thingId", 7).put("attributes", "no"),
            new JsonObject().put("definition", "not a definition").put("policyId", "::"));
    List<String> messages = new ArrayList<>();
    int correlation = 0;
    for (String action : actions) {
      for (String path : paths) {
        for (Object value : values) {
          JsonObject command =
              new JsonObject()
                  .put("topic", "water/sweep-target/things/twin/commands/" + action)
                  .put("headers", new JsonObject().put("correlation-id", "c-" + correlation++))
                  .put("path", path);
          if (!action.equals("retrieve") && !action.equals("delete")) {
            command.put("value", value);
          }
          messages.add(command.encode());
        }
        messages.add(
            new JsonObject()
                .put("topic", "water/sweep-target/things/twin/commands/" + action)
                .put("headers", new JsonObject().put("correlation-id", "c-" + correlation++))
                .put("path", path)
                .putNull("value")
                .encode());
      }
    }
    for (String topic :
        List.of(
            "water/sweep-target",
            "water/sweep-target/things/twin/commands",
            "water/sweep-target/things/live/commands/modify",
            "water/sweep-target/policies/commands/retrieve",
            "water/sweep-target/things/twin/events/modified",
            "::/::/things/twin/commands/retrieve",
            "_/_/things/twin/search/subscribe")) {
      messages.add(
          new JsonObject()
              .put("topic", topic)
              .put("headers", new JsonObject().put("correlation-id", "c-" + correlation++))
              .put("path", "/")
              .encode());
    }
    messages.add(
        "{\"topic\":\"water/sweep-target/things/twin/commands/modify\",\"headers\":\"no\","
            + "\"path\":7,\"value\":{}}");
    messages.add("[".repeat(10_000) + "]".repeat(10_000));
    messages.add("{\"topic\":" + "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000) + "}");

    for (String message : messages) {
      String answer = send(message);
      JsonObject reply;
      try {
        reply = new JsonObject(answer);
      } catch (io.vertx.core.json.DecodeException notJson) {
        throw new AssertionError(message + " answered with no JSON: " + answer, notJson);
      }
      // Answers that are no command response (a search's "created") carry no status.
      int status = reply.getInteger("status", 200);
      assertThat(status).as(preview(message) + " answered " + preview(answer)).isLessThan(500);
      if (status >= 400) {
        assertThat(reply.getJsonObject("value").fieldNames())
            .as(preview(message) + " answered " + preview(answer))
            .contains("status", "error", "message", "description");
      }
    }

    // Still connected and still served: a good command is answered.
    JsonObject gauge = retrieveFirstGauge("last");
    assertThat(gauge.getInteger("status")).isEqualTo(200);
    assertThat(received).isEmpty();
  }

  /** Retrieves the district's first gauge over the socket; answers the response. */
  private JsonObject retrieveFirstGauge(String correlationId) throws Exception {
    return new JsonObject(
        send(
            new JsonObject()
                .put(
                    "topic",
                    city.gauge(0).thingId().getNamespace()
                        + "/"
                        + city.gauge(0).thingId().getName()
                        + "/things/twin/commands/retrieve")
                .put("headers", new JsonObject().put("correlation-id", correlationId))
                .put("path", "/")
                .encode()));
  }

  private static String preview(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "... (" + text.length() + ")";
  }
}
