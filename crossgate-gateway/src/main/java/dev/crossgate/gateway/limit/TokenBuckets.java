package dev.crossgate.gateway.limit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Token buckets in this node's memory: the counters without Redis, the node's own per-client limit,
 * and the fallback while Redis cannot be reached. The same arithmetic as the shared buckets' Lua
 * script ({@code token-bucket.lua}): a request takes one token from each of its counters, or none
 * when any of them has less than one.
 *
 * <p>Shared by every event loop of a node: all buckets are updated under one monitor, held for a
 * few arithmetic operations per counter. A bucket that has refilled completely is the same as no
 * bucket, so {@link #evictFull} drops those (called from a timer), which bounds memory by the keys
 * seen within one refill time.
 */
public final class TokenBuckets {
  private final LongSupplier nanoClock;
  private final Map<String, Bucket> buckets = new HashMap<>();

  public TokenBuckets(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /**
   * Takes a token from each of {@code counters}' buckets, sized for one of {@code nodes} nodes.
   *
   * @return the verdict, with each bucket's tokens after this request
   */
  public synchronized RateLimitVerdict take(List<Counter> counters, int nodes) {
    long now = nanoClock.getAsLong();
    var tokens = new double[counters.size()];
    boolean allowed = true;
    for (int i = 0; i < tokens.length; i++) {
      var counter = counters.get(i);
      double capacity = counter.capacity(nodes);
      double perNano = counter.perSecond(nodes) / 1e9;
      var bucket = buckets.get(counter.key());
      if (bucket == null) {
        bucket = new Bucket(capacity, now, capacity, perNano);
        buckets.put(counter.key(), bucket);
      }
      bucket.capacity = capacity;
      bucket.perNano = perNano;
      bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updated) * perNano);
      bucket.updated = now;
      tokens[i] = bucket.tokens;
      allowed &= tokens[i] >= 1;
    }
    if (allowed) {
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] -= 1;
        buckets.get(counters.get(i).key()).tokens = tokens[i];
      }
    }
    return RateLimitVerdict.of(counters, tokens, allowed, nodes);
  }

  /** Drops the buckets that have refilled completely. */
  public synchronized void evictFull() {
    long now = nanoClock.getAsLong();
    buckets.values().removeIf(b -> b.tokens + (now - b.updated) * b.perNano >= b.capacity);
  }

  synchronized int tracked() {
    return buckets.size();
  }

  private static final class Bucket {
    double tokens;
    long updated;
    double capacity;
    double perNano;

    Bucket(double tokens, long updated, double capacity, double perNano) {
      this.tokens = tokens;
      this.updated = updated;
      this.capacity = capacity;
      this.perNano = perNano;
    }
  }
}
