package org.citytwin.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.ReadScope;
import org.citytwin.twin.SearchPage;
import org.citytwin.twin.ThingQuery;
import org.citytwin.twin.ThingSearch;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.TwinProtocol;
import org.citytwin.twin.search.RqlFilter;
import org.eclipse.ditto.base.model.common.HttpStatus;
import org.eclipse.ditto.base.model.exceptions.DittoJsonException;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.base.model.signals.Signal;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonFieldSelector;
import org.eclipse.ditto.policies.model.Policy;
import org.eclipse.ditto.policies.model.PolicyId;
import org.eclipse.ditto.policies.model.signals.commands.PolicyCommand;
import org.eclipse.ditto.policies.model.signals.commands.modify.CreatePolicy;
import org.eclipse.ditto.policies.model.signals.commands.modify.CreatePolicyResponse;
import org.eclipse.ditto.policies.model.signals.commands.modify.DeletePolicy;
import org.eclipse.ditto.policies.model.signals.commands.modify.DeletePolicyResponse;
import org.eclipse.ditto.policies.model.signals.commands.modify.ModifyPolicy;
import org.eclipse.ditto.policies.model.signals.commands.modify.ModifyPolicyResponse;
import org.eclipse.ditto.policies.model.signals.commands.query.RetrievePolicy;
import org.eclipse.ditto.policies.model.signals.commands.query.RetrievePolicyResponse;
import org.eclipse.ditto.protocol.Adaptable;
import org.eclipse.ditto.protocol.ProtocolFactory;
import org.eclipse.ditto.protocol.TopicPath;
import org.eclipse.ditto.protocol.adapter.DittoProtocolAdapter;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.signals.commands.ThingCommand;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.modify.CreateThing;
import org.eclipse.ditto.things.model.signals.commands.modify.CreateThingResponse;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteThingResponse;
import org.eclipse.ditto.things.model.signals.commands.modify.MergeThing;
import org.eclipse.ditto.things.model.signals.commands.modify.MergeThingResponse;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThing;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThingResponse;
import org.eclipse.ditto.things.model.signals.commands.modify.ThingModifyCommand;
import org.eclipse.ditto.things.model.signals.commands.query.RetrieveThing;
import org.eclipse.ditto.things.model.signals.commands.query.RetrieveThingResponse;
import org.eclipse.ditto.thingsearch.model.signals.commands.ThingSearchCommand;
import org.eclipse.ditto.thingsearch.model.signals.commands.exceptions.SubscriptionNotFoundException;
import org.eclipse.ditto.thingsearch.model.signals.commands.subscription.CancelSubscription;
import org.eclipse.ditto.thingsearch.model.signals.commands.subscription.CreateSubscription;
import org.eclipse.ditto.thingsearch.model.signals.commands.subscription.RequestFromSubscription;
import org.eclipse.ditto.thingsearch.model.signals.events.SubscriptionComplete;
import org.eclipse.ditto.thingsearch.model.signals.events.SubscriptionCreated;
import org.eclipse.ditto.thingsearch.model.signals.events.SubscriptionFailed;
import org.eclipse.ditto.thingsearch.model.signals.events.SubscriptionHasNextPage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ditto's WebSocket at {@code /ws/2}, speaking the Ditto Protocol: {@code START-SEND-EVENTS} (with
 * {@code namespaces} and an RQL {@code filter}) and {@code STOP-SEND-EVENTS}, each acknowledged as
 * Ditto does; twin commands to create, modify, merge, delete and retrieve things, answered with
 * their Ditto Protocol responses (or errors) under the command's {@code correlation-id}; Ditto's
 * search protocol (subscribe, request, cancel); and the twin events the caller may read, as the
 * twin service published them.
 *
 * <p>The connection is authenticated like {@code /api}: each department reads and changes its own
 * namespace, and a thing it may not read is answered as missing. citytwin has no live channel (live
 * commands, live events, messages): subscribing to them is acknowledged and nothing arrives. A
 * subscriber whose socket cannot keep up is closed (status 1013, try again later) rather than
 * buffered without bound.
 */
public final class DittoWebSocket {

  /** Socket status for "try again later": the subscriber fell too far behind. */
  static final short TOO_SLOW = 1013;

  private static final Logger LOG = LoggerFactory.getLogger(DittoWebSocket.class);
  private static final String START_SEND_EVENTS = "START-SEND-EVENTS";
  private static final String STOP_SEND_EVENTS = "STOP-SEND-EVENTS";
  private static final Set<String> LIVE_SUBSCRIPTIONS =
      Set.of("EVENTS", "MESSAGES", "LIVE-COMMANDS", "LIVE-EVENTS", "POLICY-ANNOUNCEMENTS");
  private static final long COMMAND_TIMEOUT_MILLIS = 10_000;

  private final Vertx vertx;
  private final ThingStore store;
  private final ThingSearch search;
  private final ChangeFeed<TwinMessage> feed;
  private final TwinProtocol protocol;
  private final ThingAccess access;
  private final PolicyKeeping policies;
  private final DittoProtocolAdapter adapter = DittoProtocolAdapter.newInstance();
  private final LongAdder droppedTooSlow = new LongAdder();
  private final LongAdder refusedMessages = new LongAdder();

  public DittoWebSocket(
      Vertx vertx,
      ThingStore store,
      ThingSearch search,
      LiveFeeds feeds,
      TwinProtocol protocol,
      ThingAccess access) {
    this.access = access;
    this.vertx = vertx;
    this.store = store;
    this.search = search;
    this.feed = feeds.twins;
    this.protocol = protocol;
    this.policies = new PolicyKeeping(vertx, access, protocol);
  }

  /** Mounts {@code /ws/2}; the caller must already be authenticated on that path. */
  public void mount(Router router) {
    router.get("/ws/2").handler(this::upgrade);
  }

  /** Sockets closed because they could not keep up with the events. */
  public long droppedTooSlow() {
    return droppedTooSlow.sum();
  }

  /** Messages answered with an error: not the Ditto Protocol, or a command that failed. */
  public long refusedMessages() {
    return refusedMessages.sum();
  }

  private void upgrade(RoutingContext context) {
    Caller caller = ApiAuthentication.caller(context);
    if (!"websocket".equalsIgnoreCase(context.request().getHeader("Upgrade"))) {
      throw ApiErrors.MESSAGE_INVALID.toException(
          "/ws/2 is a WebSocket: connect with Upgrade: websocket (for HTTP, use /api/2).");
    }
    context
        .request()
        .toWebSocket()
        .onSuccess(socket -> new Session(socket, caller).start())
        .onFailure(context::fail);
  }

  /** One connection: its caller, its event subscription if it started one, its searches. */
  private final class Session {
    private final ServerWebSocket socket;
    private final Caller caller;
    private Runnable stopEvents = () -> {};
    // The searches open on this connection, by subscription id; touched on its event loop only.
    private final Map<String, OpenSearch> searches = new HashMap<>();
    private long searchesOpened;

    Session(ServerWebSocket socket, Caller caller) {
      this.socket = socket;
      this.caller = caller;
    }

    void start() {
      socket.textMessageHandler(this::onText);
      socket.closeHandler(closed -> stopEvents.run());
      socket.exceptionHandler(failure -> LOG.debug("websocket of {}", caller.subject(), failure));
    }

    private void onText(String text) {
      String trimmed = text.strip();
      if (trimmed.startsWith("START-SEND-") || trimmed.startsWith("STOP-SEND-")) {
        onSubscription(trimmed);
      } else {
        onProtocolMessage(trimmed);
      }
    }

    /** {@code START-SEND-EVENTS?namespaces=a,b&filter=...}, {@code STOP-SEND-EVENTS}, ... */
    private void onSubscription(String text) {
      int query = text.indexOf('?');
      String command = query < 0 ? text : text.substring(0, query);
      boolean start = command.startsWith("START-SEND-");
      String what = command.substring(start ? "START-SEND-".length() : "STOP-SEND-".length());
      if (!LIVE_SUBSCRIPTIONS.contains(what)) {
        refuse(
            Optional.empty(),
            DittoHeaders.empty(),
            ApiErrors.MESSAGE_INVALID.toException(
                "Unknown subscription '"
                    + command
                    + "': START-SEND- or STOP-SEND- takes EVENTS, MESSAGES, LIVE-COMMANDS,"
                    + " LIVE-EVENTS or POLICY-ANNOUNCEMENTS."));
        return;
      }
      if (command.equals(START_SEND_EVENTS)) {
        EventChoice wanted;
        try {
          wanted = subscriptionFilter(query < 0 ? "" : text.substring(query + 1));
        } catch (DittoRuntimeException invalid) {
          refuse(Optional.empty(), DittoHeaders.empty(), invalid);
          return;
        } catch (IllegalArgumentException badEscape) {
          refuse(
              Optional.empty(),
              DittoHeaders.empty(),
              ApiErrors.MESSAGE_INVALID.toException(
                  "The subscription's parameters are not URL-encoded: " + badEscape.getMessage()));
          return;
        }
        stopEvents.run();
        stopEvents = feed.listen(change -> deliver(change.item(), wanted));
      } else if (command.equals(STOP_SEND_EVENTS)) {
        stopEvents.run();
        stopEvents = () -> {};
      }
      socket.writeTextMessage(command + ":ACK");
    }

    private EventChoice subscriptionFilter(String query) {
      Set<String> namespaces = Set.of();
      Optional<RqlFilter> filter = Optional.empty();
      Optional<JsonFieldSelector> extraFields = Optional.empty();
      for (String pair : query.split("&")) {
        int equals = pair.indexOf('=');
        if (equals < 0) {
          continue;
        }
        String name = pair.substring(0, equals);
        String value = URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
        if (name.equals("namespaces")) {
          namespaces =
              Arrays.stream(value.split(","))
                  .map(String::strip)
                  .filter(namespace -> !namespace.isEmpty())
                  .collect(Collectors.toCollection(LinkedHashSet::new));
        } else if (name.equals("filter") && !value.isBlank()) {
          filter = Optional.of(RqlFilter.parse(value));
        } else if (name.equals("extraFields") && !value.isBlank()) {
          extraFields =
              Optional.of(
                  DittoJsonException.wrapJsonRuntimeException(
                      () ->
                          JsonFactory.newFieldSelector(
                              value,
                              JsonFactory.newParseOptionsBuilder().withoutUrlDecoding().build())));
        }
      }
      return new EventChoice(namespaces, filter, extraFields);
    }

    private void deliver(TwinMessage message, EventChoice wanted) {
      // Read per message: a grant approved, revoked or expired counts from the next one.
      ReadScope scope = access.scope(caller);
      for (TwinMessage.Event event : message.withTexts()) {
        Set<String> namespaces = wanted.namespaces();
        if (!namespaces.isEmpty() && !namespaces.contains(event.event().thingId().getNamespace())) {
          continue;
        }
        String text = event.text();
        if (scope.owns(event.event().thingId().getNamespace()) && wanted.extraFields().isEmpty()) {
          // Its own things: the filter reads the event, nothing is cut.
          if (!wanted
              .filter()
              .map(f -> f.test(ThingsRoutes.filterable(event.event())))
              .orElse(true)) {
            continue;
          }
        } else {
          Optional<ThingAccess.EventView> view = access.eventView(scope, event.event());
          if (view.isEmpty()) {
            continue;
          }
          // Asked for, the extra fields replace the event's own even when none may be read.
          Optional<org.eclipse.ditto.json.JsonObject> extra =
              wanted
                  .extraFields()
                  .map(fields -> access.extraFields(scope, event.event().thingId(), fields));
          org.eclipse.ditto.json.JsonObject filterable =
              extra
                  .map(e -> JsonFactory.mergeJsonValues(view.get().filterable(), e).asObject())
                  .orElse(view.get().filterable());
          if (!wanted.filter().map(f -> f.test(filterable)).orElse(true)) {
            continue;
          }
          access.used(view.get(), caller, ThingAccess.Use.WEBSOCKET);
          text =
              withExtra(
                  scope.owns(event.event().thingId().getNamespace())
                      ? event.text()
                      : lentEvent(event.text(), view.get()),
                  extra);
        }
        if (socket.isClosed()) {
          return;
        }
        if (socket.writeQueueFull()) {
          droppedTooSlow.increment();
          stopEvents.run();
          stopEvents = () -> {};
          socket.close(TOO_SLOW, "subscriber too slow; reconnect and read current state");
          return;
        }
        socket.writeTextMessage(text);
      }
    }

    private void onProtocolMessage(String text) {
      DittoHeaders headers = DittoHeaders.empty();
      Optional<ThingId> thingId = Optional.empty();
      // A policy command's errors go to its policy's errors topic, even one Ditto refuses to read.
      Optional<String> policyErrors = Optional.empty();
      try {
        Adaptable adaptable =
            ProtocolFactory.jsonifiableAdaptableFromJson(JsonFactory.newObject(text));
        headers = adaptable.getDittoHeaders();
        TopicPath topic = adaptable.getTopicPath();
        if (topic.isGroup(TopicPath.Group.POLICIES)) {
          policyErrors =
              Optional.of(topic.getNamespace() + "/" + topic.getEntityName() + "/policies/errors");
        }
        Signal<?> signal = adapter.fromAdaptable(adaptable);
        if (signal instanceof ThingSearchCommand<?> searchCommand) {
          onSearchCommand(searchCommand);
          return;
        }
        if (signal instanceof PolicyCommand<?> policyCommand) {
          onPolicyCommand(policyCommand);
          return;
        }
        if (!(signal instanceof ThingCommand<?> command)) {
          throw ApiErrors.MESSAGE_INVALID.toException(
              "citytwin's WebSocket takes twin commands on things, not " + signal.getType() + ".");
        }
        thingId = Optional.of(command.getEntityId());
        if (command instanceof ThingModifyCommand<?> change) {
          access.requireWritable(caller, change);
        } else {
          access.requireReadable(caller, command.getEntityId());
        }
        if (command instanceof RetrieveThing retrieve) {
          answer(retrieve(retrieve), retrieve.getDittoHeaders());
        } else if (command instanceof ThingModifyCommand<?> change) {
          modify(change);
        } else {
          throw ApiErrors.MESSAGE_INVALID.toException(
              "citytwin's WebSocket takes create, modify, merge and delete of a thing or a part of"
                  + " it, and retrieve of a thing, not "
                  + command.getType()
                  + ".");
        }
      } catch (DittoRuntimeException error) {
        refuse(policyErrors.orElse(thingErrorsTopic(thingId)), headers, error);
      } catch (RuntimeException notProtocol) {
        refuse(
            policyErrors.orElse(thingErrorsTopic(thingId)),
            headers,
            ApiErrors.MESSAGE_INVALID.toException(
                "Not a Ditto Protocol message: " + notProtocol.getMessage()));
      }
    }

    /**
     * Ditto's policy commands on a whole policy, with the REST routes' rules ({@link
     * PolicyKeeping}): {@code retrieve}; {@code create} (409 if it exists); {@code modify},
     * creating or replacing (201 with the policy, or 204); {@code delete}. Errors go out on the
     * policy's {@code policies/errors} topic.
     */
    private void onPolicyCommand(PolicyCommand<?> command) {
      PolicyId policyId = command.getEntityId();
      DittoHeaders headers = command.getDittoHeaders();
      try {
        if (command instanceof RetrievePolicy) {
          answer(
              RetrievePolicyResponse.of(policyId, policies.retrieve(caller, policyId), headers),
              headers);
        } else if (command instanceof CreatePolicy create) {
          Policy policy = keepable(policyId, create.getPolicy());
          policies
              .create(caller, policy)
              .onSuccess(
                  created -> answer(CreatePolicyResponse.of(policyId, policy, headers), headers))
              .onFailure(failure -> refuse(policyErrorsTopic(policyId), headers, failure));
        } else if (command instanceof ModifyPolicy modify) {
          Policy policy = keepable(policyId, modify.getPolicy());
          policies
              .keep(caller, policy)
              .onSuccess(
                  created ->
                      answer(
                          created
                              ? ModifyPolicyResponse.created(policyId, policy, headers)
                              : ModifyPolicyResponse.modified(policyId, headers),
                          headers))
              .onFailure(failure -> refuse(policyErrorsTopic(policyId), headers, failure));
        } else if (command instanceof DeletePolicy) {
          policies
              .delete(caller, policyId)
              .onSuccess(deleted -> answer(DeletePolicyResponse.of(policyId, headers), headers))
              .onFailure(failure -> refuse(policyErrorsTopic(policyId), headers, failure));
        } else {
          throw ApiErrors.MESSAGE_INVALID.toException(
              "citytwin's WebSocket takes retrieve, create, modify and delete of a whole policy,"
                  + " not "
                  + command.getType()
                  + ": change an entry by modifying the policy.");
        }
      } catch (DittoRuntimeException error) {
        refuse(policyErrorsTopic(policyId), headers, error);
      } catch (RuntimeException unexpected) {
        LOG.error(
            "unexpected failure on a WebSocket {} of {}", command.getType(), policyId, unexpected);
        refusedMessages.increment();
        write(
            errorMessage(
                policyErrorsTopic(policyId),
                headers,
                500,
                JsonFactory.newObject(ApiErrors.INTERNAL_ERROR_BODY)),
            headers);
      }
    }

    /**
     * Answers a failed command with a Ditto Protocol error on {@code topic}: a Ditto error as it
     * is, the twin service's refusal (an HTTP status with its Ditto error's JSON) as it is,
     * anything else (no answer in time) as 503.
     */
    /**
     * The payload of a create or modify as the policy to keep, once the caller is known to be one
     * who may keep it (so that a caller who may not learns nothing from the payload's errors).
     */
    private Policy keepable(PolicyId policyId, Policy payload) {
      policies.requireKeepable(caller, policyId);
      return PolicyKeeping.policyFrom(payload.toJson(), policyId);
    }

    private void refuse(String topic, DittoHeaders headers, Throwable failure) {
      refusedMessages.increment();
      if (failure instanceof io.vertx.core.eventbus.ReplyException reply
          && reply.failureCode() >= 400
          && reply.failureCode() < 600) {
        write(
            errorMessage(
                topic, headers, reply.failureCode(), JsonFactory.newObject(reply.getMessage())),
            headers);
        return;
      }
      DittoRuntimeException error =
          failure instanceof DittoRuntimeException refusal
              ? refusal
              : ApiErrors.UPSTREAM_UNAVAILABLE.toException("The twin service did not answer.");
      write(errorMessage(topic, headers, error.getHttpStatus().getCode(), error.toJson()), headers);
    }

    /**
     * Ditto's search protocol: {@code subscribe} opens a search and is answered {@code created};
     * each {@code request} for n pages is answered with up to n {@code next} pages, then {@code
     * complete} once the last was sent; {@code cancel} closes it. Pages are searched off the event
     * loop, one request at a time per search, in order.
     */
    private void onSearchCommand(ThingSearchCommand<?> command) {
      DittoHeaders headers = command.getDittoHeaders();
      if (command instanceof CreateSubscription create) {
        ThingQuery query =
            ThingQuery.parse(
                create.getFilter().orElse(null),
                create.getNamespaces().map(namespaces -> String.join(",", namespaces)).orElse(null),
                create.getOptions().orElse(null),
                Optional.empty());
        String id = create.getPrefix().orElse("") + Long.toString(++searchesOpened);
        searches.put(
            id,
            new OpenSearch(
                Optional.of(query.within(access.scope(caller))),
                create.getSelectedFields(),
                headers));
        sendSearchEvent(SubscriptionCreated.of(id, headers));
      } else if (command instanceof RequestFromSubscription request) {
        OpenSearch open = searches.get(request.getSubscriptionId());
        if (open == null) {
          refusedMessages.increment();
          sendSearchEvent(
              SubscriptionFailed.of(
                  request.getSubscriptionId(),
                  SubscriptionNotFoundException.of(request.getSubscriptionId(), headers),
                  headers));
          return;
        }
        // Demand adds up; a request that arrives while a page is being searched waits for it, so
        // that no page is searched twice from the same cursor.
        long more = Math.max(0, request.getDemand());
        open.demand = open.demand > Long.MAX_VALUE - more ? Long.MAX_VALUE : open.demand + more;
        if (!open.searching) {
          sendPages(request.getSubscriptionId(), open);
        }
      } else if (command instanceof CancelSubscription cancel) {
        searches.remove(cancel.getSubscriptionId());
      } else {
        throw ApiErrors.MESSAGE_INVALID.toException(
            "citytwin's WebSocket takes search subscribe, request and cancel, not "
                + command.getType()
                + ".");
      }
    }

    private void sendPages(String id, OpenSearch open) {
      if (open.demand <= 0 || socket.isClosed() || searches.get(id) != open) {
        open.searching = false;
        return;
      }
      open.searching = true;
      open.demand--;
      Optional<ThingQuery> query = open.next;
      vertx
          .executeBlocking(
              () -> query.map(search::search).orElse(new SearchPage(List.of(), Optional.empty())),
              false)
          .onSuccess(
              page -> {
                if (searches.get(id) != open) {
                  return; // cancelled meanwhile
                }
                if (!page.items().isEmpty()) {
                  sendSearchEvent(
                      SubscriptionHasNextPage.of(
                          id,
                          SearchRoutes.items(
                              access,
                              caller,
                              query.orElseThrow().scope(),
                              page.items(),
                              open.fields),
                          open.headers));
                }
                if (page.cursor().isEmpty()) {
                  searches.remove(id);
                  sendSearchEvent(SubscriptionComplete.of(id, open.headers));
                  return;
                }
                open.next = Optional.of(query.orElseThrow().from(page.cursor()));
                sendPages(id, open);
              })
          .onFailure(
              failure -> {
                searches.remove(id);
                refusedMessages.increment();
                DittoRuntimeException error =
                    failure instanceof DittoRuntimeException dittoError
                        ? dittoError
                        : ApiErrors.UPSTREAM_UNAVAILABLE.toException("The search failed.");
                sendSearchEvent(SubscriptionFailed.of(id, error, open.headers));
              });
    }

    private void sendSearchEvent(Signal<?> event) {
      if (!socket.isClosed()) {
        socket.writeTextMessage(
            ProtocolFactory.wrapAsJsonifiableAdaptable(adapter.toAdaptable(event)).toJsonString());
      }
    }

    private RetrieveThingResponse retrieve(RetrieveThing retrieve) {
      ThingId thingId = retrieve.getEntityId();
      Thing thing =
          store
              .retrieve(thingId)
              .orElseThrow(
                  () ->
                      ThingNotAccessibleException.newBuilder(thingId)
                          .dittoHeaders(retrieve.getDittoHeaders())
                          .build());
      Optional<JsonFieldSelector> fields = retrieve.getSelectedFields();
      org.eclipse.ditto.json.JsonObject json =
          access
              .view(caller, access.scope(caller), thing, fields, ThingAccess.Use.WEBSOCKET)
              .orElseThrow(
                  () ->
                      ThingNotAccessibleException.newBuilder(thingId)
                          .dittoHeaders(retrieve.getDittoHeaders())
                          .build());
      return RetrieveThingResponse.of(thingId, json, retrieve.getDittoHeaders());
    }

    private void modify(ThingModifyCommand<?> command) {
      vertx
          .eventBus()
          .<JsonObject>request(
              EventBusAddresses.TWIN_COMMANDS,
              protocol.command(command).toString(),
              new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(COMMAND_TIMEOUT_MILLIS))
          .onSuccess(
              reply -> {
                if (TwinProtocol.writesWholeThing(command)) {
                  answer(response(command, reply.body()), command.getDittoHeaders());
                } else {
                  write(partResponse(command, reply.body()), command.getDittoHeaders());
                }
              })
          .onFailure(
              failure ->
                  refuse(
                      thingErrorsTopic(Optional.of(command.getEntityId())),
                      command.getDittoHeaders(),
                      failure));
    }

    /**
     * The Ditto response to a write of a part: the command's topic, path and headers, with 201 and
     * the value written when the part was created, else 204 (as Ditto's part responses are).
     */
    private String partResponse(ThingModifyCommand<?> command, JsonObject reply) {
      Adaptable asked = adapter.toAdaptable(command);
      boolean created = reply.getInteger("status") == 201;
      org.eclipse.ditto.protocol.PayloadBuilder payload =
          ProtocolFactory.newPayloadBuilder(asked.getPayload().getPath())
              .withStatus(created ? HttpStatus.CREATED : HttpStatus.NO_CONTENT);
      if (created) {
        asked.getPayload().getValue().ifPresent(payload::withValue);
      }
      return ProtocolFactory.wrapAsJsonifiableAdaptable(
              ProtocolFactory.newAdaptableBuilder(asked).withPayload(payload.build()).build())
          .toJsonString();
    }

    /** The Ditto response to a change the twin service made: {@code {status, revision, thing?}}. */
    private Signal<?> response(ThingModifyCommand<?> command, JsonObject reply) {
      DittoHeaders headers = command.getDittoHeaders();
      boolean created = reply.getInteger("status") == 201;
      Optional<Thing> thing =
          Optional.ofNullable(reply.getJsonObject("thing"))
              .map(
                  json ->
                      org.eclipse.ditto.things.model.ThingsModelFactory.newThing(json.encode()));
      if (command instanceof CreateThing) {
        return CreateThingResponse.of(thing.orElseThrow(), headers);
      }
      if (command instanceof ModifyThing) {
        return created
            ? ModifyThingResponse.created(thing.orElseThrow(), headers)
            : ModifyThingResponse.modified(command.getEntityId(), headers);
      }
      if (command instanceof MergeThing merge) {
        return MergeThingResponse.of(merge.getEntityId(), merge.getPath(), headers);
      }
      return DeleteThingResponse.of(command.getEntityId(), headers);
    }

    /** Answers a command, unless it asked for no response (a response never asks for one). */
    private void answer(Signal<?> response, DittoHeaders commandHeaders) {
      write(
          ProtocolFactory.wrapAsJsonifiableAdaptable(adapter.toAdaptable(response)).toJsonString(),
          commandHeaders);
    }

    private void refuse(
        Optional<ThingId> thingId, DittoHeaders headers, DittoRuntimeException error) {
      refuse(thingErrorsTopic(thingId), headers, error);
    }

    /** Sends an answer unless the command said it wants none ({@code response-required: false}). */
    private void write(String message, DittoHeaders headers) {
      if (headers.isResponseRequired() && !socket.isClosed()) {
        socket.writeTextMessage(message);
      }
    }
  }

  /**
   * What a subscriber asked for with {@code START-SEND-EVENTS}: namespaces, filter, extra fields.
   */
  private record EventChoice(
      Set<String> namespaces,
      Optional<RqlFilter> filter,
      Optional<JsonFieldSelector> extraFields) {}

  /**
   * An event whose {@code extra} is what its subscriber asked for with {@code extraFields}, as
   * Ditto enriches events (in place of the definition and attributes every event carries without
   * them); unchanged when none were asked for.
   */
  static String withExtra(String protocolText, Optional<org.eclipse.ditto.json.JsonObject> extra) {
    if (extra.isEmpty()) {
      return protocolText;
    }
    org.eclipse.ditto.json.JsonObject event = JsonFactory.newObject(protocolText);
    return (extra.get().isEmpty() ? event.remove("extra") : event.setValue("extra", extra.get()))
        .toString();
  }

  /**
   * A lent thing's event as the borrower gets it: the lent parts of the change, as a merge of them
   * at the thing's root (Ditto's {@code merged} event at {@code /}), with only the lent parts of
   * the definition and attributes in {@code extra}; a creation or deletion keeps its action.
   */
  static String lentEvent(String protocolText, ThingAccess.EventView view) {
    org.eclipse.ditto.json.JsonObject event = JsonFactory.newObject(protocolText);
    String topic = event.getValue("topic").map(v -> v.asString()).orElse("");
    String action = topic.substring(topic.lastIndexOf('/') + 1);
    if (!action.equals("created") && !action.equals("deleted")) {
      topic = topic.substring(0, topic.lastIndexOf('/') + 1) + "merged";
    }
    var extra = JsonFactory.newObjectBuilder();
    view.filterable().getValue("definition").ifPresent(d -> extra.set("definition", d));
    view.filterable().getValue("attributes").ifPresent(a -> extra.set("attributes", a));
    return event.toBuilder()
        .set("topic", topic)
        .set("path", "/")
        .set("value", view.changed().remove("thingId"))
        .set("extra", extra.build())
        .build()
        .toString();
  }

  /**
   * A search open on a connection: the query for its next page (none: the caller may read nothing).
   */
  private static final class OpenSearch {
    private Optional<ThingQuery> next;

    /** Pages requested and not yet sent. */
    private long demand;

    /** Whether a page is being searched now. */
    private boolean searching;

    private final Optional<JsonFieldSelector> fields;
    private final DittoHeaders headers;

    OpenSearch(
        Optional<ThingQuery> first, Optional<JsonFieldSelector> fields, DittoHeaders headers) {
      this.next = first;
      this.fields = fields;
      this.headers = headers;
    }
  }

  /** {@code ns/name/things/twin/errors}, or {@code _/_/...} when no thing is known. */
  private static String thingErrorsTopic(Optional<ThingId> thingId) {
    return thingId.map(id -> id.getNamespace() + "/" + id.getName()).orElse("_/_")
        + "/things/twin/errors";
  }

  private static String policyErrorsTopic(PolicyId policyId) {
    return policyId.getNamespace() + "/" + policyId.getName() + "/policies/errors";
  }

  /**
   * A Ditto Protocol error on {@code topic}: the error's JSON as value, its status, and the
   * correlation id of what it answers.
   */
  private static String errorMessage(
      String topic, DittoHeaders headers, int status, org.eclipse.ditto.json.JsonObject error) {
    var answerHeaders = JsonFactory.newObjectBuilder().set("content-type", "application/json");
    headers
        .getCorrelationId()
        .ifPresent(correlationId -> answerHeaders.set("correlation-id", correlationId));
    return JsonFactory.newObjectBuilder()
        .set("topic", topic)
        .set("headers", answerHeaders.build())
        .set("path", "/")
        .set("value", ApiErrors.complete(error))
        .set("status", status)
        .build()
        .toString();
  }
}
