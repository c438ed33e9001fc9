package dev.crossgate.http;

import io.vertx.core.VertxOptions;

/**
 * The Vert.x options every long-running role starts from: the native transport (Linux epoll) when
 * it loads, NIO otherwise; {@code -Dcrossgate.nativeTransport=false} forces NIO. The agent ran on
 * NIO until it used these: bench/tasks/RESULTS.md has what that cost its sync path.
 */
public final class Transports {
  private Transports() {}

  public static VertxOptions vertxOptions() {
    return new VertxOptions()
        .setPreferNativeTransport(!"false".equals(System.getProperty("crossgate.nativeTransport")));
  }
}
