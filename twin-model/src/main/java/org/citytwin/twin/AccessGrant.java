package org.citytwin.twin;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.citytwin.twin.search.RqlFilter;
import org.eclipse.ditto.json.JsonArray;
import org.eclipse.ditto.json.JsonCollectors;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonObjectBuilder;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.ThingId;
import org.eclipse.ditto.things.model.ThingsModelFactory;

/**
 * One department's access to another's things, "shared on demand, used by authorisation": the
 * requester asks for the things of the owner's namespace that match a {@link #filter} (all of them
 * without one), and for the parts of them named by {@link #paths}; the owner approves it until an
 * expiry, or rejects it; either side, or the command centre, may revoke it. A grant lends reading,
 * and writing too when its {@link #permissions} say so: a borrower then changes the lent parts of
 * the covered things (never creates or deletes the owner's things unless {@code /} is lent).
 *
 * <p>A grant is kept as a twin of its own in the {@value #NAMESPACE} namespace, so it is journaled
 * and survives restarts like any twin, and every step is in its {@link #audit}. Instances are
 * immutable; each step returns the next state.
 *
 * <p>What a granted department may read is decided by a Ditto policy entry per grant (subject
 * {@code department:<requester>} with the grant's expiry, its permissions on each path); see {@link
 * ReadScope}. Ditto selects the things a policy governs by each thing's {@code policyId};
 * citytwin's things share their namespace's policy, so which of them a grant covers is its RQL
 * filter.
 *
 * @param id the grant's name in the {@value #NAMESPACE} namespace
 * @param requester the department asking
 * @param owner the department (and namespace) whose things are asked for
 * @param filter RQL selecting the owner's things covered, tested against each whole thing
 * @param paths the parts of each covered thing lent, {@code /} for all of it
 * @param permissions what is lent on those parts: {@code READ}, or {@code READ} and {@code WRITE}
 * @param reason why the requester asks, for the owner to judge
 * @param validFor how long the requester asks for, from approval
 * @param state where the request stands (see {@link #stateAt} for expiry)
 * @param expiry when an approved grant stops counting
 * @param audit every step, oldest first
 */
public record AccessGrant(
    String id,
    String requester,
    String owner,
    Optional<String> filter,
    List<JsonPointer> paths,
    List<String> permissions,
    String reason,
    Duration validFor,
    State state,
    Optional<Instant> expiry,
    List<Step> audit) {

  /** The namespace grants are kept in as twins. */
  public static final String NAMESPACE = "access";

  /** The definition of grant twins. */
  public static final String DEFINITION = "citytwin:access-grant:1.0.0";

  /** The longest a grant may run: a year, renewed by asking again. */
  public static final Duration LONGEST = Duration.ofDays(366);

  private static final Pattern DEPARTMENT = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  /** Where a request stands. {@code EXPIRED} is never stored: it is a granted one past expiry. */
  public enum State {
    REQUESTED,
    GRANTED,
    REJECTED,
    REVOKED,
    EXPIRED;

    public String text() {
      return name().toLowerCase();
    }
  }

  /** One step of a grant's life: what was done, by whom, for which department, when, and why. */
  public record Step(String action, String actor, String department, Instant at, String note) {
    public Step {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(actor, "actor");
      Objects.requireNonNull(department, "department");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(note, "note");
    }

    JsonObject toJson() {
      return JsonFactory.newObjectBuilder()
          .set("action", action)
          .set("actor", actor)
          .set("department", department)
          .set("at", at.toString())
          .set("note", note)
          .build();
    }

    static Step fromJson(JsonObject json) {
      return new Step(
          text(json, "action"),
          text(json, "actor"),
          text(json, "department"),
          Instant.parse(text(json, "at")),
          json.getValue("note").filter(JsonValue::isString).map(JsonValue::asString).orElse(""));
    }
  }

  /**
   * @throws IllegalArgumentException for a malformed id, department, path or validity, a filter
   *     that is not RQL, or a grant of one's own namespace
   */
  public AccessGrant {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a grant id is lower-case letters, digits and dashes");
    }
    requireDepartment("requester", requester);
    requireDepartment("owner", owner);
    if (requester.equals(owner)) {
      throw new IllegalArgumentException("a department reads its own namespace already");
    }
    Objects.requireNonNull(filter, "filter");
    filter.ifPresent(RqlFilter::parse);
    paths = List.copyOf(paths);
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("a grant lends at least one path ('/' for everything)");
    }
    permissions = permissions(permissions);
    Objects.requireNonNull(reason, "reason");
    if (validFor.isNegative() || validFor.isZero() || validFor.compareTo(LONGEST) > 0) {
      throw new IllegalArgumentException(
          "a grant runs for more than nothing and at most " + LONGEST.toDays() + " days");
    }
    Objects.requireNonNull(state, "state");
    if (state == State.EXPIRED) {
      throw new IllegalArgumentException("expiry is read from the time, not stored");
    }
    Objects.requireNonNull(expiry, "expiry");
    if (state == State.GRANTED && expiry.isEmpty()) {
      throw new IllegalArgumentException("a granted request has an expiry");
    }
    audit = List.copyOf(audit);
  }

  /** What may be lent: reading, and writing beside it. */
  public static final List<String> PERMISSIONS =
      List.of(PolicyEvaluator.READ, PolicyEvaluator.WRITE);

  /** {@code asked} in the order of {@link #PERMISSIONS}, checked. */
  private static List<String> permissions(List<String> asked) {
    for (String permission : asked) {
      if (!PERMISSIONS.contains(permission)) {
        throw new IllegalArgumentException(
            "a grant lends READ, or READ and WRITE, not '" + permission + "'");
      }
    }
    if (!asked.contains(PolicyEvaluator.READ)) {
      throw new IllegalArgumentException(
          "a grant for writing lends reading too: ask for [\"READ\", \"WRITE\"]");
    }
    return PERMISSIONS.stream().filter(asked::contains).toList();
  }

  /** Whether the grant lends writing beside reading. */
  public boolean lendsWriting() {
    return permissions.contains(PolicyEvaluator.WRITE);
  }

  /** Whether {@code name} could be a grant's id: other twins of the namespace are not grants. */
  public static boolean isGrantId(String name) {
    return ID.matcher(name).matches();
  }

  /** Namespaces no department may be named after: they hold the district's own records. */
  public static boolean isReserved(String namespace) {
    return namespace.equals(NAMESPACE) || namespace.equals("incidents");
  }

  private static void requireDepartment(String role, String department) {
    if (department == null || !DEPARTMENT.matcher(department).matches()) {
      throw new IllegalArgumentException(
          "the " + role + " is a department: lower-case letters, digits and dashes");
    }
    if (isReserved(department)) {
      throw new IllegalArgumentException("'" + department + "' is not a department's namespace");
    }
  }

  /** A new request for {@code permissions}, as the requester files it. */
  public static AccessGrant request(
      String id,
      String requester,
      String owner,
      Optional<String> filter,
      List<JsonPointer> paths,
      List<String> permissions,
      String reason,
      Duration validFor,
      String actor,
      Instant at) {
    return new AccessGrant(
        id,
        requester,
        owner,
        filter,
        paths,
        permissions,
        reason,
        validFor,
        State.REQUESTED,
        Optional.empty(),
        List.of(new Step("request", actor, requester, at, reason)));
  }

  /** The twin id this grant is kept under. */
  public ThingId thingId() {
    return ThingId.of(NAMESPACE, id);
  }

  /** The state at {@code now}: a granted request past its expiry has expired. */
  public State stateAt(Instant now) {
    if (state == State.GRANTED && !expiry.orElseThrow().isAfter(now)) {
      return State.EXPIRED;
    }
    return state;
  }

  /** Whether, at {@code now}, the grant lends {@code department} the owner's things. */
  public boolean lendsTo(String department, Instant now) {
    return requester.equals(department) && stateAt(now) == State.GRANTED;
  }

  /**
   * Approved by the owner until {@code until}.
   *
   * @throws IllegalStateException unless the grant is still requested
   * @throws IllegalArgumentException for an expiry not after {@code at}, or beyond the longest
   */
  public AccessGrant approve(String actor, Instant at, Instant until, String note) {
    requireState("approve", State.REQUESTED, at);
    if (!until.isAfter(at) || Duration.between(at, until).compareTo(LONGEST) > 0) {
      throw new IllegalArgumentException(
          "a grant expires after now and within " + LONGEST.toDays() + " days");
    }
    return next(State.GRANTED, Optional.of(until), new Step("approve", actor, owner, at, note));
  }

  /**
   * Refused by the owner.
   *
   * @throws IllegalStateException unless the grant is still requested
   */
  public AccessGrant reject(String actor, Instant at, String note) {
    requireState("reject", State.REQUESTED, at);
    return next(State.REJECTED, expiry, new Step("reject", actor, owner, at, note));
  }

  /**
   * Withdrawn, as asked or as granted, by {@code department} (the owner, the requester or the
   * command centre).
   *
   * @throws IllegalStateException unless the grant is requested or granted and not expired
   */
  public AccessGrant revoke(String actor, String department, Instant at, String note) {
    State now = stateAt(at);
    if (now != State.REQUESTED && now != State.GRANTED) {
      throw new IllegalStateException(
          "a grant that is " + now.text() + " cannot be revoked; only requested or granted ones");
    }
    return next(State.REVOKED, expiry, new Step("revoke", actor, department, at, note));
  }

  private void requireState(String action, State wanted, Instant at) {
    State now = stateAt(at);
    if (now != wanted) {
      throw new IllegalStateException(
          "a grant that is " + now.text() + " cannot be " + action + "d; only " + wanted.text());
    }
  }

  private AccessGrant next(State to, Optional<Instant> until, Step step) {
    List<Step> steps = new ArrayList<>(audit);
    steps.add(step);
    return new AccessGrant(
        id, requester, owner, filter, paths, permissions, reason, validFor, to, until, steps);
  }

  /** The grant as the API shows it, with its state at {@code now}. */
  public JsonObject toJson(Instant now) {
    JsonObjectBuilder json =
        JsonFactory.newObjectBuilder()
            .set("id", id)
            .set("requester", requester)
            .set("owner", owner)
            .set("state", stateAt(now).text());
    filter.ifPresent(f -> json.set("filter", f));
    json.set(
            "paths",
            paths.stream()
                .map(path -> (JsonValue) JsonValue.of(path.toString()))
                .collect(JsonCollectors.valuesToArray()))
        .set(
            "permissions",
            permissions.stream()
                .map(permission -> (JsonValue) JsonValue.of(permission))
                .collect(JsonCollectors.valuesToArray()))
        .set("reason", reason)
        .set("validFor", validFor.toString());
    expiry.ifPresent(until -> json.set("expiry", until.toString()));
    return json.set(
            "audit",
            audit.stream()
                .map(step -> (JsonValue) step.toJson())
                .collect(JsonCollectors.valuesToArray()))
        .build();
  }

  /** The twin the grant is kept as: everything in its attributes. */
  public Thing toThing() {
    JsonObjectBuilder attributes = JsonFactory.newObjectBuilder().setAll(toJson(Instant.MIN));
    attributes.remove("id");
    attributes.set("state", state.text());
    return ThingsModelFactory.newThingBuilder()
        .setId(thingId())
        .setDefinition(ThingsModelFactory.newDefinition(DEFINITION))
        .setAttributes(ThingsModelFactory.newAttributes(attributes.build()))
        .build();
  }

  /**
   * The grant a twin of the {@value #NAMESPACE} namespace keeps.
   *
   * @throws IllegalArgumentException if the thing is not a grant
   */
  public static AccessGrant fromThing(Thing thing) {
    ThingId thingId =
        thing.getEntityId().orElseThrow(() -> new IllegalArgumentException("a thing needs an id"));
    if (!thingId.getNamespace().equals(NAMESPACE)) {
      throw new IllegalArgumentException(thingId + " is not in the " + NAMESPACE + " namespace");
    }
    JsonObject attributes =
        thing
            .getAttributes()
            .map(a -> (JsonObject) a)
            .orElseThrow(() -> new IllegalArgumentException(thingId + " has no attributes"));
    try {
      List<JsonPointer> paths = new ArrayList<>();
      for (JsonValue path : array(attributes, "paths")) {
        paths.add(JsonPointer.of(path.asString()));
      }
      // Grants kept before writing could be lent have no permissions: they lend reading.
      List<String> permissions = new ArrayList<>();
      attributes
          .getValue("permissions")
          .filter(JsonValue::isArray)
          .map(JsonValue::asArray)
          .ifPresentOrElse(
              asked -> asked.forEach(permission -> permissions.add(permission.asString())),
              () -> permissions.add(PolicyEvaluator.READ));
      List<Step> steps = new ArrayList<>();
      for (JsonValue step : array(attributes, "audit")) {
        steps.add(Step.fromJson(step.asObject()));
      }
      return new AccessGrant(
          thingId.getName(),
          text(attributes, "requester"),
          text(attributes, "owner"),
          attributes.getValue("filter").filter(JsonValue::isString).map(JsonValue::asString),
          paths,
          permissions,
          text(attributes, "reason"),
          Duration.parse(text(attributes, "validFor")),
          State.valueOf(text(attributes, "state").toUpperCase()),
          attributes.getValue("expiry").map(JsonValue::asString).map(Instant::parse),
          steps);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(thingId + " is not a grant: " + e.getMessage(), e);
    }
  }

  private static JsonArray array(JsonObject json, String key) {
    return json.getValue(key)
        .filter(JsonValue::isArray)
        .map(JsonValue::asArray)
        .orElseThrow(() -> new IllegalArgumentException("no " + key));
  }

  private static String text(JsonObject json, String key) {
    return json.getValue(key)
        .filter(JsonValue::isString)
        .map(JsonValue::asString)
        .orElseThrow(() -> new IllegalArgumentException("no " + key));
  }
}
