package dev.crossgate.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonMergePatchTest {
  @Test
  void followsTheExamplesOfRfc7396() throws Exception {
    var target =
        Json.mapper()
            .readTree(
                "{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}");
    var patch =
        Json.mapper()
            .readTree(
                "{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\",\"author\":{\"familyName\":null},\"tags\":[\"example\"]}");

    var result = JsonMergePatch.apply(target, patch);

    assertThat(result)
        .isEqualTo(
            Json.mapper()
                .readTree(
                    "{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}"));
    assertThat(target.path("title").asText()).isEqualTo("Goodbye!");
  }
}
