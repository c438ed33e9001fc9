package dev.crossgate.gateway.limit;

import dev.crossgate.ratelimit.RateLimit;

/**
 * One policy's token bucket for one key, e.g. the route's TENANT policy for tenant {@code acme}.
 *
 * @param key the bucket's name, the same on every node (the Redis key without its prefix)
 */
public record Counter(String key, RateLimit policy) {

  /** Whole tokens the bucket holds when full, its share of it on one of {@code nodes} nodes. */
  double capacity(int nodes) {
    return Math.max(1, Math.floor((double) policy.burst() / nodes));
  }

  /** Tokens added per second, its share of it on one of {@code nodes} nodes. */
  double perSecond(int nodes) {
    return policy.perSecond() / nodes;
  }
}
