package dev.crossgate.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.json.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FilterValidatorTest {
  private static FilterSpec spec(String scope, String target) {
    return new FilterSpec(null, null, "BODY_SIZE", "1000", null, null, null, null, scope, target);
  }

  @Test
  void aRuleWithoutAScopeIsGlobalAndIsWrittenAsRulesWereBeforeScopes() {
    var rule = FilterValidator.validate("fl_a", spec(null, null), "alice", Instant.EPOCH);

    var json = Json.write(rule);

    assertThat(rule.scope()).isEqualTo(FilterRule.Scope.GLOBAL);
    assertThat(json).doesNotContain("scope", "target");
    assertThat(Json.read(json, FilterRule.class)).isEqualTo(rule);
  }

  @Test
  void aScopedRuleKeepsItsScopeAndTargetThroughJson() {
    var rule =
        FilterValidator.validate("fl_a", spec("ENDPOINT", "/_transfers"), "alice", Instant.EPOCH);

    var read = Json.read(Json.write(rule), FilterRule.class);

    assertThat(read.scope()).isEqualTo(FilterRule.Scope.ENDPOINT);
    assertThat(read.target()).isEqualTo("/_transfers");
  }

  @Test
  void eachScopeNamesItsOwnKindOfTarget() {
    assertThat(FilterValidator.check(spec("ROUTE", "shop")))
        .extracting("field")
        .containsExactly("target");
    assertThat(FilterValidator.check(spec("SERVICE", "shop"))).isEmpty();
    assertThat(FilterValidator.check(spec("ENDPOINT", "/_tus"))).isEmpty();
    assertThat(FilterValidator.check(spec("ENDPOINT", "/admin")))
        .extracting("field")
        .containsExactly("target");
    assertThat(FilterValidator.check(spec("GLOBAL", "shop")))
        .extracting("field")
        .containsExactly("target");
    assertThat(FilterValidator.check(spec("PLANET", null)))
        .extracting("field")
        .containsExactly("scope");
  }
}
