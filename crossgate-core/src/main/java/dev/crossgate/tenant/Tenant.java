package dev.crossgate.tenant;

import dev.crossgate.ratelimit.RateLimit;
import java.time.Instant;
import java.util.List;

/**
 * A tenant of the platform: callers and extension providers are identified through its API keys.
 *
 * @param rateLimits policies on every request the tenant's callers make to a route, beside the
 *     route's own; null when none (so a tenant without them is written as before)
 */
public record Tenant(
    String id,
    String name,
    boolean enabled,
    Instant createdAt,
    Instant updatedAt,
    long revision,
    List<RateLimit> rateLimits) {

  public Tenant {
    rateLimits = rateLimits == null || rateLimits.isEmpty() ? null : List.copyOf(rateLimits);
  }

  /** The tenant's rate-limit policies; empty when it has none. */
  public List<RateLimit> limits() {
    return rateLimits == null ? List.of() : rateLimits;
  }
}
