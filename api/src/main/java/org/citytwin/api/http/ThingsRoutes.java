package org.citytwin.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.citytwin.twin.Preconditions;
import org.citytwin.twin.ReadScope;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.TwinEvent;
import org.citytwin.twin.search.RqlFilter;
import org.eclipse.ditto.json.JsonArray;
import org.eclipse.ditto.json.JsonCollectors;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonFieldSelector;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingRevision;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingNotAccessibleException;

/**
 * Ditto's things resource, {@code /api/2/things}: one thing by id, several by {@code ids}, and
 * Ditto's server-sent change notifications when asked with {@code Accept: text/event-stream}.
 */
public final class ThingsRoutes {

  private final Vertx vertx;
  private final ThingStore store;
  private final ThingAccess access;
  private final ChangeFeed<TwinMessage> feed;

  public ThingsRoutes(Vertx vertx, ThingStore store, ThingAccess access, LiveFeeds feeds) {
    this.vertx = vertx;
    this.store = store;
    this.access = access;
    this.feed = feeds.twins;
  }

  /**
   * Mounts the routes, behind a gate that answers any request for a thing the caller may not read
   * exactly as for a thing that does not exist (as Ditto does), for reads and writes alike, and a
   * write to a thing it may only read with Ditto's {@code things:thing.notmodifiable}.
   */
  public void mount(Router router) {
    router.routeWithRegex("/api/2/things/([^/]+)(/.*)?").handler(access::gate);
    router.get("/api/2/things").handler(this::onThings);
    router.get("/api/2/things/:thingId").handler(this::onThing);
    router
        .getWithRegex("/api/2/things/([^/]+)/(attributes|features|definition|policyId)(/.*)?")
        .handler(this::onThingPart);
  }

  /**
   * One part of a thing, as Ditto answers it: {@code /attributes[/path]}, {@code
   * /features[/id[/properties[/path]]]}, {@code /definition}, {@code /policyId}; the part's JSON,
   * or Ditto's not-accessible error for the part that is missing. The answer carries the part's
   * ETag (a hash of its JSON), which {@code If-None-Match} and {@code If-Match} on the part are
   * compared with, on reads here and on writes of the part.
   */
  private void onThingPart(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("param0"));
    String part = context.pathParam("param1");
    String rest = context.pathParam("param2");
    JsonPointer below =
        rest == null || rest.equals("/") ? JsonPointer.empty() : JsonPointer.of(rest);
    Thing thing = readable(context, thingId);
    org.eclipse.ditto.json.JsonValue value =
        switch (part) {
          case "attributes" -> attributePart(thing, thingId, below);
          case "features" -> featurePart(thing, thingId, below);
          case "definition" ->
              whole(below, thingId, thing.getDefinition())
                  .map(definition -> org.eclipse.ditto.json.JsonValue.of(definition.toString()))
                  .orElseThrow(
                      () ->
                          org.eclipse.ditto.things.model.signals.commands.exceptions
                              .ThingDefinitionNotAccessibleException.newBuilder(thingId)
                              .build());
          default ->
              whole(below, thingId, thing.getPolicyId())
                  .map(policyId -> org.eclipse.ditto.json.JsonValue.of(policyId.toString()))
                  .orElseThrow(
                      () ->
                          org.eclipse.ditto.things.model.signals.commands.exceptions
                              .PolicyIdNotAccessibleException.newBuilder(thingId)
                              .build());
        };
    Optional<org.eclipse.ditto.base.model.headers.entitytag.EntityTag> tag =
        Preconditions.entityTag(value);
    tag.ifPresent(etag -> context.response().putHeader(HttpHeaders.ETAG, etag.toString()));
    // A 304 or 412 keeps the ETag set above, so the client learns the part's current one.
    Preconditions.checkRead(ThingWriteRoutes.conditions(context), tag);
    context
        .response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(value.toString());
  }

  /** {@code part} itself: definition and policyId have no parts below them. */
  private static <T> Optional<T> whole(JsonPointer below, ThingId thingId, Optional<T> part) {
    if (!below.isEmpty()) {
      throw ThingNotAccessibleException.newBuilder(thingId)
          .message("The thing '" + thingId + "' has nothing at " + below + " there.")
          .build();
    }
    return part;
  }

  private static org.eclipse.ditto.json.JsonValue attributePart(
      Thing thing, ThingId thingId, JsonPointer below) {
    org.eclipse.ditto.json.JsonObject attributes =
        thing
            .getAttributes()
            .map(a -> (org.eclipse.ditto.json.JsonObject) a)
            .orElseThrow(
                () ->
                    org.eclipse.ditto.things.model.signals.commands.exceptions
                        .AttributesNotAccessibleException.newBuilder(thingId)
                        .build());
    if (below.isEmpty()) {
      return attributes;
    }
    return attributes
        .getValue(below)
        .orElseThrow(
            () ->
                org.eclipse.ditto.things.model.signals.commands.exceptions
                    .AttributeNotAccessibleException.newBuilder(thingId, below)
                    .build());
  }

  private static org.eclipse.ditto.json.JsonValue featurePart(
      Thing thing, ThingId thingId, JsonPointer below) {
    org.eclipse.ditto.json.JsonObject features =
        thing
            .getFeatures()
            .map(f -> f.toJson())
            .orElseThrow(
                () ->
                    org.eclipse.ditto.things.model.signals.commands.exceptions
                        .FeaturesNotAccessibleException.newBuilder(thingId)
                        .build());
    if (below.isEmpty()) {
      return features;
    }
    String featureId = below.getRoot().orElseThrow().toString();
    org.eclipse.ditto.json.JsonValue feature =
        features
            .getValue(featureId)
            .orElseThrow(
                () ->
                    org.eclipse.ditto.things.model.signals.commands.exceptions
                        .FeatureNotAccessibleException.newBuilder(thingId, featureId)
                        .build());
    JsonPointer inFeature = below.nextLevel();
    if (inFeature.isEmpty()) {
      return feature;
    }
    if (!inFeature.getRoot().orElseThrow().toString().equals("properties")) {
      // definition and desiredProperties are read whole, as part of the feature
      return feature
          .asObject()
          .getValue(inFeature)
          .orElseThrow(
              () ->
                  org.eclipse.ditto.things.model.signals.commands.exceptions
                      .FeatureNotAccessibleException.newBuilder(thingId, featureId)
                      .build());
    }
    JsonPointer property = inFeature.nextLevel();
    org.eclipse.ditto.json.JsonValue properties =
        feature
            .asObject()
            .getValue("properties")
            .orElseThrow(
                () ->
                    org.eclipse.ditto.things.model.signals.commands.exceptions
                        .FeaturePropertiesNotAccessibleException.newBuilder(thingId, featureId)
                        .build());
    if (property.isEmpty()) {
      return properties;
    }
    return properties
        .asObject()
        .getValue(property)
        .orElseThrow(
            () ->
                org.eclipse.ditto.things.model.signals.commands.exceptions
                    .FeaturePropertyNotAccessibleException.newBuilder(thingId, featureId, property)
                    .build());
  }

  /**
   * The thing as far as the caller may read it: whole, or as the lent parts of it (a lent thing's
   * part that is not lent is then missing, as if the thing had none).
   */
  private Thing readable(RoutingContext context, ThingId thingId) {
    Thing thing =
        store
            .retrieve(thingId)
            .orElseThrow(() -> ThingNotAccessibleException.newBuilder(thingId).build());
    Caller caller = ApiAuthentication.caller(context);
    if (caller.owns(thingId.getNamespace())) {
      return thing;
    }
    org.eclipse.ditto.json.JsonObject view =
        access
            .view(caller, access.scope(caller), thing, Optional.empty(), ThingAccess.Use.READ)
            .orElseThrow(() -> ThingNotAccessibleException.newBuilder(thingId).build());
    return org.eclipse.ditto.things.model.ThingsModelFactory.newThing(view);
  }

  private void onThing(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("thingId"));
    Thing thing =
        store
            .retrieve(thingId)
            .orElseThrow(() -> ThingNotAccessibleException.newBuilder(thingId).build());
    Caller caller = ApiAuthentication.caller(context);
    org.eclipse.ditto.json.JsonObject json =
        access
            .view(caller, access.scope(caller), thing, fieldSelector(context), ThingAccess.Use.READ)
            .orElseThrow(() -> ThingNotAccessibleException.newBuilder(thingId).build());
    HttpServerResponse response = context.response();
    thing
        .getRevision()
        .map(ThingRevision::toLong)
        .ifPresent(revision -> response.putHeader(HttpHeaders.ETAG, "\"rev:" + revision + "\""));
    // A 304 or 412 keeps the ETag set above, so the client learns the current revision.
    Preconditions.checkRead(ThingWriteRoutes.conditions(context), thing);
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    response.end(json.toString());
  }

  private void onThings(RoutingContext context) {
    String accept = context.request().getHeader(HttpHeaders.ACCEPT);
    if (accept != null && accept.contains("text/event-stream")) {
      subscribe(context);
      return;
    }
    String ids = context.request().getParam("ids");
    if (ids == null || ids.isBlank()) {
      throw ApiErrors.IDS_MISSING.toException("GET /api/2/things needs the ids parameter.");
    }
    Optional<JsonFieldSelector> fields = fieldSelector(context);
    Caller caller = ApiAuthentication.caller(context);
    ReadScope scope = access.scope(caller);
    JsonArray things =
        Arrays.stream(ids.split(","))
            .map(String::trim)
            .map(ThingId::of)
            .map(store::retrieve)
            .flatMap(Optional::stream)
            .map(thing -> access.view(caller, scope, thing, fields, ThingAccess.Use.READ))
            .flatMap(Optional::stream)
            .map(json -> (org.eclipse.ditto.json.JsonValue) json)
            .collect(JsonCollectors.valuesToArray());
    context
        .response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(things.toString());
  }

  /**
   * Streams change notifications: for each change, the changed part of the thing, as Ditto does,
   * filtered by the caller's namespaces, {@code ids}, {@code namespaces} and an RQL {@code filter}
   * tested against the changed part together with the thing's definition and attributes. Every
   * message carries an event id; a subscriber that resumes with {@code Last-Event-ID} first gets
   * what it missed, or a {@code resync} event when that is no longer held.
   */
  private void subscribe(RoutingContext context) {
    Caller caller = ApiAuthentication.caller(context);
    Set<ThingId> ids =
        csv(context.request().getParam("ids")).stream()
            .map(ThingId::of)
            .collect(Collectors.toSet());
    Set<String> namespaces = csv(context.request().getParam("namespaces"));
    String filterText = context.request().getParam("filter");
    Optional<RqlFilter> filter =
        filterText == null || filterText.isBlank()
            ? Optional.empty()
            : Optional.of(RqlFilter.parse(filterText));
    Optional<JsonFieldSelector> fields = fieldSelector(context, "fields");
    Optional<JsonFieldSelector> extraFields = fieldSelector(context, "extraFields");
    Predicate<TwinEvent> asked =
        event ->
            (ids.isEmpty() || ids.contains(event.thingId()))
                && (namespaces.isEmpty() || namespaces.contains(event.thingId().getNamespace()));
    // A subscriber of everything gets each message as one chunk rendered for all such subscribers.
    boolean everything =
        caller.wholeDistrict()
            && ids.isEmpty()
            && namespaces.isEmpty()
            && filter.isEmpty()
            && fields.isEmpty()
            && extraFields.isEmpty();
    boolean shaped = fields.isPresent() || extraFields.isPresent();
    EventStream.follow(
        vertx,
        context,
        feed,
        (stream, change) -> {
          // The id goes on the message's last event only: a subscriber cut off inside a message
          // resumes before it and sees its first events twice rather than losing the rest.
          String id = feed.eventId(change);
          TwinMessage message = change.item();
          if (everything) {
            stream.sendChunk(message.everyEventChunk(id));
            return;
          }
          List<TwinEvent> events = message.events();
          List<String> rendered = message.changedThings();
          List<String> chosen = new java.util.ArrayList<>();
          // Read per message: a grant approved, revoked or expired counts from the next one.
          ReadScope scope = access.scope(caller);
          for (int i = 0; i < events.size(); i++) {
            TwinEvent event = events.get(i);
            if (!asked.test(event)) {
              continue;
            }
            if (scope.owns(event.thingId().getNamespace()) && !shaped) {
              if (filter.map(f -> f.test(filterable(event))).orElse(true)) {
                chosen.add(rendered.get(i));
              }
              continue;
            }
            Optional<ThingAccess.EventView> view = access.eventView(scope, event);
            if (view.isEmpty()) {
              continue;
            }
            Optional<String> shown =
                shown(event.thingId(), view.get(), scope, filter, fields, extraFields);
            if (shown.isEmpty()) {
              continue;
            }
            access.used(view.get(), caller, ThingAccess.Use.STREAM);
            chosen.add(shown.get());
          }
          stream.sendAll(chosen, Optional.of(id));
        },
        TwinMessage::release);
  }

  /**
   * What a subscriber is sent of an event it may see, as Ditto's SSE sends it: the changed part
   * merged with the {@code extraFields} of the thing as it is now (as far as the caller may read
   * them), tested against the {@code filter} (with the definition and attributes the event
   * carries), then cut to {@code fields}; nothing when the filter fails or nothing is left.
   */
  private Optional<String> shown(
      ThingId thingId,
      ThingAccess.EventView view,
      ReadScope scope,
      Optional<RqlFilter> filter,
      Optional<JsonFieldSelector> fields,
      Optional<JsonFieldSelector> extraFields) {
    org.eclipse.ditto.json.JsonObject message = view.changed();
    org.eclipse.ditto.json.JsonObject filterable = view.filterable();
    if (extraFields.isPresent()) {
      org.eclipse.ditto.json.JsonObject extra =
          access.extraFields(scope, thingId, extraFields.get());
      message = JsonFactory.mergeJsonValues(message, extra).asObject();
      filterable = JsonFactory.mergeJsonValues(filterable, extra).asObject();
    }
    org.eclipse.ditto.json.JsonObject tested = filterable;
    if (!filter.map(f -> f.test(tested)).orElse(true)) {
      return Optional.empty();
    }
    if (fields.isPresent()) {
      message = message.get(fields.get());
    }
    return message.isEmpty() ? Optional.empty() : Optional.of(message.toString());
  }

  /** What an event's filter is tested against: the changed part, definition and attributes. */
  static org.eclipse.ditto.json.JsonObject filterable(TwinEvent event) {
    var thing =
        JsonFactory.newObjectBuilder()
            .set("thingId", event.thingId().toString())
            .set("attributes", event.attributes().object());
    if (!event.definition().isEmpty()) {
      thing.set("definition", event.definition());
    }
    return thing.setAll(event.changes()).build();
  }

  /** Ditto's {@code fields} parameter, if given: which parts of a thing to answer. */
  static Optional<JsonFieldSelector> fieldSelector(RoutingContext context) {
    return fieldSelector(context, "fields");
  }

  /** A field selector in Ditto's syntax from the query parameter {@code name}, if given. */
  private static Optional<JsonFieldSelector> fieldSelector(RoutingContext context, String name) {
    String fields = context.request().getParam(name);
    if (fields == null || fields.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(
        JsonFactory.newFieldSelector(
            fields, JsonFactory.newParseOptionsBuilder().withoutUrlDecoding().build()));
  }

  private static Set<String> csv(String value) {
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }
}
