package dev.crossgate.gateway.chain;

import io.vertx.core.Future;

/**
 * A step of the gateway's one request chain (STYLE.md rule 2): limits, filter table, route match,
 * flow, proxy. Both phases run on the connection's event loop and must not block.
 *
 * <p>Request phase contract: a step either calls {@code next.proceed(exchange)} exactly once and
 * returns (a future derived from) its result, or answers the request itself with {@link
 * Exchange#reply}/{@link Exchange#respond}/{@link Exchange#takeOver} and returns without
 * proceeding. A step that does neither, or proceeds twice, fails the request loudly (500, logged as
 * a bug). A failed future carrying a {@link dev.crossgate.problem.ProblemException} becomes that
 * problem; any other failure becomes a 500 whose cause is only logged.
 *
 * <p>Response phase (vertx-http-proxy's {@code handleProxyResponse}): runs once the response head
 * is known, in reverse order, for every step whose request phase ran; each step's future is awaited
 * before the next step's phase starts. A step may change the status or headers, or read a streamed
 * body whole and answer anew (a flow's response extensions). A failed future becomes a problem
 * exactly like a request-phase failure, and the outer steps still see that problem.
 */
public interface Step {
  default Future<Void> onRequest(Exchange exchange, Chain next) {
    return next.proceed(exchange);
  }

  default Future<Void> onResponse(Exchange exchange) {
    return Future.succeededFuture();
  }

  /** The name used in logs and in misbehaviour reports. */
  default String name() {
    var simple = getClass().getSimpleName();
    return simple.isEmpty() ? getClass().getName() : simple;
  }
}
