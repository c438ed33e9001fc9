package dev.crossgate.gateway.limit;

import dev.crossgate.problem.Problem;

/**
 * Requests each tenant has in flight on this node, bounded so that one tenant's flood (slow
 * upstreams, huge async bodies) cannot take every connection, buffer and worker from the others.
 * Shared by every event loop of a node; a counter that drops to zero is removed again, so idle
 * tenants cost nothing.
 */
public final class TenantInFlight {
  private final KeyedLimit inFlight;

  /**
   * @param maxPerTenant requests one tenant may have in flight; 0 = unlimited
   */
  public TenantInFlight(int maxPerTenant) {
    this.inFlight = new KeyedLimit(maxPerTenant);
  }

  /** Counts a request for {@code tenant}; false (and nothing counted) when it is at its bound. */
  public boolean tryAcquire(String tenant) {
    return inFlight.tryAcquire(tenant);
  }

  /** The request counted by a successful {@link #tryAcquire} ended. */
  public void release(String tenant) {
    inFlight.release(tenant);
  }

  public int inFlight(String tenant) {
    return inFlight.held(tenant);
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
                + inFlight.max()
                + " requests in flight on this node, its limit")
        .with("limit", inFlight.max())
        .with("retryAfter", 1);
  }
}
