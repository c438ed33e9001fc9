package dev.crossgate.gateway.kit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A service inside the network that a tenant must not reach through the gateway — an Admin API, a
 * metadata endpoint — on a loopback address. It counts every connection, request and body byte that
 * reaches it, so a test can prove that a refusal leaked nothing: not a byte arrived. It answers
 * {@code status} (401 by default, as an Admin API without a token would), so a test can also prove
 * that status never travels back to the tenant.
 */
public final class InternalService implements AutoCloseable {
  private final HttpServer server;
  private final String host;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong bodyBytes = new AtomicLong();
  private volatile int status = 401;

  private InternalService(HttpServer server, String host) {
    this.server = server;
    this.host = host;
  }

  /**
   * Listens on {@code host} (127.0.0.1, or another loopback address such as 127.0.0.2), ephemeral
   * port.
   */
  public static InternalService start(Vertx vertx, String host) {
    var server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(0));
    var service = new InternalService(server, host);
    server.connectionHandler(c -> service.connections.incrementAndGet());
    server.requestHandler(
        request -> {
          service.requests.incrementAndGet();
          request.handler(data -> service.bodyBytes.addAndGet(data.length()));
          request.endHandler(v -> request.response().setStatusCode(service.status).end());
        });
    GatewayKit.await(server.listen());
    return service;
  }

  public int port() {
    return server.actualPort();
  }

  public String url(String path) {
    return "http://" + host + ":" + port() + path;
  }

  public InternalService answer(int newStatus) {
    this.status = newStatus;
    return this;
  }

  public int connections() {
    return connections.get();
  }

  public int requests() {
    return requests.get();
  }

  public long bodyBytes() {
    return bodyBytes.get();
  }

  /** True when nothing at all reached the service: no connection, so no request and no byte. */
  public boolean untouched() {
    return connections.get() == 0 && requests.get() == 0 && bodyBytes.get() == 0;
  }

  @Override
  public void close() {
    GatewayKit.await(server.close());
  }
}
