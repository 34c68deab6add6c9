// The Eclipse Ditto Java client (2.4.0, the newest on Maven Central) as a peer of citytwin's /ws/2,
// run in a JVM of its own: its Ditto 2.4 model classes cannot share a class path with the 3.8 ones
// citytwin is built on. DittoClientIT starts it with `java -cp <its jars> DittoClientProbe.java`.
//
// Usage: DittoClientProbe <endpoint, ws://host:port> <bearer token, or - for none>
// Then one command per line on standard input; each is answered with one line, OK <json> or
// ERROR <exception> <message>; events heard after `consume` come as EVENT <json> lines.
//   consume                          start consuming twin events (START-SEND-EVENTS)
//   create <thing json>              create a thing
//   merge-attribute <id> <name> <json value>
//   put-attribute <id> <name> <json value>
//   put-property <id> <feature> <property> <json value>
//   delete-attribute <id> <name>
//   retrieve <id>
//   delete <id>
//   search <page size> <RQL filter>   every hit's thing id, in the order found, as a JSON array
//   quit

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.ditto.base.model.json.JsonSchemaVersion;
import org.eclipse.ditto.client.DittoClient;
import org.eclipse.ditto.client.DittoClients;
import org.eclipse.ditto.client.configuration.AccessTokenAuthenticationConfiguration;
import org.eclipse.ditto.client.configuration.BasicAuthenticationConfiguration;
import org.eclipse.ditto.client.configuration.WebSocketMessagingConfiguration;
import org.eclipse.ditto.client.messaging.AuthenticationProviders;
import org.eclipse.ditto.client.messaging.MessagingProviders;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.jwt.model.ImmutableJsonWebToken;
import org.eclipse.ditto.things.model.ThingId;

public final class DittoClientProbe {

  public static void main(String[] args) throws Exception {
    String endpoint = args[0];
    String token = args[1];
    var authentication =
        token.equals("-")
            ? AuthenticationProviders.basic(
                BasicAuthenticationConfiguration.newBuilder()
                    .username("probe")
                    .password("unused")
                    .build())
            : AuthenticationProviders.accessToken(
                AccessTokenAuthenticationConfiguration.newBuilder()
                    .identifier("citytwin")
                    .accessTokenSupplier(() -> ImmutableJsonWebToken.fromToken(token))
                    .build());
    DittoClient client;
    try {
      client =
          DittoClients.newInstance(
                  MessagingProviders.webSocket(
                      WebSocketMessagingConfiguration.newBuilder()
                          .endpoint(endpoint)
                          .jsonSchemaVersion(JsonSchemaVersion.V_2)
                          .reconnectEnabled(false)
                          .timeout(Duration.ofSeconds(10))
                          .build(),
                      authentication))
              .connect()
              .toCompletableFuture()
              .get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      say("ERROR " + rootCause(e));
      System.exit(2);
      return;
    }
    say("OK connected");
    BufferedReader input =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = input.readLine(); line != null; line = input.readLine()) {
      String[] words = line.strip().split(" ", 4);
      try {
        switch (words[0]) {
          case "consume" -> {
            client
                .twin()
                .registerForThingChanges(
                    "probe",
                    change ->
                        say(
                            "EVENT "
                                + JsonFactory.newObjectBuilder()
                                    .set("thingId", change.getEntityId().toString())
                                    .set("action", change.getAction().name())
                                    .set("path", change.getPath().toString())
                                    .set("value", change.getValue().orElse(JsonFactory.nullLiteral()))
                                    .set("revision", change.getRevision())
                                    .build()));
            done(client.twin().startConsumption());
            say("OK consuming");
          }
          case "create" -> {
            JsonObject thing = JsonFactory.newObject(line.substring("create ".length()));
            say("OK " + done(client.twin().create(thing)).toJson());
          }
          case "merge-attribute" -> {
            done(
                client
                    .twin()
                    .forId(ThingId.of(words[1]))
                    .mergeAttribute(words[2], JsonFactory.readFrom(words[3])));
            say("OK merged");
          }
          case "put-attribute" -> {
            done(
                client
                    .twin()
                    .forId(ThingId.of(words[1]))
                    .putAttribute(words[2], JsonFactory.readFrom(words[3])));
            say("OK put");
          }
          case "put-property" -> {
            String[] parts = line.strip().split(" ", 5);
            done(
                client
                    .twin()
                    .forFeature(ThingId.of(parts[1]), parts[2])
                    .putProperty(parts[3], JsonFactory.readFrom(parts[4])));
            say("OK put");
          }
          case "delete-attribute" -> {
            done(client.twin().forId(ThingId.of(words[1])).deleteAttribute(words[2]));
            say("OK deleted");
          }
          case "retrieve" ->
              say("OK " + done(client.twin().forId(ThingId.of(words[1])).retrieve()).toJson());
          case "delete" -> {
            done(client.twin().delete(ThingId.of(words[1])));
            say("OK deleted");
          }
          case "search" -> {
            String filter = line.strip().split(" ", 3)[2];
            var ids = JsonFactory.newArrayBuilder();
            client
                .twin()
                .search()
                .stream(
                    query ->
                        query
                            .filter(filter)
                            .options("size(" + words[1] + "),sort(+thingId)"))
                .forEach(thing -> ids.add(thing.getEntityId().orElseThrow().toString()));
            say("OK " + ids.build());
          }
          case "quit" -> {
            client.destroy();
            say("OK bye");
            System.exit(0);
          }
          default -> say("ERROR IllegalArgumentException unknown command " + words[0]);
        }
      } catch (Exception e) {
        say("ERROR " + rootCause(e));
      }
    }
    client.destroy();
  }

  private static <T> T done(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  private static String rootCause(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + " " + String.valueOf(cause.getMessage()).replace('\n', ' ');
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
