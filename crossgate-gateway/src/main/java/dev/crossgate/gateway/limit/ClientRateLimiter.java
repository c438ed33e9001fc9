package dev.crossgate.gateway.limit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client IP: {@code ratePerSecond} tokens a second, up to {@code burst}. Shared
 * by every event loop of a node, so buckets are updated under their own monitor (held for a few
 * arithmetic operations). Idle buckets are dropped by {@link #evictIdle}, called from a timer,
 * which bounds the memory to the clients seen in the last minute.
 */
public final class ClientRateLimiter {
  private static final long IDLE_NANOS = 60_000_000_000L;

  private final double ratePerNano;
  private final double burst;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public ClientRateLimiter(int ratePerSecond, int burst, LongSupplier nanoClock) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("rate must be at least 1 request per second");
    }
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = Math.max(1, burst);
    this.clock = nanoClock;
  }

  /**
   * Takes one token for {@code clientIp}.
   *
   * @return 0 when the request may go, else the seconds to wait before a token is available
   */
  public long acquire(String clientIp) {
    long now = clock.getAsLong();
    var bucket = buckets.computeIfAbsent(clientIp, ip -> new Bucket(burst, now));
    synchronized (bucket) {
      bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) * ratePerNano);
      bucket.updated = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      double missing = 1 - bucket.tokens;
      return Math.max(1, (long) Math.ceil(missing / ratePerNano / 1e9));
    }
  }

  public void evictIdle() {
    long now = clock.getAsLong();
    buckets
        .values()
        .removeIf(
            b -> {
              synchronized (b) {
                return now - b.updated > IDLE_NANOS;
              }
            });
  }

  int trackedClients() {
    return buckets.size();
  }

  private static final class Bucket {
    double tokens;
    long updated;

    Bucket(double tokens, long updated) {
      this.tokens = tokens;
      this.updated = updated;
    }
  }
}
