package dev.crossgate.gateway.limit;

import java.time.Duration;
import java.util.Objects;

/**
 * Where a node keeps its rate-limit counters.
 *
 * @param redisUri Redis shared by every node ({@code redis://host:6379}), or null to count in this
 *     node's memory only
 * @param keyPrefix prepended to every Redis key, one per deployment sharing a Redis
 * @param redisTimeout how long a request waits for Redis before it is counted locally instead
 * @param nodes gateway nodes sharing the limits: while Redis cannot be reached, each enforces this
 *     share of every limit
 */
public record RateLimitOptions(
    String redisUri, String keyPrefix, Duration redisTimeout, int nodes) {
  public static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofMillis(50);
  public static final String DEFAULT_KEY_PREFIX = "crossgate:rl:";

  /** Counting in this node's memory. */
  public static final RateLimitOptions LOCAL =
      new RateLimitOptions(null, DEFAULT_KEY_PREFIX, DEFAULT_REDIS_TIMEOUT, 1);

  public RateLimitOptions {
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    Objects.requireNonNull(redisTimeout, "redisTimeout");
    if (nodes < 1 || redisTimeout.isNegative() || redisTimeout.isZero()) {
      throw new IllegalArgumentException(
          "rate limits: nodes must be >= 1 and the Redis timeout positive");
    }
  }
}
