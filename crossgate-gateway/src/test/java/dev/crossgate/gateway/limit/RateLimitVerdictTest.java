package dev.crossgate.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.ratelimit.RateLimit.Scope;
import dev.crossgate.ratelimit.RateLimit.Window;
import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RateLimit header fields as draft-ietf-httpapi-ratelimit-headers-07 writes them. */
class RateLimitVerdictTest {
  private final Counter perSecond =
      new Counter("s", new RateLimit(Scope.TENANT, 100, Window.SECOND, 20));
  private final Counter perHour =
      new Counter("h", new RateLimit(Scope.ROUTE, 1000, Window.HOUR, 1000));

  @Test
  void everyPolicyIsListedAndTheTightestIsDescribed() {
    var verdict =
        RateLimitVerdict.of(List.of(perSecond, perHour), new double[] {4.5, 900}, true, 1);
    var headers = MultiMap.caseInsensitiveMultiMap();

    verdict.addHeaders(headers);

    assertThat(headers.get("RateLimit-Policy")).isEqualTo("100;w=1;burst=20, 1000;w=3600");
    // 4.5 tokens: 4 requests now, full again after 15.5 / 100 s
    assertThat(headers.get("RateLimit")).isEqualTo("limit=100, remaining=4, reset=1");
  }

  @Test
  void aRefusalSaysHowLongToWaitInRetryAfterAndReset() {
    var verdict = RateLimitVerdict.of(List.of(perHour), new double[] {0.2}, false, 1);
    var headers = MultiMap.caseInsensitiveMultiMap();

    verdict.addHeaders(headers);
    var problem = verdict.problem();

    // 0.8 of a token at 1000 per hour: 2.88 s
    assertThat(verdict.retryAfterSeconds()).isEqualTo(3);
    assertThat(problem.status()).isEqualTo(429);
    assertThat(problem.extensions())
        .containsEntry("retryAfter", 3L)
        .containsEntry("limit", 1000L)
        .containsEntry("window", "1h")
        .containsEntry("scope", "ROUTE");
    assertThat(headers.get("RateLimit")).isEqualTo("limit=1000, remaining=0, reset=3600");
  }

  @Test
  void aPolicyWhoseBurstIsItsLimitIsWrittenWithoutBurst() {
    assertThat(perHour.policy().policyItem()).isEqualTo("1000;w=3600");
  }
}
