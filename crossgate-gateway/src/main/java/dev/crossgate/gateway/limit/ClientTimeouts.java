package dev.crossgate.gateway.limit;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How long an HTTP/1.x client connection may wait before its next request head is complete: the
 * request-head timeout from accept until the first head (slow-header attacks open many connections
 * and trickle bytes, which resets any idle timer), then the keep-alive timeout from the end of each
 * response until the next head. A connection over its time is closed without an answer, as nginx
 * does for {@code client_header_timeout}. While a request is in flight the connection is not timed
 * here (the route's own timeouts apply). HTTP/2 connections are left to the server's idle timeout:
 * their streams multiplex, so "the next head" means nothing.
 *
 * <p>Deadlines are checked by {@link #sweep()} about once a second, not by a timer per request, so
 * the hot path costs two map operations. One instance per event loop; not thread-safe.
 */
public final class ClientTimeouts {
  private final long requestHeadNanos;
  private final long keepAliveNanos;
  private final LongSupplier nanoTime;

  /** Connections waiting for a request head, with the deadline by which it must be complete. */
  private final Map<HttpConnection, Long> waiting = new HashMap<>();

  private long closedForTimeout;

  public ClientTimeouts(
      java.time.Duration requestHead, java.time.Duration keepAlive, LongSupplier nanoTime) {
    this.requestHeadNanos = requestHead.toNanos();
    this.keepAliveNanos = keepAlive.toNanos();
    this.nanoTime = nanoTime;
  }

  /** A connection was accepted: its first request head is due within the request-head timeout. */
  public void accepted(HttpConnection connection) {
    if (requestHeadNanos > 0 && !isHttp2(connection)) {
      waiting.put(connection, nanoTime.getAsLong() + requestHeadNanos);
    }
  }

  /** A request head arrived on {@code connection}: it is not timed while the exchange runs. */
  public void requestStarted(HttpConnection connection) {
    waiting.remove(connection);
  }

  /**
   * The response ended and the connection stays open: the next head is due within the keep-alive
   * timeout.
   */
  public void responseEnded(HttpConnection connection) {
    if (keepAliveNanos > 0 && !isHttp2(connection)) {
      waiting.put(connection, nanoTime.getAsLong() + keepAliveNanos);
    }
  }

  public void closed(HttpConnection connection) {
    waiting.remove(connection);
  }

  /** Closes every connection past its deadline. Event loop, about once a second. */
  public void sweep() {
    if (waiting.isEmpty()) {
      return;
    }
    long now = nanoTime.getAsLong();
    var expired =
        waiting.entrySet().stream()
            .filter(e -> now - e.getValue() >= 0)
            .map(Map.Entry::getKey)
            .toList();
    for (var connection : expired) {
      waiting.remove(connection);
      closedForTimeout++;
      connection.close();
    }
  }

  /** Connections this instance closed because a request head did not come in time. */
  public long closedForTimeout() {
    return closedForTimeout;
  }

  private static boolean isHttp2(HttpConnection connection) {
    return connection.protocolVersion() == HttpVersion.HTTP_2;
  }
}
