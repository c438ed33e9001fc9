package dev.crossgate.gateway.endpoint;

import dev.crossgate.auth.Caller;
import dev.crossgate.gateway.auth.CallerStep;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.problem.ProblemException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * A built-in endpoint family served on the gateway port under a {@code /_} path ({@code /_tasks},
 * {@code /_transfers}, {@code /_tus}, {@code /_interfaces}). Requests reach it through the chain
 * (limits, filter table, caller identity) before routing; handlers read who is calling with {@link
 * #caller(RoutingContext)} and never parse credentials themselves. {@link #mount} is called once
 * per event loop, each time on a fresh router, so it must only add routes.
 */
public interface GatewayEndpoint {
  /** The routing-context key under which the chain's exchange is found. */
  String EXCHANGE = "crossgate.exchange";

  void mount(Router router);

  /**
   * Called once, when the node listens, with the way back into its own request chain (the transfer
   * endpoint delivers assembled files to route paths through it). Default: not needed.
   */
  default void listening(NodeLoopback loopback) {}

  /** The chain's exchange of this endpoint request. */
  static Exchange exchange(RoutingContext ctx) {
    Exchange exchange = ctx.get(EXCHANGE);
    if (exchange == null) {
      throw new IllegalStateException(
          "endpoint request " + ctx.request().path() + " did not come through the chain");
    }
    return exchange;
  }

  /** Who is calling; a 401 problem when the request carries no valid API key. */
  static Caller caller(RoutingContext ctx) {
    var exchange = exchange(ctx);
    if (exchange.caller() == null) {
      throw new ProblemException(CallerStep.noCaller(exchange));
    }
    return exchange.caller();
  }
}
