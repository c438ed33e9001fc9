package dev.crossgate.gateway;

import io.vertx.ext.web.Router;

/**
 * A built-in endpoint family served on the gateway port under a {@code /_} path ({@code /_tasks},
 * {@code /_transfers}, {@code /_tus}, {@code /_interfaces}). Requests reach it after the limits and
 * the filter table, before routing. {@link #mount} is called once per event loop, each time on a
 * fresh router, so it must only add routes.
 */
public interface GatewayEndpoint {
  void mount(Router router);

  /**
   * Called once, when the node listens, with the way back into its own request chain (the
   * transfer endpoint delivers assembled files to route paths through it). Default: not needed.
   */
  default void listening(NodeLoopback loopback) {}
}
