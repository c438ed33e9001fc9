package dev.crossgate.gateway.flow;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.GatewayProblems;
import dev.crossgate.gateway.chain.Step;
import io.vertx.core.Future;

/**
 * The place of a route's flow (DESIGN.md "Extensions") in the chain. A route that needs extension
 * steps is answered 501 rather than proxied without the steps its operator asked for. (Async
 * modes are the task step's, just before this one.)
 */
public final class FlowStep implements Step {
  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    for (var step : route.flow()) {
      if (!step.equals("proxy")) {
        exchange.reply(GatewayProblems.notImplemented("flow step " + step + " is not available on this node"));
        return Future.succeededFuture();
      }
    }
    return next.proceed(exchange);
  }
}
