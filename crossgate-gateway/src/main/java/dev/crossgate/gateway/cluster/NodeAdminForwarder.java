package dev.crossgate.gateway.cluster;

import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemResponses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's own Admin API port: every {@code /admin/*} request is forwarded, body streamed, to a
 * control plane (the first that answers), so operators can manage the cluster through any node.
 * After a successful write the node pulls the change at once rather than waiting for the push.
 * The control plane authenticates: the forwarder passes the caller's credentials through and
 * holds none of its own.
 */
public final class NodeAdminForwarder {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAdminForwarder.class);
  private static final Set<String> REQUEST_HEADERS =
      Set.of("authorization", "content-type", "if-match", "accept", "x-request-id");
  private static final Set<String> RESPONSE_HEADERS =
      Set.of("content-type", "etag", "location", "x-request-id", "www-authenticate");

  private final HttpServer server;

  private NodeAdminForwarder(HttpServer server) {
    this.server = server;
  }

  /**
   * @param ssl TLS settings for https control planes
   * @param metrics this node's Prometheus text, served at {@code /metrics}
   */
  public static Future<NodeAdminForwarder> start(Vertx vertx, String bind, int port, List<URI> controlPlanes,
      io.vertx.core.net.ClientSSLOptions ssl, ClusterClient cluster, java.util.function.Supplier<String> metrics) {
    var client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000));
    var next = new AtomicInteger();
    return vertx.createHttpServer(new HttpServerOptions().setHost(bind).setPort(port))
        .requestHandler(req -> {
          if (req.path().equals("/metrics")) {
            req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.get());
          } else {
            forward(req, client, controlPlanes, ssl, next, cluster);
          }
        })
        .listen()
        .map(NodeAdminForwarder::new);
  }

  private static void forward(HttpServerRequest req, HttpClient client, List<URI> controlPlanes,
      io.vertx.core.net.ClientSSLOptions ssl, AtomicInteger next, ClusterClient cluster) {
    if (req.path().equals("/healthz")) {
      req.response().putHeader("content-type", "application/json")
          .end("{\"status\":\"up\",\"revision\":" + cluster.get().revision() + ",\"connected\":" + cluster.connected() + "}");
      return;
    }
    if (!req.path().startsWith("/admin/")) {
      ProblemResponses.send(req.response(), Problem.notFound("a node's admin port serves /admin/*, /healthz and /metrics only"));
      return;
    }
    req.pause();
    var base = controlPlanes.get(Math.floorMod(next.get(), controlPlanes.size()));
    var options = new RequestOptions().setMethod(req.method()).setAbsoluteURI(base.resolve(req.uri()).toString())
        .setTimeout(30_000);
    if ("https".equalsIgnoreCase(base.getScheme())) {
      options.setSsl(true).setSslOptions(ssl);
    }
    client.request(options).compose(out -> {
      req.headers().forEach((name, value) -> {
        if (REQUEST_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
          out.headers().add(name, value);
        }
      });
      return out.send(req);
    }).onSuccess(in -> {
      var response = req.response().setStatusCode(in.statusCode());
      in.headers().forEach((name, value) -> {
        if (RESPONSE_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
          response.headers().add(name, value);
        }
      });
      in.pipeTo(response).onSuccess(v -> {
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD && in.statusCode() < 300) {
          cluster.pull();
        }
      });
    }).onFailure(e -> {
      next.incrementAndGet(); // try the next control plane on the following request
      LOG.warn("admin forward failed controlPlane={} error=\"{}\"", base, e.getMessage());
      ProblemResponses.send(req.response(), Problem.unavailable(
          "the control plane is not reachable from this node; the node keeps serving its last configuration"));
    });
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.shutdown();
  }
}
