package dev.crossgate.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonBinderTest {
  record Limits(long max, boolean strict) {}

  record Body(String name, List<Integer> sizes, Limits limits) {}

  private static JsonBinder.Binding<Body> read(String json) {
    return JsonBinder.read(json.getBytes(StandardCharsets.UTF_8), Body.class);
  }

  @Test
  void aBodyThatFitsIsReadWithoutErrors() {
    var binding = read("{\"name\":\"a\",\"sizes\":[1,2],\"limits\":{\"max\":3,\"strict\":true}}");

    assertThat(binding.errors()).isEmpty();
    assertThat(binding.value()).isEqualTo(new Body("a", List.of(1, 2), new Limits(3, true)));
  }

  @Test
  void everyUnknownMistypedAndMissingFieldIsNamedAtEveryDepthAndTheRestIsKept() {
    var binding =
        read(
            "{\"name\":\"kept\",\"nmae\":1,\"sizes\":[1,\"two\",3],"
                + "\"limits\":{\"max\":\"many\",\"strcit\":true}}");

    assertThat(binding.errors())
        .extracting(FieldError::field)
        .containsExactly("nmae", "sizes[1]", "limits.max", "limits.strcit", "limits.strict");
    assertThat(binding.errors().get(0).message()).contains("known fields: limits, name, sizes");
    assertThat(binding.errors().get(1).message()).contains("expected a number");
    assertThat(binding.errors().get(4).message()).isEqualTo("is required");
    assertThat(binding.value().name()).isEqualTo("kept");
    assertThat(binding.value().sizes()).containsExactly(1, null, 3);
  }

  @Test
  void orThrowAddsTheResourcesOwnErrorsExceptOnFieldsAlreadyNamed() {
    var binding = read("{\"nmae\":1,\"sizes\":{}}");

    assertThatThrownBy(
            () ->
                binding.orThrow(
                    body ->
                        List.of(
                            new FieldError("name", "is required"),
                            new FieldError("sizes[0]", "must be positive"))))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e ->
                assertThat(e.problem().errors())
                    .extracting(FieldError::field)
                    .containsExactly("nmae", "sizes", "name"));
  }

  @Test
  void aBodyOfTheWrongShapeIsMalformedJson() {
    assertThatThrownBy(() -> read("[1,2]"))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> assertThat(e.problem().typeName()).isEqualTo("malformed-json"));
    assertThatThrownBy(() -> read("{\"name\":"))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> assertThat(e.problem().typeName()).isEqualTo("malformed-json"));
  }
}
