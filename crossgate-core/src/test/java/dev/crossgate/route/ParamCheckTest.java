package dev.crossgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.problem.FieldError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamCheckTest {
  private static final List<Route.Param> DECLARED =
      List.of(
          new Route.Param("city", "string", true),
          new Route.Param("n", "integer", true),
          new Route.Param("ratio", "number", false),
          new Route.Param("exact", "boolean", false));

  @Test
  void aValidRequestHasNoErrorsAndUndeclaredParamsPass() {
    var values = Map.of("city", "Oslo", "n", "-3", "ratio", "0.5", "exact", "true", "extra", "x");

    assertThat(ParamCheck.check(DECLARED, values::get)).isEmpty();
  }

  @Test
  void everyMissingOrIllTypedParamIsNamed() {
    var values = Map.of("n", "3.5", "ratio", "NaN", "exact", "yes");

    var errors = ParamCheck.check(DECLARED, values::get);

    assertThat(errors).extracting(FieldError::field).containsExactly("city", "n", "ratio", "exact");
    assertThat(errors.get(0).message()).contains("required");
    assertThat(errors.get(1).message()).contains("integer", "3.5");
  }

  @Test
  void numbersRejectJavaSuffixesAndIntegersRejectOverflow() {
    assertThat(ParamCheck.ofType("number", "1d")).isFalse();
    assertThat(ParamCheck.ofType("number", "1e3")).isTrue();
    assertThat(ParamCheck.ofType("integer", "1234567890123456789012")).isFalse();
  }
}
