package org.citytwin.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.junit.jupiter.api.Test;

class ApiErrorsTest {

  @Test
  void completesADittoErrorWithoutAMessageOrDescriptionAndKeepsWhatItHas() {
    JsonObject bare = JsonFactory.newObject("{\"status\":400,\"error\":\"json.invalid\"}");
    JsonObject completed = ApiErrors.complete(bare);
    assertThat(completed.getValue("message").orElseThrow().asString())
        .isEqualTo("The request was refused: json.invalid.");
    assertThat(completed.getValue("description").orElseThrow().asString())
        .isEqualTo("Correct the request as the message says and send it again.");
    assertThat(completed.getValue("status").orElseThrow().asInt()).isEqualTo(400);

    JsonObject whole =
        JsonFactory.newObject(
            "{\"status\":404,\"error\":\"things:thing.notfound\",\"message\":\"gone\","
                + "\"description\":\"look elsewhere\"}");
    assertThat(ApiErrors.complete(whole)).isEqualTo(whole);

    JsonObject notFound =
        JsonFactory.newObject("{\"status\":404,\"error\":\"x:y\",\"message\":\"m\"}");
    assertThat(ApiErrors.complete(notFound).getValue("description").orElseThrow().asString())
        .startsWith("Check the id");
    JsonObject blank =
        JsonFactory.newObject(
            "{\"status\":503,\"error\":\"x:y\",\"message\":\" \",\"description\":\"\"}");
    assertThat(ApiErrors.complete(blank).getValue("message").orElseThrow().asString())
        .isEqualTo("The request was refused: x:y.");
    assertThat(ApiErrors.complete(blank).getValue("description").orElseThrow().asString())
        .isEqualTo("Try again shortly.");
  }
}
