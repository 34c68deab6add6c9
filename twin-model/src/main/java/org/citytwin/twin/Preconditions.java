package org.citytwin.twin;

import java.util.Optional;
import org.citytwin.twin.search.RqlFilter;
import org.eclipse.ditto.base.model.headers.DittoHeaderDefinition;
import org.eclipse.ditto.base.model.headers.DittoHeaders;
import org.eclipse.ditto.base.model.headers.entitytag.EntityTag;
import org.eclipse.ditto.base.model.headers.entitytag.EntityTagMatchers;
import org.eclipse.ditto.base.model.json.JsonSchemaVersion;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.Thing;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingPreconditionFailedException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingPreconditionNotModifiedException;

/**
 * HTTP conditional requests on a thing or a part of it, as Ditto evaluates them: the entity tag of
 * a thing is {@code "rev:<revision>"}, that of a part ({@code /attributes/lanes}, {@code
 * /features/load}) a hash of its JSON, {@code "hash:<hex>"}; {@code *} matches anything that
 * exists.
 */
public final class Preconditions {

  private Preconditions() {}

  /**
   * Whether {@code headers} carry a condition on the thing ({@code If-Match}, {@code If-None-Match}
   * or {@code condition}); without one, the checks need not see the thing.
   */
  public static boolean isConditional(DittoHeaders headers) {
    // Asked for every reading: looking the keys up is enough, parsing the tags is not needed here.
    return headers.containsKey(DittoHeaderDefinition.IF_MATCH.getKey())
        || headers.containsKey(DittoHeaderDefinition.IF_NONE_MATCH.getKey())
        || headers.containsKey(DittoHeaderDefinition.CONDITION.getKey());
  }

  /** The entity tag of the thing, if it exists. */
  public static Optional<EntityTag> entityTag(Thing current) {
    return current == null ? Optional.empty() : EntityTag.fromEntity(current);
  }

  /**
   * The entity tag of what is at {@code path} in the thing: the thing's own for the empty path, a
   * hash of the part's JSON below it (the same tag a read of the part is answered with); empty when
   * there is nothing there.
   */
  public static Optional<EntityTag> entityTag(Thing current, JsonPointer path) {
    if (current == null || path.isEmpty()) {
      return entityTag(current);
    }
    return current.toJson().getValue(path).flatMap(EntityTag::fromEntity);
  }

  /** The entity tag a part's JSON is answered with ({@link #entityTag(Thing, JsonPointer)}). */
  public static Optional<EntityTag> entityTag(JsonValue part) {
    return EntityTag.fromEntity(part);
  }

  /**
   * Checks {@code If-Match} and {@code If-None-Match} before a write.
   *
   * @param current the thing as it is now, null if it does not exist
   * @throws ThingPreconditionFailedException (412) if a condition does not hold
   */
  public static void checkWrite(DittoHeaders headers, Thing current) {
    checkWrite(headers, current, JsonPointer.empty());
  }

  /**
   * Checks {@code If-Match} and {@code If-None-Match} before a write of what is at {@code path} in
   * the thing (the thing itself for the empty path).
   *
   * @param current the thing as it is now, null if it does not exist
   * @throws ThingPreconditionFailedException (412) if a condition does not hold
   */
  public static void checkWrite(DittoHeaders headers, Thing current, JsonPointer path) {
    Optional<EntityTag> tag = entityTag(current, path);
    requireIfMatch(headers, tag);
    headers
        .getIfNoneMatch()
        .ifPresent(
            matchers -> {
              if (matchesAny(matchers, tag)) {
                throw ThingPreconditionFailedException.newBuilder(
                        "if-none-match", matchers.toString(), tag.map(Object::toString).orElse(""))
                    .dittoHeaders(headers)
                    .build();
              }
            });
  }

  /**
   * Checks Ditto's {@code condition} header: an RQL filter the thing must match for the write to go
   * ahead.
   *
   * @throws ThingPreconditionFailedException (412) if the thing does not match
   * @throws org.eclipse.ditto.base.model.exceptions.InvalidRqlExpressionException (400) if the
   *     condition is not valid RQL
   */
  public static void checkCondition(DittoHeaders headers, Thing current) {
    Optional<String> condition = headers.getCondition();
    if (condition.isEmpty()) {
      return;
    }
    RqlFilter filter = RqlFilter.parse(condition.get());
    if (current == null || !filter.test(current.toJson(JsonSchemaVersion.V_2, field -> true))) {
      throw ThingPreconditionFailedException.newBuilder("condition", condition.get(), "not matched")
          .message("The condition '" + condition.get() + "' does not hold for the thing.")
          .dittoHeaders(headers)
          .build();
    }
  }

  /**
   * Checks {@code If-Match} and {@code If-None-Match} before a read.
   *
   * @throws ThingPreconditionFailedException (412) if {@code If-Match} does not hold
   * @throws ThingPreconditionNotModifiedException (304) if {@code If-None-Match} matches
   */
  public static void checkRead(DittoHeaders headers, Thing current) {
    checkRead(headers, entityTag(current));
  }

  /**
   * Checks {@code If-Match} and {@code If-None-Match} before a read of something tagged {@code tag}
   * (empty: it does not exist).
   *
   * @throws ThingPreconditionFailedException (412) if {@code If-Match} does not hold
   * @throws ThingPreconditionNotModifiedException (304) if {@code If-None-Match} matches
   */
  public static void checkRead(DittoHeaders headers, Optional<EntityTag> tag) {
    requireIfMatch(headers, tag);
    headers
        .getIfNoneMatch()
        .ifPresent(
            matchers -> {
              if (matchesAny(matchers, tag)) {
                throw ThingPreconditionNotModifiedException.newBuilder(
                        matchers.toString(), tag.map(Object::toString).orElse(""))
                    .dittoHeaders(headers)
                    .build();
              }
            });
  }

  /** {@code If-Match} holds when the thing exists and one of the tags matches it. */
  private static void requireIfMatch(DittoHeaders headers, Optional<EntityTag> tag) {
    headers
        .getIfMatch()
        .ifPresent(
            matchers -> {
              if (!matchesAny(matchers, tag)) {
                throw ThingPreconditionFailedException.newBuilder(
                        "if-match", matchers.toString(), tag.map(Object::toString).orElse(""))
                    .dittoHeaders(headers)
                    .build();
              }
            });
  }

  private static boolean matchesAny(EntityTagMatchers matchers, Optional<EntityTag> tag) {
    if (tag.isEmpty()) {
      return false;
    }
    return matchers.stream()
        .anyMatch(matcher -> matcher.isAsterisk() || matcher.weakMatch(tag.get()));
  }
}
