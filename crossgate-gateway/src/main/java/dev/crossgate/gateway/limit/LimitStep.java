package dev.crossgate.gateway.limit;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.GatewayProblems;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
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
  private final ClientRateLimiter rateLimiter;
  private final Set<HttpConnection> overLimitConnections;

  /**
   * @param rateLimiter null when the request rate is unlimited
   * @param overLimitConnections connections of this event loop that exceeded the per-client limit
   */
  public LimitStep(
      GatewayOptions.Limits limits,
      ClientRateLimiter rateLimiter,
      Set<HttpConnection> overLimitConnections) {
    this.limits = limits;
    this.rateLimiter = rateLimiter;
    this.overLimitConnections = overLimitConnections;
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
    if (rateLimiter != null) {
      long wait = rateLimiter.acquire(exchange.clientIp());
      if (wait > 0) {
        exchange.reply(
            GatewayProblems.tooManyRequests("request rate limit exceeded for this client", wait));
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
