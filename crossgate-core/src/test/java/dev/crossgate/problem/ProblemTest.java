package dev.crossgate.problem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProblemTest {
  @Test
  void extensionMembersAreWrittenBesideTheStandardOnes() throws Exception {
    var problem =
        Problem.conflict("taken")
            .with("conflictingRoute", "rt_1")
            .withErrors(List.of(new FieldError("sourcePath", "is taken")));

    var json = Json.mapper().readTree(Json.write(problem));

    assertThat(json.path("type").asText()).isEqualTo("https://crossgate.dev/problems/conflict");
    assertThat(json.path("status").asInt()).isEqualTo(409);
    assertThat(json.path("conflictingRoute").asText()).isEqualTo("rt_1");
    assertThat(json.has("extensions")).isFalse();
    assertThat(json.path("errors").get(0).path("field").asText()).isEqualTo("sourcePath");
  }

  @Test
  void anExtensionMemberCannotShadowAStandardOne() {
    var problem = Problem.conflict("taken");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> problem.with("status", "COMPLETING"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("status");
  }
}
