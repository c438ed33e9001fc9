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
 * The matched route's {@code rateLimits}, right after route auth (so the caller is known): one
 * counter per policy, keyed by what its scope counts, all taken at once by the node's {@link
 * RateLimiter}. Every response to a limited route carries the {@code RateLimit-Policy} and {@code
 * RateLimit} fields; an empty counter answers 429 with {@code Retry-After}.
 */
public final class RateLimitStep implements Step {
  private final RateLimiter limiter;

  public RateLimitStep(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    if (route.limits().isEmpty()) {
      return next.proceed(exchange);
    }
    return limiter
        .take(counters(route.id(), route.limits(), exchange.caller(), exchange.clientIp()))
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
   * The counters of {@code policies} on route {@code routeId} for this caller. Requests without a
   * caller are counted by client IP for TENANT and CALLER policies.
   */
  static List<Counter> counters(
      String routeId, List<RateLimit> policies, Caller caller, String clientIp) {
    var counters = new ArrayList<Counter>(policies.size());
    for (var p : policies) {
      var subject =
          switch (p.scope()) {
            case ROUTE -> "";
            case CLIENT_IP -> clientIp;
            case TENANT -> caller == null ? "ip=" + clientIp : caller.tenantId();
            case CALLER ->
                caller == null ? "ip=" + clientIp : caller.tenantId() + "/" + caller.credentialId();
          };
      counters.add(
          new Counter(routeId + ":" + p.scope() + ":" + p.window().text() + ":" + subject, p));
    }
    return counters;
  }
}
