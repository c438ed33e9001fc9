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

  /**
   * The port for a listener that several event loops share: {@code port}, or a free one on {@code
   * host} when it is 0. Vert.x shares a listener among instances by the host and port asked for, so
   * port 0 would give each instance a port of its own.
   */
  public static int sharedPort(String host, int port) {
    if (port != 0) {
      return port;
    }
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("no free port on " + host, e);
    }
  }
}
