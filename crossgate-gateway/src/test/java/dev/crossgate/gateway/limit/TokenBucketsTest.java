package dev.crossgate.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.ratelimit.RateLimit.Scope;
import dev.crossgate.ratelimit.RateLimit.Window;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketsTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final TokenBuckets buckets = new TokenBuckets(now::get);
  private final RateLimit twoPerSecondBurstThree =
      new RateLimit(Scope.CLIENT_IP, 2, Window.SECOND, 3);

  private RateLimitVerdict take(String key) {
    return buckets.take(List.of(new Counter(key, twoPerSecondBurstThree)), 1);
  }

  @Test
  void aClientMayBurstThenWaitsForTokensToRefill() {
    assertThat(take("a").allowed()).isTrue();
    assertThat(take("a").allowed()).isTrue();
    assertThat(take("a").tightest().remaining()).isZero();

    var refused = take("a");

    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterSeconds()).as("seconds to wait").isEqualTo(1);
    now.addAndGet(500_000_000L);
    assertThat(take("a").allowed()).isTrue();
  }

  @Test
  void keysHaveTheirOwnBuckets() {
    for (int i = 0; i < 3; i++) {
      take("a");
    }

    assertThat(take("a").allowed()).isFalse();
    assertThat(take("b").allowed()).isTrue();
  }

  @Test
  void aRequestTakesFromEveryCounterOrFromNoneWhenOneIsEmpty() {
    var hourly = new RateLimit(Scope.TENANT, 100, Window.HOUR, 100);
    var perSecond = new Counter("s", new RateLimit(Scope.ROUTE, 1, Window.SECOND, 1));
    var perHour = new Counter("h", hourly);

    assertThat(buckets.take(List.of(perSecond, perHour), 1).allowed()).isTrue();
    var refused = buckets.take(List.of(perSecond, perHour), 1);

    assertThat(refused.allowed()).isFalse();
    assertThat(buckets.take(List.of(perHour), 1).tightest().remaining())
        .as("the refused request took nothing from the hourly bucket")
        .isEqualTo(98);
  }

  @Test
  void aNodesShareIsTheLimitDividedByTheNodes() {
    var counter = new Counter("t", new RateLimit(Scope.TENANT, 10, Window.SECOND, 10));

    int allowed = 0;
    for (int i = 0; i < 20; i++) {
      allowed += buckets.take(List.of(counter), 2).allowed() ? 1 : 0;
    }

    assertThat(allowed).isEqualTo(5);
  }

  @Test
  void refilledBucketsAreForgotten() {
    take("a");
    now.addAndGet(1_000_000_000L);

    buckets.evictFull();

    assertThat(buckets.tracked()).isZero();
  }
}
