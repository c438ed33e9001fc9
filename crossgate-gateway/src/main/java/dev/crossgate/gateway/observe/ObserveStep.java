package dev.crossgate.gateway.observe;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.trace.Tracing;
import io.vertx.core.Future;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First step of the chain, so that it sees every request, including those refused by limits and
 * filters: when the response ends (or is abandoned) it writes the access-log line and records the
 * route's metrics. Requests that matched no route are counted under route {@code "-"}. A client
 * that hangs up before its response is complete is counted ({@code crossgate_client_aborts_total})
 * and logged at DEBUG: it is the client's choice, not an upstream error.
 */
public final class ObserveStep implements Step {
  private static final Logger LOG = LoggerFactory.getLogger(ObserveStep.class);
  private static final Set<String> UPSTREAM_PROBLEMS =
      Set.of("bad-gateway", "gateway-timeout", "upstream-busy");

  private final AccessLog accessLog;
  private final GatewayMetrics metrics;
  private final Tracing tracing;

  public ObserveStep(boolean jsonAccessLog, GatewayMetrics metrics, Tracing tracing) {
    this.accessLog = new AccessLog(jsonAccessLog, metrics.accessLogWriter());
    this.metrics = metrics;
    this.tracing = tracing;
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    if (tracing.on()) {
      exchange.trace(tracing.start(exchange.request()));
    }
    exchange.onComplete(this::completed);
    return next.proceed(exchange);
  }

  private void completed(Exchange ex) {
    long duration = System.nanoTime() - ex.startNanos();
    var route = ex.route();
    var routeId = route == null ? "-" : route.id();
    var request = ex.request();
    String errorKind = null;
    var problem = ex.problem() == null ? null : ex.problem().typeName();
    boolean upstreamFailed = problem != null && UPSTREAM_PROBLEMS.contains(problem);
    if (problem != null && !upstreamFailed) {
      metrics.problem(problem);
    }
    if (upstreamFailed) {
      errorKind = problem;
    } else if (ex.clientGone()) {
      metrics.clientAborted(route);
      LOG.debug(
          "client went away mid-response requestId={} route={} bytesOut={}",
          ex.requestId(),
          routeId,
          request.response().bytesWritten());
    } else if (ex.responseFailed() && ex.upstream() != null) {
      errorKind = "aborted";
    }
    metrics.record(
        route,
        request.method(),
        ex.status(),
        duration,
        ex.upstreamNanos(),
        request.bytesRead(),
        request.response().bytesWritten(),
        errorKind);
    accessLog.log(ex, duration);
    if (ex.trace() != null) {
      ex.trace().end(ex.status(), routeId);
    }
  }
}
