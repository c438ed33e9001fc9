package dev.crossgate.gateway.auth;

import dev.crossgate.auth.Caller;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.problem.Problem;
import dev.crossgate.route.Route;
import io.vertx.core.Future;

/**
 * Enforces a matched route's {@code auth}: {@code KEY} routes need the caller that {@link
 * CallerStep} resolved (API key or registered client certificate), {@code MTLS} routes a caller
 * identified by a registered client certificate; otherwise 401 (the renderer adds {@code
 * WWW-Authenticate}, RFC 9110 section 11.6.1). Runs right after route matching.
 */
public final class RouteAuthStep implements Step {
  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    if (route.auth() == Route.Auth.KEY && exchange.caller() == null) {
      exchange.reply(CallerStep.noCaller(exchange));
      return Future.succeededFuture();
    }
    if (route.auth() == Route.Auth.MTLS
        && (exchange.caller() == null || exchange.caller().method() != Caller.Method.CLIENT_CERT)) {
      exchange.reply(
          Problem.unauthorized(
              PeerCertificate.of(exchange.request()) == null
                  ? "a client certificate is required"
                  : "the client certificate is not registered to a tenant"));
      return Future.succeededFuture();
    }
    return next.proceed(exchange);
  }
}
