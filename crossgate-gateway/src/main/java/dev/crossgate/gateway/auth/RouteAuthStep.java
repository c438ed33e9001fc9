package dev.crossgate.gateway.auth;

import dev.crossgate.auth.Caller;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;

/**
 * Enforces a matched route's {@code auth} with the caller {@link CallerStep} resolved, then decides
 * what of the caller's identity reaches the upstream. Runs right after route matching.
 *
 * <ul>
 *   <li>{@code KEY}: an API key or registered client certificate; {@code MTLS}: a registered client
 *       certificate; {@code JWT}: a token of an issuer a tenant registered; {@code KEY_OR_JWT}: any
 *       of them. Otherwise 401 (the renderer adds {@code WWW-Authenticate}, RFC 9110 section
 *       11.6.1); a refused token's 401 names the check that failed.
 *   <li>Every header some issuer maps a claim to is removed from the request first, whoever calls,
 *       so a client cannot pose as a token's subject by sending the header itself; a token caller's
 *       verified claims are then written to them.
 *   <li>A verified token is removed from {@code Authorization} unless the route says {@code
 *       forwardToken: true}: identity travels upstream through the configured headers only.
 * </ul>
 */
public final class RouteAuthStep implements Step {
  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var refusal = refusal(exchange);
    if (refusal != null) {
      exchange.reply(refusal);
      return Future.succeededFuture();
    }
    callerHeaders(exchange);
    return next.proceed(exchange);
  }

  private static Problem refusal(Exchange exchange) {
    var caller = exchange.caller();
    var method = caller == null ? null : caller.method();
    return switch (exchange.route().auth()) {
      case NONE -> null;
      case KEY ->
          caller == null
              ? CallerStep.noCaller(exchange)
              : method == Caller.Method.JWT
                  ? Problem.unauthorized(
                      "this route takes an API key or a client certificate, not a token")
                  : null;
      case MTLS ->
          method == Caller.Method.CLIENT_CERT
              ? null
              : Problem.unauthorized(
                  PeerCertificate.of(exchange.request()) == null
                      ? "a client certificate is required"
                      : "the client certificate is not registered to a tenant");
      case JWT ->
          method == Caller.Method.JWT || method == Caller.Method.INTERNAL
              ? null
              : exchange.tokenRejection() != null
                  ? exchange.tokenRejection()
                  : Problem.unauthorized(
                      "a JWT of an issuer the tenant registered is required"
                          + " (Authorization: Bearer <token>)");
      case KEY_OR_JWT -> caller == null ? CallerStep.noCaller(exchange) : null;
    };
  }

  private static void callerHeaders(Exchange exchange) {
    var issuers = exchange.config().issuers();
    if (issuers.isEmpty()) {
      return;
    }
    var headers = exchange.request().headers();
    for (var issuer : issuers.values()) {
      issuer.claimsToHeaders().values().forEach(headers::remove);
    }
    var caller = exchange.caller();
    if (caller != null && caller.method() == Caller.Method.JWT) {
      exchange.callerHeaders().forEach(headers::set);
      if (!exchange.route().forwardsToken()) {
        headers.remove(HttpHeaders.AUTHORIZATION);
      }
    }
  }
}
