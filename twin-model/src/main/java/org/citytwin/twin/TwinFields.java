package org.citytwin.twin;

import java.util.Optional;
import org.citytwin.twin.search.Fields;
import org.eclipse.ditto.base.model.json.JsonSchemaVersion;
import org.eclipse.ditto.json.JsonKey;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;

/**
 * A twin's values as RQL reads them, answered from the twin's parts where that is cheap (its id,
 * attributes and feature properties, pending writes included) and from the whole JSON of its thing
 * otherwise. Answers exactly what the thing's JSON would; a test holds the two equal.
 *
 * <p>Why: a search tests thousands of candidates, and building each one's JSON (with Ditto's
 * special fields) cost most of a search's time.
 */
final class TwinFields implements Fields {

  private static final JsonKey THING_ID = JsonKey.of("thingId");
  private static final JsonKey DEFINITION = JsonKey.of("definition");
  private static final JsonKey ATTRIBUTES = JsonKey.of("attributes");
  private static final JsonKey FEATURES = JsonKey.of("features");
  private static final JsonKey PROPERTIES = JsonKey.of("properties");

  private final Twin twin;
  private JsonObject wholeJson;
  // An idle twin's base JSON text: a scan reads values out of it, and neither builds nor keeps the
  // thing.
  private Optional<String> idle;

  TwinFields(Twin twin) {
    this.twin = twin;
  }

  @Override
  public Optional<JsonValue> get(JsonPointer pointer) {
    int levels = pointer.getLevelCount();
    JsonKey first = pointer.getRoot().orElse(null);
    if (first == null) {
      return Optional.of(whole());
    }
    if (first.equals(THING_ID) && levels == 1) {
      return Optional.of(JsonValue.of(twin.thingId().toString()));
    }
    if (first.equals(DEFINITION) && levels == 1) {
      // Searches by definition test it on every candidate: without this, on a built twin, each
      // one's whole JSON was built to read it.
      return twin.definition().map(JsonValue::of);
    }
    if (first.equals(FEATURES)
        && levels >= 4
        && pointer.get(2).filter(PROPERTIES::equals).isPresent()) {
      return twin.featureProperty(
          pointer.get(1).orElseThrow().toString(),
          pointer.get(3).orElseThrow(),
          pointer.getSubPointer(4).orElse(JsonPointer.empty()),
          idle());
    }
    // An idle twin's regular fields (attributes, definition, policyId, a whole feature when no
    // reading is pending) are in its text; special fields such as _revision are not.
    Optional<String> idleText = idle();
    if (idleText.isPresent()
        && !first.toString().startsWith("_")
        && (twin.isSettled() || !first.equals(FEATURES))) {
      return JsonText.valueAt(idleText.get(), pointer);
    }
    if (first.equals(ATTRIBUTES)) {
      return twin.base()
          .getAttributes()
          .flatMap(all -> levels == 1 ? Optional.of(all) : all.getValue(pointer.nextLevel()));
    }
    return whole().getValue(pointer);
  }

  private Optional<String> idle() {
    if (idle == null) {
      idle = twin.idleText();
    }
    return idle;
  }

  private JsonObject whole() {
    if (wholeJson == null) {
      wholeJson = twin.thing().toJson(JsonSchemaVersion.V_2, field -> true);
    }
    return wholeJson;
  }
}
