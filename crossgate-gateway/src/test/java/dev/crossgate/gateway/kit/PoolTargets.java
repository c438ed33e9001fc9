package dev.crossgate.gateway.kit;

import dev.crossgate.upstream.Upstream;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several real HTTP servers on loopback, the targets of one upstream pool: each answers {@code
 * t<i>} (its index) and {@code /health} 200, counts what it received, and can be given another
 * behaviour, killed and restarted on the same port.
 */
public final class PoolTargets implements AutoCloseable {
  private final Vertx vertx;
  private final List<Target> targets = new ArrayList<>();

  /** One target server. */
  public static final class Target {
    private final int index;
    private final AtomicInteger received = new AtomicInteger();
    private volatile Handler<HttpServerRequest> behaviour;
    private volatile int healthStatus = 200;
    private HttpServer server;
    private int port;

    Target(int index) {
      this.index = index;
      this.behaviour = r -> r.response().putHeader("x-target", "t" + index).end("t" + index);
    }

    public int received() {
      return received.get();
    }

    public int port() {
      return port;
    }

    public String url() {
      return "http://127.0.0.1:" + port;
    }

    /** How requests other than health checks are answered from now on. */
    public void respondWith(Handler<HttpServerRequest> handler) {
      this.behaviour = handler;
    }

    /** What {@code /health} answers from now on. */
    public void healthStatus(int status) {
      this.healthStatus = status;
    }

    private void handle(HttpServerRequest request) {
      if (request.path().equals("/health")) {
        request.response().setStatusCode(healthStatus).end();
        return;
      }
      received.incrementAndGet();
      behaviour.handle(request);
    }
  }

  public PoolTargets(Vertx vertx, int count) {
    this.vertx = vertx;
    for (int i = 0; i < count; i++) {
      var target = new Target(i);
      targets.add(target);
      listen(target, 0);
    }
  }

  public Target get(int index) {
    return targets.get(index);
  }

  /** Closes the target's server (and its connections): it refuses connections from now on. */
  public void kill(int index) {
    GatewayKit.await(targets.get(index).server.close());
  }

  /** Listens again on the port the target had. */
  public void restart(int index) {
    var target = targets.get(index);
    listen(target, target.port);
  }

  /** A pool of these targets, weights as given (100 each when none are). */
  public Upstream.Target[] weighted(int... weights) {
    var out = new Upstream.Target[targets.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = new Upstream.Target(targets.get(i).url(), weights.length == 0 ? 100 : weights[i]);
    }
    return out;
  }

  private void listen(Target target, int port) {
    var server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port));
    server.requestHandler(target::handle);
    GatewayKit.await(server.listen());
    target.server = server;
    target.port = server.actualPort();
  }

  @Override
  public void close() {
    for (var t : targets) {
      GatewayKit.await(t.server.close());
    }
  }
}
