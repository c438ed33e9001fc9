package dev.crossgate.gateway.limit;

import dev.crossgate.problem.Problem;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests each tenant has in flight on this node, bounded so that one tenant's flood (slow
 * upstreams, huge async bodies) cannot take every connection, buffer and worker from the others.
 * Shared by every event loop of a node; a counter that drops to zero is removed again, so idle
 * tenants cost nothing.
 */
public final class TenantInFlight {
  private final int maxPerTenant;
  private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  /**
   * @param maxPerTenant requests one tenant may have in flight; 0 = unlimited
   */
  public TenantInFlight(int maxPerTenant) {
    if (maxPerTenant < 0) {
      throw new IllegalArgumentException("maxPerTenant must be >= 0, got " + maxPerTenant);
    }
    this.maxPerTenant = maxPerTenant;
  }

  /** Counts a request for {@code tenant}; false (and nothing counted) when it is at its bound. */
  public boolean tryAcquire(String tenant) {
    if (maxPerTenant == 0) {
      return true;
    }
    var admitted = new boolean[1];
    inFlight.compute(
        tenant,
        (t, count) -> {
          var c = count == null ? new AtomicInteger() : count;
          if (c.get() < maxPerTenant) {
            c.incrementAndGet();
            admitted[0] = true;
          }
          return c.get() == 0 ? null : c;
        });
    return admitted[0];
  }

  /** The request counted by a successful {@link #tryAcquire} ended. */
  public void release(String tenant) {
    if (maxPerTenant == 0) {
      return;
    }
    inFlight.computeIfPresent(tenant, (t, count) -> count.decrementAndGet() == 0 ? null : count);
  }

  public int inFlight(String tenant) {
    var count = inFlight.get(tenant);
    return count == null ? 0 : count.get();
  }

  /** The 429 a tenant over its bound gets. */
  public Problem overLimit(String tenant) {
    return Problem.of(
            "tenant-in-flight-limit",
            "Too many requests in flight",
            429,
            "tenant "
                + tenant
                + " already has "
                + maxPerTenant
                + " requests in flight on this node, its limit")
        .with("limit", maxPerTenant)
        .with("retryAfter", 1);
  }
}
