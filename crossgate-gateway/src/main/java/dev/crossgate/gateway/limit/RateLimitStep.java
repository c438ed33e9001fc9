package dev.crossgate.gateway.limit;

import dev.crossgate.auth.Caller;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.ratelimit.RateLimit;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Rate limits, right after route auth (so the caller is known): the matched route's {@code
 * rateLimits} and, when the caller is a tenant with {@code rateLimits} of its own, the tenant's
 * (which apply to every route it calls). One counter per policy, keyed by what its scope counts,
 * all taken at once by the node's {@link RateLimiter}. Every response to a limited request carries
 * the {@code RateLimit-Policy} and {@code RateLimit} fields; an empty counter answers 429 with
 * {@code Retry-After}.
 */
public final class RateLimitStep implements Step {
  private final RateLimiter limiter;

  public RateLimitStep(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    var caller = exchange.caller();
    var tenantLimits =
        caller == null
            ? List.<RateLimit>of()
            : exchange.config().tenantRateLimits(caller.tenantId());
    if (route.limits().isEmpty() && tenantLimits.isEmpty()) {
      return next.proceed(exchange);
    }
    var counters = new ArrayList<Counter>();
    addCounters(
        counters, "route:" + route.id(), route.limits(), route.id(), caller, exchange.clientIp());
    if (caller != null) {
      addCounters(
          counters,
          "tenant:" + caller.tenantId(),
          tenantLimits,
          route.id(),
          caller,
          exchange.clientIp());
    }
    return limiter
        .take(counters)
        .compose(
            verdict -> {
              // the live response head: kept whichever step answers later (upstream, problem)
              verdict.addHeaders(exchange.request().response().headers());
              if (!verdict.allowed()) {
                exchange.reply(verdict.problem());
                return Future.succeededFuture();
              }
              return next.proceed(exchange);
            });
  }

  /**
   * Adds the counters of {@code policies} held by {@code owner} (a route, or a tenant whose limits
   * span its routes: its ROUTE policies count each route apart). Requests without a caller are
   * counted by client IP for TENANT and CALLER policies.
   */
  static void addCounters(
      List<Counter> counters,
      String owner,
      List<RateLimit> policies,
      String routeId,
      Caller caller,
      String clientIp) {
    for (var p : policies) {
      var subject =
          switch (p.scope()) {
            case ROUTE -> routeId;
            case CLIENT_IP -> clientIp;
            case TENANT -> caller == null ? "ip=" + clientIp : caller.tenantId();
            case CALLER ->
                caller == null ? "ip=" + clientIp : caller.tenantId() + "/" + caller.credentialId();
          };
      counters.add(
          new Counter(owner + ":" + p.scope() + ":" + p.window().text() + ":" + subject, p));
    }
  }
}
