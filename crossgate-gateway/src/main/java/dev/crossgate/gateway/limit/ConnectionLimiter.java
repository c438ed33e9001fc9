package dev.crossgate.gateway.limit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections per peer IP across the node's event loops. A connection over the limit is
 * not refused at accept time (the client would see a bare reset); its requests are answered 429
 * with {@code Connection: close} instead.
 */
public final class ConnectionLimiter {
  private final int maxPerClient;
  private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

  public ConnectionLimiter(int maxPerClient) {
    this.maxPerClient = maxPerClient;
  }

  /** Records a new connection; false when it exceeds the limit (it still counts until closed). */
  public boolean opened(String ip) {
    int n = open.computeIfAbsent(ip, k -> new AtomicInteger()).incrementAndGet();
    return maxPerClient == 0 || n <= maxPerClient;
  }

  public void closed(String ip) {
    open.computeIfPresent(ip, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
  }

  public int maxPerClient() {
    return maxPerClient;
  }
}
