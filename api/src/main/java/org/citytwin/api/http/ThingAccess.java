package org.citytwin.api.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.citytwin.twin.AccessGrant;
import org.citytwin.twin.DepartmentPolicies;
import org.citytwin.twin.ReadScope;
import org.citytwin.twin.ThingStore;
import org.citytwin.twin.Twin;
import org.citytwin.twin.TwinEvent;
import org.citytwin.twin.search.Fields;
import org.eclipse.ditto.base.model.json.JsonSchemaVersion;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonField;
import org.eclipse.ditto.json.JsonFieldSelector;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.policies.model.Policy;
import org.eclipse.ditto.policies.model.PolicyId;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.eclipse.ditto.things.model.signals.commands.exceptions.PolicyIdNotModifiableException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingNotAccessibleException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingNotCreatableException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingNotModifiableException;
import org.eclipse.ditto.things.model.signals.commands.modify.CreateThing;
import org.eclipse.ditto.things.model.signals.commands.modify.DeleteThing;
import org.eclipse.ditto.things.model.signals.commands.modify.MergeThing;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyPolicyId;
import org.eclipse.ditto.things.model.signals.commands.modify.ModifyThing;
import org.eclipse.ditto.things.model.signals.commands.modify.ThingModifyCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides what a caller may read and change of the twins, for every route (REST,
 * search, history, both event streams, the WebSocket): a department reads and writes its own
 * namespace, reads what {@link AccessGrant}s in force lend it (only the lent parts) and changes
 * what grants for writing lend it, and nothing else, which is answered exactly as a thing that does
 * not exist; the command centre reads everything. Grants are read from their twins in the {@value
 * AccessGrant#NAMESPACE} namespace, so an approval, revocation or expiry counts from the next
 * request or delivered message.
 *
 * <p>Every use of a grant (a lent thing read, found, streamed, sent on the WebSocket or changed) is
 * counted by kind with its last user, for the owner's audit ({@link #uses}). The counts are kept as
 * a twin beside the grant's ({@code access:<id>.uses}, see {@link #usesToKeep}), so they survive
 * restarts; the counts since they were last kept are lost with a crash.
 */
public final class ThingAccess {

  /** How a lent thing reached the borrower: the audit's kinds of use. */
  public enum Use {
    READ,
    SEARCH,
    HISTORY,
    STREAM,
    WEBSOCKET,
    WRITE;

    String text() {
      return name().toLowerCase();
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(ThingAccess.class);
  private static final JsonPointer POLICY_ID = JsonPointer.of("/policyId");

  private final ThingStore store;
  private final Clock clock;
  // Grant and policy twins read once per revision: they are few, and read on every borrower's
  // request.
  private final Map<ThingId, Read<AccessGrant>> grantsRead = new ConcurrentHashMap<>();
  private final Map<ThingId, Read<Policy>> policiesRead = new ConcurrentHashMap<>();
  private final Map<String, Uses> uses = new ConcurrentHashMap<>();

  /** What a twin of the grants' namespace keeps, as of one revision of it. */
  private record Read<T>(long revision, Optional<T> kept) {}

  /** The definition of the twins that keep a grant's uses. */
  public static final String USES_DEFINITION = "citytwin:access-uses:1.0.0";

  /** One grant's uses, those kept before the server started included. */
  private static final class Uses {
    final Map<Use, LongAdder> byKind = new ConcurrentHashMap<>();
    volatile Instant lastAt;
    volatile String lastBy;
    // Set by every use, cleared when the counts are handed over to be kept.
    final java.util.concurrent.atomic.AtomicBoolean unkept =
        new java.util.concurrent.atomic.AtomicBoolean();
  }

  public ThingAccess(ThingStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Every grant kept, in any state. */
  public List<AccessGrant> grants() {
    // The rest of the namespace: grants' uses and kept policies.
    return kept(id -> AccessGrant.isGrantId(id.getName()), grantsRead, ThingAccess::parse);
  }

  /** Every department's own policy kept (none of them a namespace's {@code <namespace>:owner}). */
  public List<Policy> policies() {
    return kept(DepartmentPolicies::isKeptPolicy, policiesRead, ThingAccess::parsePolicy);
  }

  private <T> List<T> kept(
      java.util.function.Predicate<ThingId> which,
      Map<ThingId, Read<T>> read,
      java.util.function.Function<Twin, Optional<T>> parse) {
    List<T> kept = new ArrayList<>();
    for (Twin twin : store.inNamespace(AccessGrant.NAMESPACE)) {
      if (!which.test(twin.thingId())) {
        continue;
      }
      read(twin, read, parse).ifPresent(kept::add);
    }
    return kept;
  }

  /** What {@code twin} keeps, parsed once per revision of it. */
  private static <T> Optional<T> read(
      Twin twin, Map<ThingId, Read<T>> read, java.util.function.Function<Twin, Optional<T>> parse) {
    Read<T> last = read.get(twin.thingId());
    if (last == null || last.revision() != twin.revision()) {
      last = new Read<>(twin.revision(), parse.apply(twin));
      read.put(twin.thingId(), last);
    }
    return last.kept();
  }

  /**
   * The department's own policy kept under {@code policyId}; empty for a namespace's {@code
   * <namespace>:owner}, which is made of grants, not kept.
   */
  Optional<Policy> keptPolicy(PolicyId policyId) {
    if (DepartmentPolicies.isNamespacePolicy(policyId)) {
      return Optional.empty();
    }
    return store
        .twin(DepartmentPolicies.keptAs(policyId))
        .flatMap(twin -> read(twin, policiesRead, ThingAccess::parsePolicy));
  }

  private static Optional<Policy> parsePolicy(Twin twin) {
    try {
      return Optional.of(DepartmentPolicies.fromThing(twin.thing()));
    } catch (IllegalArgumentException notAPolicy) {
      LOG.warn(
          "{} is kept as a policy but is not one: {}", twin.thingId(), notAPolicy.getMessage());
      return Optional.empty();
    }
  }

  /** A grant as kept, with the revision of its twin: a step applies to that revision only. */
  record Kept(AccessGrant grant, long revision) {}

  /** The grant kept under {@code id}, in any state. */
  Optional<Kept> grant(String id) {
    if (!AccessGrant.isGrantId(id)) {
      return Optional.empty();
    }
    ThingId thingId;
    try {
      thingId = ThingId.of(AccessGrant.NAMESPACE, id);
    } catch (RuntimeException notAnId) {
      return Optional.empty();
    }
    return store
        .twin(thingId)
        .flatMap(twin -> parse(twin).map(grant -> new Kept(grant, twin.revision())));
  }

  private static Optional<AccessGrant> parse(Twin twin) {
    try {
      return Optional.of(AccessGrant.fromThing(twin.thing()));
    } catch (IllegalArgumentException notAGrant) {
      LOG.warn("{} is kept as a grant but is not one: {}", twin.thingId(), notAGrant.getMessage());
      return Optional.empty();
    }
  }

  /** What the caller may read now. */
  public ReadScope scope(Caller caller) {
    if (caller.wholeDistrict()) {
      return ReadScope.wholeDistrict();
    }
    return ReadScope.of(caller.department().orElseThrow(), grants(), policies(), clock.instant());
  }

  /** The time grants are judged at. */
  Instant now() {
    return clock.instant();
  }

  /**
   * Lets a request for one thing (its path's first parameter) on only if the caller may read the
   * thing: one it may not read answers as missing, for reads and writes alike. A write is judged
   * path by path once it is a command ({@link #requireWritable}); grants change only through their
   * own resource.
   */
  void gate(RoutingContext context) {
    ThingId thingId = ThingId.of(context.pathParam("param0"));
    Caller caller = ApiAuthentication.caller(context);
    if (context.request().method() != HttpMethod.GET) {
      requireNotAGrant(thingId);
    }
    requireReadable(caller, thingId);
    context.next();
  }

  private static void requireNotAGrant(ThingId thingId) {
    if (AccessGrant.NAMESPACE.equals(thingId.getNamespace())) {
      throw ApiErrors.ACCESS_DENIED.toException(
          "Grants change only through /api/access-requests, not as things.");
    }
  }

  /**
   * Passes if the caller may read something of the thing, or may create it in its namespace when it
   * does not exist; otherwise answers it as missing.
   */
  void requireReadable(Caller caller, ThingId thingId) {
    requireReadable(scope(caller), thingId);
  }

  /**
   * {@link #requireReadable(Caller, ThingId)} with the caller's scope; the values of a thing of
   * another namespace, for further questions (none are looked up for the caller's own).
   */
  private Fields requireReadable(ReadScope scope, ThingId thingId) {
    if (scope.owns(thingId.getNamespace())) {
      return pointer -> Optional.empty();
    }
    Fields values =
        store
            .twin(thingId)
            .map(ThingStore::fields)
            .orElseThrow(() -> ThingNotAccessibleException.newBuilder(thingId).build());
    if (scope.readable(thingId, values).isEmpty()) {
      throw ThingNotAccessibleException.newBuilder(thingId).build();
    }
    return values;
  }

  /**
   * Passes if the caller may make {@code change}: anything in its own namespace (the command
   * centre: in any but the grants', which change only through their own resource), and in a lent
   * thing every path the change writes (each leaf of a merge patch, {@code /} for a whole thing)
   * within a path a grant for writing lends. A thing it may not read answers as missing, one it may
   * read but not change so Ditto's {@code things:thing.notmodifiable} (403). A change let through a
   * grant counts as a use of it.
   */
  void requireWritable(Caller caller, ThingModifyCommand<?> change) {
    ThingId thingId = change.getEntityId();
    requireNotAGrant(thingId);
    if (caller.owns(thingId.getNamespace())) {
      policyIdSetBy(change).ifPresent(policyId -> requireFollowable(thingId, policyId));
      return;
    }
    ReadScope scope = scope(caller);
    Fields values = requireReadable(scope, thingId);
    ReadScope.Judged judged = scope.judge(thingId, values);
    List<AccessGrant> covering = judged.grantsCovering();
    for (JsonPointer path : writtenPaths(change)) {
      if (!judged.mayWrite(path)) {
        throw ThingNotModifiableException.newBuilder(thingId)
            .description(
                covering.stream().anyMatch(AccessGrant::lendsWriting)
                    ? "Your department's grants do not lend "
                        + path
                        + " for writing; the owner changes it."
                    : "Your department may read it, not change " + path + "; the owner does.")
            .build();
      }
    }
    policyIdSetBy(change).ifPresent(policyId -> requireFollowable(thingId, policyId));
    covering.stream()
        .filter(AccessGrant::lendsWriting)
        .forEach(grant -> recordUse(grant, caller, Use.WRITE));
  }

  /**
   * Passes if a thing may follow {@code policyId}: its namespace's own policy, or one its owner
   * keeps in the same namespace. Otherwise Ditto's refusal: a thing is not created with a policy
   * that does not exist ({@code things:thing.notcreatable}), an existing one keeps its policy
   * ({@code things:policyId.notmodifiable}).
   */
  private void requireFollowable(ThingId thingId, PolicyId policyId) {
    boolean followable =
        policyId.getNamespace().equals(thingId.getNamespace())
            && (DepartmentPolicies.isNamespacePolicy(policyId) || keptPolicy(policyId).isPresent());
    if (followable) {
      return;
    }
    String why =
        policyId.getNamespace().equals(thingId.getNamespace())
            ? "Create the policy first with PUT /api/2/policies/" + policyId + "."
            : "A thing follows a policy of its own namespace, "
                + thingId.getNamespace()
                + ":owner or one kept with PUT /api/2/policies/"
                + thingId.getNamespace()
                + ":<name>.";
    if (store.twin(thingId).isEmpty()) {
      throw ThingNotCreatableException.newBuilderForPolicyMissing(thingId, policyId)
          .description(why)
          .build();
    }
    throw PolicyIdNotModifiableException.newBuilder(thingId)
        .message("The thing '" + thingId + "' cannot follow the policy '" + policyId + "'.")
        .description(why)
        .build();
  }

  /** The policy id {@code change} gives its thing, if it gives one. */
  static Optional<PolicyId> policyIdSetBy(ThingModifyCommand<?> change) {
    if (change instanceof CreateThing create) {
      return create.getThing().getPolicyId();
    }
    if (change instanceof ModifyThing modify) {
      return modify.getThing().getPolicyId();
    }
    if (change instanceof ModifyPolicyId modify) {
      return Optional.of(modify.getPolicyEntityId());
    }
    if (change instanceof MergeThing merge) {
      JsonValue value = merge.getValue();
      Optional<JsonValue> given =
          merge.getPath().equals(POLICY_ID)
              ? Optional.of(value)
              : merge.getPath().isEmpty() && value.isObject()
                  ? value.asObject().getValue(POLICY_ID)
                  : Optional.empty();
      // Not a string: the merge itself is refused as Ditto refuses it.
      return given.filter(JsonValue::isString).map(id -> PolicyId.of(id.asString()));
    }
    return Optional.empty();
  }

  /**
   * The paths {@code change} writes: the whole thing for its creation, replacement or deletion,
   * every leaf of a merge patch (a {@code null} removes, which is a write too), else the part it
   * modifies or deletes.
   */
  static List<JsonPointer> writtenPaths(ThingModifyCommand<?> change) {
    if (change instanceof CreateThing
        || change instanceof ModifyThing
        || change instanceof DeleteThing) {
      return List.of(JsonPointer.empty());
    }
    if (change instanceof MergeThing merge) {
      List<JsonPointer> leaves = new ArrayList<>();
      leaves(merge.getPath(), merge.getValue(), leaves);
      return leaves;
    }
    return List.of(change.getResourcePath());
  }

  private static void leaves(JsonPointer path, JsonValue value, List<JsonPointer> into) {
    if (!value.isObject() || value.asObject().isEmpty()) {
      into.add(path);
      return;
    }
    for (JsonField field : value.asObject()) {
      leaves(path.addLeaf(field.getKey()), field.getValue(), into);
    }
  }

  /**
   * The caller's view of {@code thing} (with {@code fields} selected, if given), or empty when it
   * may read none of it; a lent thing counts as a use of the grants lending it.
   */
  Optional<JsonObject> view(
      Caller caller, ReadScope scope, Thing thing, Optional<JsonFieldSelector> fields, Use use) {
    ThingId thingId = thing.getEntityId().orElseThrow();
    JsonObject json = projected(thing, fields);
    if (scope.owns(thingId.getNamespace())) {
      return Optional.of(json);
    }
    Fields values = ThingStore.fields(Twin.of(thing));
    Optional<JsonObject> view = scope.view(thingId, values, json);
    if (view.isPresent()) {
      scope.grantsCovering(thingId, values).forEach(grant -> recordUse(grant, caller, use));
    }
    return view;
  }

  /**
   * The {@code extraFields} of a thing as it is now, as far as the scope may read them, without
   * counting a use (the event they go out with counts it); empty when there is nothing to show.
   */
  JsonObject extraFields(ReadScope scope, ThingId thingId, JsonFieldSelector extraFields) {
    return store
        .retrieve(thingId)
        .flatMap(
            thing -> {
              JsonObject json = projected(thing, Optional.of(extraFields));
              return scope.owns(thingId.getNamespace())
                  ? Optional.of(json)
                  : scope.view(thingId, ThingStore.fields(Twin.of(thing)), json);
            })
        .orElse(JsonFactory.newObject());
  }

  /** The thing's JSON, or the {@code fields} of it. */
  private static JsonObject projected(Thing thing, Optional<JsonFieldSelector> fields) {
    return fields.map(f -> thing.toJson(JsonSchemaVersion.V_2, f)).orElseGet(thing::toJson);
  }

  /**
   * What the caller may see of one event: the changed part with the thing's id ({@code changed}),
   * and what its filters are tested against ({@code filterable}: the change with the thing's
   * definition and attributes), both cut to what it may read; {@code lentBy} the grants lending it
   * (none for its own things).
   */
  record EventView(JsonObject changed, JsonObject filterable, List<AccessGrant> lentBy) {}

  /**
   * The caller's view of an event: whole for its own things, the lent parts of a lent thing's
   * change (the grants' filters tested with the definition and attributes the event carries), empty
   * otherwise. Count the use with {@link #used} once it is delivered.
   */
  Optional<EventView> eventView(ReadScope scope, TwinEvent event) {
    JsonObject filterable = ThingsRoutes.filterable(event);
    if (scope.owns(event.thingId().getNamespace())) {
      return Optional.of(new EventView(event.changedThing(), filterable, List.of()));
    }
    if (!scope.readsAnythingIn(event.thingId().getNamespace())) {
      return Optional.empty();
    }
    // The policy a thing follows is not in every event: read it from the twin as it is now.
    Optional<JsonValue> policyId =
        store.twin(event.thingId()).flatMap(twin -> ThingStore.fields(twin).get(POLICY_ID));
    Fields values =
        pointer ->
            pointer.isEmpty()
                ? Optional.of(filterable)
                : pointer.equals(POLICY_ID) ? policyId : filterable.getValue(pointer);
    ReadScope.Judged judged = scope.judge(event.thingId(), values);
    Optional<JsonObject> changed = judged.view(event.changedThing());
    Optional<JsonObject> readable = judged.view(filterable);
    if (changed.isEmpty() || readable.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new EventView(changed.get(), readable.get(), judged.grantsCovering()));
  }

  /** Counts the delivery of a lent event. */
  void used(EventView view, Caller caller, Use use) {
    view.lentBy().forEach(grant -> recordUse(grant, caller, use));
  }

  /**
   * Whether the caller may read the thing's part at {@code path} (for history), counting a use when
   * the thing is lent.
   */
  boolean mayRead(Caller caller, ReadScope scope, ThingId thingId, JsonPointer path, Use use) {
    if (scope.owns(thingId.getNamespace())) {
      return true;
    }
    Optional<Twin> twin = store.twin(thingId);
    if (twin.isEmpty()) {
      return false;
    }
    Fields values = ThingStore.fields(twin.get());
    if (!scope.mayRead(thingId, values, path)) {
      return false;
    }
    scope.grantsCovering(thingId, values).forEach(grant -> recordUse(grant, caller, use));
    return true;
  }

  private void recordUse(AccessGrant grant, Caller caller, Use use) {
    Uses counted = usesOf(grant.id());
    counted.byKind.computeIfAbsent(use, kind -> new LongAdder()).increment();
    counted.lastAt = clock.instant();
    counted.lastBy = caller.subject();
    counted.unkept.set(true);
  }

  /** A grant's uses, read back from their twin the first time they are asked for. */
  private Uses usesOf(String grantId) {
    return uses.computeIfAbsent(grantId, this::keptUses);
  }

  private static ThingId usesId(String grantId) {
    return ThingId.of(AccessGrant.NAMESPACE, grantId + ".uses");
  }

  private Uses keptUses(String grantId) {
    Uses kept = new Uses();
    store
        .twin(usesId(grantId))
        .flatMap(twin -> twin.thing().getAttributes())
        .ifPresent(
            attributes -> {
              for (Use use : Use.values()) {
                attributes
                    .getValue(use.text())
                    .filter(JsonValue::isNumber)
                    .ifPresent(
                        count ->
                            kept.byKind
                                .computeIfAbsent(use, k -> new LongAdder())
                                .add(count.asLong()));
              }
              attributes
                  .getValue("lastAt")
                  .filter(JsonValue::isString)
                  .ifPresent(at -> kept.lastAt = Instant.parse(at.asString()));
              attributes
                  .getValue("lastBy")
                  .filter(JsonValue::isString)
                  .ifPresent(by -> kept.lastBy = by.asString());
            });
    return kept;
  }

  /**
   * The uses counted since they were last handed over, each grant's as the twin that keeps them
   * ({@code access:<id>.uses}, definition {@value #USES_DEFINITION}, the counts in its attributes);
   * handed over once. Give a grant's back with {@link #keepAgain} if writing it failed.
   */
  public List<Thing> usesToKeep() {
    List<Thing> toKeep = new ArrayList<>();
    uses.forEach(
        (grantId, counted) -> {
          if (counted.unkept.compareAndSet(true, false)) {
            toKeep.add(
                ThingsModelFactory.newThingBuilder()
                    .setId(usesId(grantId))
                    .setDefinition(ThingsModelFactory.newDefinition(USES_DEFINITION))
                    .setAttributes(
                        ThingsModelFactory.newAttributes(
                            JsonFactory.newObjectBuilder()
                                .set("grant", grantId)
                                .setAll(uses(grantId))
                                .build()))
                    .build());
          }
        });
    return toKeep;
  }

  /** Marks the uses kept by {@code usesTwin} as not kept, so that the next round writes them. */
  public void keepAgain(ThingId usesTwin) {
    String name = usesTwin.getName();
    Uses counted = uses.get(name.substring(0, name.length() - ".uses".length()));
    if (counted != null) {
      counted.unkept.set(true);
    }
  }

  /** A grant's uses: counts by kind, the last use and its user. */
  JsonObject uses(String grantId) {
    var json = JsonFactory.newObjectBuilder();
    Uses counted = usesOf(grantId);
    for (Use use : Use.values()) {
      LongAdder count = counted.byKind.get(use);
      json.set(use.text(), count == null ? 0 : count.sum());
    }
    if (counted.lastAt != null) {
      json.set("lastAt", counted.lastAt.toString()).set("lastBy", counted.lastBy);
    }
    return json.build();
  }
}
