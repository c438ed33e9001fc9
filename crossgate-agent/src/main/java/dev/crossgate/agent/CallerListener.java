package dev.crossgate.agent;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import java.util.function.Function;

/**
 * The callers' port on one event loop, with a client to the gateway of its own: a query is read,
 * forwarded and answered on the loop that accepted it, never handed to another thread. The agent
 * deploys one per core on the same port; Vert.x spreads the accepted connections among them.
 */
final class CallerListener extends VerticleBase {
  private final HttpServerOptions serverOptions;
  private final HttpClientOptions gatewayOptions;
  private final PoolOptions gatewayPool;
  private final Function<HttpClient, AgentServer> handlers;
  private HttpServer server;
  private HttpClient gateway;

  CallerListener(
      HttpServerOptions serverOptions,
      HttpClientOptions gatewayOptions,
      PoolOptions gatewayPool,
      Function<HttpClient, AgentServer> handlers) {
    this.serverOptions = serverOptions;
    this.gatewayOptions = gatewayOptions;
    this.gatewayPool = gatewayPool;
    this.handlers = handlers;
  }

  @Override
  public Future<?> start() {
    gateway = vertx.createHttpClient(gatewayOptions, gatewayPool);
    var handler = handlers.apply(gateway);
    server = vertx.createHttpServer(serverOptions).requestHandler(handler::handle);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server.close().eventually(() -> gateway.close());
  }
}
