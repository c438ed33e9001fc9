package dev.crossgate.gateway.observe;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import io.vertx.core.Future;
import java.util.Set;

/**
 * First step of the chain, so that it sees every request, including those refused by limits and
 * filters: when the response ends (or is abandoned) it writes the access-log line and records the
 * route's metrics. Requests that matched no route are counted under route {@code "-"}.
 */
public final class ObserveStep implements Step {
  private static final Set<String> UPSTREAM_PROBLEMS = Set.of("bad-gateway", "gateway-timeout", "upstream-busy");

  private final AccessLog accessLog;
  private final GatewayMetrics metrics;

  public ObserveStep(boolean jsonAccessLog, GatewayMetrics metrics) {
    this.accessLog = new AccessLog(jsonAccessLog);
    this.metrics = metrics;
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    exchange.onComplete(this::completed);
    return next.proceed(exchange);
  }

  private void completed(Exchange ex) {
    long duration = System.nanoTime() - ex.startNanos();
    var route = ex.route();
    String errorKind = null;
    if (ex.problem() != null && UPSTREAM_PROBLEMS.contains(ex.problem().typeName())) {
      errorKind = ex.problem().typeName();
    } else if (ex.responseFailed() && ex.upstream() != null) {
      errorKind = "aborted";
    }
    metrics.record(route == null ? "-" : route.id(), ex.status(), duration, errorKind);
    accessLog.log(ex, duration);
  }
}
