package dev.crossgate.gateway.limit;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.GatewayProblems;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.problem.Problem;
import dev.crossgate.ratelimit.RateLimit;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * First gate of the chain, before anything parses the request further: request-target length (414,
 * RFC 9112 section 3), header block size (431, RFC 6585 section 5), connections and request rate
 * per client IP (429 with {@code Retry-After}, RFC 6585 section 4), and a declared {@code
 * Content-Length} above the default body limit (413 before any byte is read; the limit is also
 * enforced while streaming by the proxy). Netty's decoder limits sit slightly above these as a
 * backstop, answered by the server's invalid-request handler with the same problems.
 */
public final class LimitStep implements Step {
  private final GatewayOptions.Limits limits;
  private final TokenBuckets clientBuckets;
  private final RateLimit perClient;
  private final Set<HttpConnection> overLimitConnections;

  /**
   * @param clientBuckets the node's in-memory buckets, for the per-client request rate
   * @param overLimitConnections connections of this event loop that exceeded the per-client limit
   */
  public LimitStep(
      GatewayOptions.Limits limits,
      TokenBuckets clientBuckets,
      Set<HttpConnection> overLimitConnections) {
    this.limits = limits;
    this.clientBuckets = clientBuckets;
    this.perClient = perClientPolicy(limits);
    this.overLimitConnections = overLimitConnections;
  }

  /**
   * The node's own per-client-IP rate ({@code --rate-limit}, {@code --rate-burst}) as a CLIENT_IP
   * policy, or null when unlimited. Counted in this node's memory even with Redis: it guards the
   * node before anything else runs.
   */
  static RateLimit perClientPolicy(GatewayOptions.Limits limits) {
    int rate = limits.requestsPerSecondPerClient();
    return rate == 0
        ? null
        : new RateLimit(
            RateLimit.Scope.CLIENT_IP,
            rate,
            RateLimit.Window.SECOND,
            Math.max(1, limits.burstPerClient()));
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var request = exchange.request();
    if (request.uri().length() > limits.maxUriLength()) {
      exchange.reply(GatewayProblems.uriTooLong(limits.maxUriLength()));
      return Future.succeededFuture();
    }
    if (headerBytes(request.headers()) > limits.maxHeaderBytes()) {
      exchange.reply(GatewayProblems.headersTooLarge(limits.maxHeaderBytes()));
      return Future.succeededFuture();
    }
    if (!overLimitConnections.isEmpty() && overLimitConnections.contains(request.connection())) {
      exchange.closeConnection();
      exchange.reply(
          GatewayProblems.tooManyRequests("too many open connections from this client", 1));
      return Future.succeededFuture();
    }
    if (perClient != null) {
      var verdict =
          clientBuckets.take(
              List.of(new Counter("node:CLIENT_IP:" + exchange.clientIp(), perClient)), 1);
      if (!verdict.allowed()) {
        verdict.addHeaders(request.response().headers());
        exchange.reply(verdict.problem());
        return Future.succeededFuture();
      }
    }
    exchange.limitBody(limits.maxBodyBytes(), null);
    var declared = exchange.declaredLength();
    if (declared > exchange.bodyLimit()) {
      exchange.closeConnection();
      exchange.reply(Problem.payloadTooLarge(exchange.bodyLimit()));
      return Future.succeededFuture();
    }
    return next.proceed(exchange);
  }

  static long headerBytes(Iterable<Map.Entry<String, String>> headers) {
    long n = 0;
    for (var h : headers) {
      n += h.getKey().length() + h.getValue().length() + 4;
    }
    return n;
  }
}
