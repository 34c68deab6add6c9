package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonField;
import org.eclipse.ditto.json.JsonKey;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonObjectBuilder;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.junit.jupiter.api.Test;

/** Reading one value out of JSON text gives what Ditto's parser and getValue give. */
class JsonTextTest {

  private static final List<String> KEYS =
      List.of("a", "ab", "b", "quote\"d", "back\\slash", "雨量", "tab\tkey", "x", "");

  @Test
  void replacesOneValueInPlaceAsDittoSetsAnExistingKey() {
    String text =
        "{\"features\":{\"w\":{\"properties\":{\"s\":\"a,}\\\"b\",\"depth\":0.1,"
            + "\"tags\":[1,{\"x\":2}],\"last\":true}}},\"attributes\":{\"depth\":5}}";
    JsonObject parsed = JsonFactory.newObject(text);
    for (String property : List.of("s", "depth", "tags", "last")) {
      for (JsonValue value :
          List.of(JsonValue.of(0.25), JsonFactory.readFrom("[3,\"}\"]"), JsonValue.of("q\"uote"))) {
        JsonPointer pointer = JsonPointer.of("features/w/properties/" + property);
        assertThat(
                JsonText.withValueAt(
                    text, value.toString(), "features", "w", "properties", property))
            .as(property + " = " + value)
            .isEqualTo(parsed.setValue(pointer, value).toString());
      }
    }
    assertThat(JsonText.withValueAt(text, "1", "features", "w", "properties", "missing")).isNull();
    assertThat(JsonText.withValueAt(text, "1", "features", "v", "properties", "depth")).isNull();
  }

  @Test
  void findsWhatDittoFindsInHandWrittenText() {
    String text =
        " { \"a\" : [1, {\"b\": \"}]\"}, \"x\"] , \"ab\":{ \"b\" : -1.5e3 , \"c\":{}} ,"
            + "\"q\\\"k\":\"v\\\\\\\"\", \"n\":null, \"t\":true,\"s\":\"雨 \\u0041\" } ";
    JsonObject parsed = JsonFactory.newObject(text);
    for (String pointer :
        List.of(
            "a", "ab", "ab/b", "ab/c", "ab/c/d", "ab/b/x", "a/0", "missing", "n", "t", "s", "b")) {
      assertThat(JsonText.valueAt(text, JsonPointer.of(pointer)))
          .as(pointer)
          .isEqualTo(parsed.getValue(JsonPointer.of(pointer)));
    }
    assertThat(JsonText.valueAt(text, JsonPointer.empty().addLeaf(JsonKey.of("q\"k"))))
        .contains(JsonValue.of("v\\\""));
    assertThat(JsonText.valueAt(text, JsonPointer.empty())).contains(parsed);
  }

  @Test
  void findsWhatDittoFindsInRandomObjects() {
    SplittableRandom random = new SplittableRandom(11);
    for (int round = 0; round < 300; round++) {
      JsonObject object = randomObject(random, 0);
      String text = object.toString();
      List<JsonPointer> pointers = new ArrayList<>();
      collect(object, JsonPointer.empty(), pointers);
      for (JsonPointer pointer : pointers) {
        assertThat(JsonText.valueAt(text, pointer))
            .as("%s in %s", pointer, text)
            .isEqualTo(object.getValue(pointer));
        assertThat(JsonText.textAt(text, pointer))
            .as("the text of %s in %s", pointer, text)
            .isEqualTo(object.getValue(pointer).map(JsonValue::toString));
        assertThat(JsonText.has(text, keys(pointer))).as("%s in %s", pointer, text).isTrue();
        for (String key : KEYS) {
          JsonPointer below = pointer.addLeaf(JsonKey.of(key.isEmpty() ? "none" : key));
          assertThat(JsonText.valueAt(text, below))
              .as("%s in %s", below, text)
              .isEqualTo(object.getValue(below));
          assertThat(JsonText.has(text, keys(below)))
              .as("whether %s is in %s", below, text)
              .isEqualTo(object.getValue(below).isPresent());
        }
      }
    }
  }

  private static String[] keys(JsonPointer pointer) {
    List<String> keys = new ArrayList<>();
    pointer.forEach(key -> keys.add(key.toString()));
    return keys.toArray(String[]::new);
  }

  private static void collect(JsonObject object, JsonPointer at, List<JsonPointer> pointers) {
    for (JsonField field : object) {
      JsonPointer pointer = at.addLeaf(field.getKey());
      pointers.add(pointer);
      if (field.getValue().isObject()) {
        collect(field.getValue().asObject(), pointer, pointers);
      }
    }
  }

  private static JsonObject randomObject(SplittableRandom random, int depth) {
    JsonObjectBuilder builder = JsonFactory.newObjectBuilder();
    int members = random.nextInt(5);
    for (int i = 0; i < members; i++) {
      String key = KEYS.get(random.nextInt(KEYS.size() - 1));
      builder.set(key, randomValue(random, depth));
    }
    return builder.build();
  }

  private static JsonValue randomValue(SplittableRandom random, int depth) {
    switch (random.nextInt(depth < 3 ? 8 : 6)) {
      case 0:
        return JsonValue.of(random.nextInt(-1000, 1000));
      case 1:
        return JsonValue.of(random.nextDouble() * 1e6 - 5e5);
      case 2:
        return JsonValue.of(KEYS.get(random.nextInt(KEYS.size())) + "]},\"");
      case 3:
        return JsonValue.of(random.nextBoolean());
      case 4:
        return JsonFactory.nullLiteral();
      case 5:
        return JsonValue.of(Long.MAX_VALUE - random.nextInt(10));
      case 6:
        return randomObject(random, depth + 1);
      default:
        var array = JsonFactory.newArrayBuilder();
        for (int i = random.nextInt(3); i > 0; i--) {
          array.add(randomValue(random, depth + 1));
        }
        return array.build();
    }
  }
}
