package dev.crossgate.agent.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CallbackPolicyTest {
  private final CallbackPolicy policy =
      new CallbackPolicy(List.of("http://app.internal:8080/hooks/"));

  @Test
  void aUrlUnderAnAllowedPrefixPasses() {
    assertThat(policy.check("http://app.internal:8080/hooks/results?x=1")).isNull();
    assertThat(policy.check("http://APP.internal:8080/hooks")).isNull();
  }

  @Test
  void everythingElseIsRefusedAsAProblem() {
    for (var url :
        List.of(
            "http://169.254.169.254/latest/meta-data",
            "http://app.internal:8081/hooks/x",
            "https://app.internal:8080/hooks/x",
            "http://app.internal:8080/hooksX",
            "http://app.internal:8080/admin",
            "http://app.internal:8080/hooks/../admin",
            "http://user@app.internal:8080/hooks/x",
            "file:///etc/passwd",
            "/hooks/x",
            "http://app.internal.evil.com:8080/hooks/x",
            "not a url")) {
      var problem = policy.check(url);
      assertThat(problem).as(url).isNotNull();
      assertThat(problem.typeName()).isEqualTo("callback-not-allowed");
      assertThat(problem.status()).isEqualTo(400);
    }
  }

  @Test
  void withoutAnAllowListNoCallbackIsAllowed() {
    assertThat(new CallbackPolicy(List.of()).check("http://app.internal:8080/hooks/x")).isNotNull();
  }
}
