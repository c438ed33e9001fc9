package dev.crossgate.gateway.auth;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.route.Route;
import io.vertx.core.Future;

/**
 * Enforces a matched route's {@code auth}: {@code KEY} routes need the caller that
 * {@link CallerStep} resolved, otherwise 401 (the renderer adds {@code WWW-Authenticate}, RFC 9110
 * section 11.6.1). Runs right after route matching.
 */
public final class RouteAuthStep implements Step {
  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    if (route.auth() == Route.Auth.KEY && exchange.caller() == null) {
      exchange.reply(CallerStep.noCaller(exchange));
      return Future.succeededFuture();
    }
    return next.proceed(exchange);
  }
}
