package dev.crossgate.gateway;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * Serves the gateway's own paths, after limits and filters and before routing: {@code /_health},
 * and every {@code /_}-prefixed path through the router the {@link GatewayEndpoint}s mounted on.
 * The router writes those responses itself; the exchange is completed when it ends them, so they
 * are logged and counted like proxied ones.
 */
final class EndpointStep implements Step {
  private static final Buffer HEALTHY = Buffer.buffer("{\"status\":\"UP\"}");

  private final Router router;

  /** @param router null when no endpoint family is mounted */
  EndpointStep(Router router) {
    this.router = router;
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var path = exchange.path();
    if (!path.startsWith("/_")) {
      return next.proceed(exchange);
    }
    if (path.equals("/_health")) {
      exchange.respond(200, MultiMap.caseInsensitiveMultiMap().add(HttpHeaders.CONTENT_TYPE, "application/json"),
          HEALTHY);
      return Future.succeededFuture();
    }
    if (router == null) {
      return next.proceed(exchange);
    }
    exchange.takeOver();
    var response = exchange.request().response();
    response.putHeader(Exchange.REQUEST_ID, exchange.requestId());
    response.endHandler(v -> exchange.completeTakenOver(response.getStatusCode(), false));
    response.closeHandler(v -> exchange.completeTakenOver(response.getStatusCode(), true));
    router.handle(exchange.request());
    return Future.succeededFuture();
  }
}
