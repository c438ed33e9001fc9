package dev.crossgate.gateway.limit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bound on how many of something one key holds at once: connections per client IP, requests in
 * flight per tenant. Shared by every event loop of a node; a count that drops to zero is removed
 * again, so idle keys cost nothing.
 */
public final class KeyedLimit {
  private final int max;
  private final ConcurrentHashMap<String, AtomicInteger> held = new ConcurrentHashMap<>();

  /**
   * @param max what one key may hold; 0 = unlimited (nothing is counted)
   */
  public KeyedLimit(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("a limit is >= 0 (0 = unlimited), got " + max);
    }
    this.max = max;
  }

  public int max() {
    return max;
  }

  /** Counts one for {@code key}; false (and nothing counted) when it is at its bound. */
  public boolean tryAcquire(String key) {
    if (max == 0) {
      return true;
    }
    var admitted = new boolean[1];
    held.compute(
        key,
        (k, count) -> {
          var c = count == null ? new AtomicInteger() : count;
          if (c.get() < max) {
            c.incrementAndGet();
            admitted[0] = true;
          }
          return c.get() == 0 ? null : c;
        });
    return admitted[0];
  }

  /** Gives back what a successful {@link #tryAcquire} counted. */
  public void release(String key) {
    if (max == 0) {
      return;
    }
    held.computeIfPresent(key, (k, count) -> count.decrementAndGet() == 0 ? null : count);
  }

  public int held(String key) {
    var count = held.get(key);
    return count == null ? 0 : count.get();
  }
}
