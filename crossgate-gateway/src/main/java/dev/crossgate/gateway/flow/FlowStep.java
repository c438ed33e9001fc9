package dev.crossgate.gateway.flow;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.GatewayProblems;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.route.Route;
import io.vertx.core.Future;

/**
 * The place of a route's flow (DESIGN.md "Extensions") and mode in the chain. This node proxies
 * synchronously; a route that needs extension steps or asynchronous tasks is answered 501 rather
 * than proxied without the steps its operator asked for.
 */
public final class FlowStep implements Step {
  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    if (route.mode() == Route.Mode.ASYNC || exchange.marker() == Exchange.Marker.ASYNC) {
      exchange.reply(GatewayProblems.notImplemented("asynchronous interfaces are not served by this node yet"));
      return Future.succeededFuture();
    }
    for (var step : route.flow()) {
      if (!step.equals("proxy")) {
        exchange.reply(GatewayProblems.notImplemented("flow step " + step + " is not available on this node"));
        return Future.succeededFuture();
      }
    }
    return next.proceed(exchange);
  }
}
