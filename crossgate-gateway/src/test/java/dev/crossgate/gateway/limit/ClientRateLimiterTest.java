package dev.crossgate.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ClientRateLimiter limiter = new ClientRateLimiter(2, 3, now::get);

  @Test
  void aClientMayBurstThenWaitsForTokensToRefill() {
    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isZero();

    assertThat(limiter.acquire("a")).as("seconds to wait").isEqualTo(1);

    now.addAndGet(500_000_000L);
    assertThat(limiter.acquire("a")).isZero();
  }

  @Test
  void clientsHaveTheirOwnBuckets() {
    for (int i = 0; i < 3; i++) {
      limiter.acquire("a");
    }

    assertThat(limiter.acquire("a")).isPositive();
    assertThat(limiter.acquire("b")).isZero();
  }

  @Test
  void idleClientsAreForgotten() {
    limiter.acquire("a");
    now.addAndGet(61_000_000_000L);

    limiter.evictIdle();

    assertThat(limiter.trackedClients()).isZero();
  }
}
