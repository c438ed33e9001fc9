package dev.crossgate.gateway.endpoint;

import dev.crossgate.gateway.auth.InternalCaller;
import java.util.Objects;

/**
 * How a node's own components reach its request chain: the address its listener accepts connections
 * on from this host, and the credential that lets a request act as a tenant there. Given to each
 * {@link GatewayEndpoint} once the node listens.
 *
 * @param host a loopback address when the node binds every interface, else the bind address
 * @param port the port actually bound (an ephemeral one when 0 was asked for)
 */
public record NodeLoopback(String host, int port, InternalCaller caller) {
  public NodeLoopback {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(caller, "caller");
    if (port <= 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 1-65535, got " + port);
    }
  }

  /**
   * The loopback for a node bound to {@code bind}: the wildcard addresses become 127.0.0.1 / ::1.
   */
  public static NodeLoopback of(String bind, int port, InternalCaller caller) {
    var host =
        switch (bind) {
          case "0.0.0.0", "" -> "127.0.0.1";
          case "::", "[::]", "0:0:0:0:0:0:0:0" -> "::1";
          default -> bind;
        };
    return new NodeLoopback(host, port, caller);
  }
}
