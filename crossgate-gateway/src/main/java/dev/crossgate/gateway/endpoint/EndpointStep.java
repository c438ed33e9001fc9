package dev.crossgate.gateway.endpoint;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.health.Readiness;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * Serves the gateway's own paths, after limits, filters and caller identity and before routing:
 * {@code /_health} (the process is up), {@code /_ready} (the node should be sent traffic: {@link
 * Readiness}), and every {@code /_}-prefixed path through the router the {@link GatewayEndpoint}s
 * mounted on. The router writes those responses itself; the exchange is completed when it ends
 * them, so they are logged and counted like proxied ones.
 */
public final class EndpointStep implements Step {
  private static final Buffer HEALTHY = Buffer.buffer("{\"status\":\"up\"}");

  private final Router router;
  private final Readiness readiness;

  /**
   * The exchange being handed to the router: {@link Router#handle} runs the first handler before it
   * returns, on this event loop, and that handler puts it on the routing context (the router wraps
   * the request, so the request object cannot serve as the key).
   */
  private Exchange handingOver;

  /**
   * A step serving {@code endpoints} through one router of this event loop's, and {@code /_ready}
   * from {@code readiness}.
   */
  public EndpointStep(Vertx vertx, List<GatewayEndpoint> endpoints, Readiness readiness) {
    this.readiness = readiness;
    if (endpoints.isEmpty()) {
      this.router = null;
      return;
    }
    router = Router.router(vertx);
    // first: every endpoint handler finds the chain's exchange (and so the caller) on its context
    router
        .route()
        .handler(
            ctx -> {
              ctx.put(GatewayEndpoint.EXCHANGE, handingOver);
              ctx.next();
            });
    endpoints.forEach(endpoint -> endpoint.mount(router));
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var path = exchange.path();
    if (!path.startsWith("/_")) {
      return next.proceed(exchange);
    }
    if (path.equals("/_health")) {
      exchange.respond(
          200,
          MultiMap.caseInsensitiveMultiMap().add(HttpHeaders.CONTENT_TYPE, "application/json"),
          HEALTHY);
      return Future.succeededFuture();
    }
    if (path.equals("/_ready")) {
      return readiness
          .answer()
          .map(
              answer -> {
                if (answer.ready()) {
                  exchange.respond(
                      200,
                      MultiMap.caseInsensitiveMultiMap()
                          .add(HttpHeaders.CONTENT_TYPE, "application/json"),
                      Buffer.buffer(Json.writeBytes(answer.body())));
                } else {
                  exchange.reply(answer.problem());
                }
                return null;
              });
    }
    if (router == null) {
      return next.proceed(exchange);
    }
    exchange.takeOver();
    var response = exchange.request().response();
    response.putHeader(CrossgateHeaders.REQUEST_ID, exchange.requestId());
    response.endHandler(v -> exchange.completeTakenOver(response.getStatusCode(), false));
    response.closeHandler(v -> exchange.completeTakenOver(response.getStatusCode(), true));
    handingOver = exchange;
    try {
      router.handle(exchange.request());
    } finally {
      handingOver = null;
    }
    return Future.succeededFuture();
  }
}
