package dev.crossgate.agent.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.agent.callback.CallbackPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spellings of a callback URL that a receiving server resolves outside the allowed prefix: the
 * agent would POST a task's result (and its signature) to them on a caller's say-so. The allow-list
 * compares URLs in normal form, so each spelling is refused as the path it really names.
 */
class CallbackAllowListBypassTest {
  private final CallbackPolicy policy = new CallbackPolicy(List.of("http://app.internal:8080/cb/"));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://app.internal:8080/cb/%2e%2e/admin",
        "http://app.internal:8080/cb/%2E%2E/admin",
        "http://app.internal:8080/cb/.%2e/admin",
        "http://app.internal:8080/cb/x/../../admin",
        "http://app.internal:8080/cb/..;/admin",
        "http://app.internal:8080/cb;x/../admin",
        "http://app.internal:8080/cb/..%2Fadmin",
        "http://app.internal:8080/cb/%5C..%5Cadmin",
        "http://app.internal:8080/%63b/../admin"
      })
  void aDotSegmentOrPathParameterSpellingThatLeavesThePrefixIsRefused(String url) {
    var problem = policy.check(url);

    assertThat(problem).as(url).isNotNull();
    assertThat(problem.status()).isEqualTo(400);
    assertThat(problem.typeName()).isEqualTo("callback-not-allowed");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "HTTP://APP.INTERNAL:8080/cb/done",
        "http://app.internal:8080/cb/a/../b",
        "http://app.internal:8080/%63b/done",
        "http://app.internal:8080/cb",
        "http://App.Internal:8080/cb/x?y=1"
      })
  void equivalentSpellingsOfAnAllowedUrlPass(String url) {
    assertThat(policy.check(url)).as(url).isNull();
  }

  @Test
  void theSchemesDefaultPortIsTheSameOriginAsNoPort() {
    var withoutPort = new CallbackPolicy(List.of("https://app.internal/cb/"));
    var withDefaultPort = new CallbackPolicy(List.of("https://app.internal:443/cb/"));

    assertThat(withoutPort.check("https://app.internal:443/cb/done")).isNull();
    assertThat(withDefaultPort.check("https://app.internal/cb/done")).isNull();
    assertThat(withoutPort.check("http://app.internal:443/cb/done")).isNotNull();
    assertThat(withoutPort.check("https://app.internal:8443/cb/done")).isNotNull();
  }

  @Test
  void aPrefixThatIsNotAPlainHttpUrlIsRefusedAtStart() {
    assertThatThrownBy(() -> new CallbackPolicy(List.of("http://app.internal/cb;x/")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CallbackPolicy(List.of("http://user@app.internal/cb/")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
