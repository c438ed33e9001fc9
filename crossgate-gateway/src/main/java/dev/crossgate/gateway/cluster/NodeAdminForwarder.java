package dev.crossgate.gateway.cluster;

import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.id.RequestIds;
import dev.crossgate.json.Json;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemResponses;
import dev.crossgate.route.PathNormalizer;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's own Admin API port: every {@code /admin/*} request is forwarded, body streamed, to a
 * control plane (the first that answers), so operators can manage the cluster through any node.
 * After a successful write the node pulls the change at once rather than waiting for the push. The
 * control plane authenticates: the forwarder passes the caller's credentials through ({@code
 * Authorization}, or a tenant's {@code X-Api-Key}) and holds none of its own.
 *
 * <p>It is a reverse proxy to one fixed place, never a forward proxy: only origin-form targets (RFC
 * 9112 section 3.2.1) are accepted, and the forwarded target is built from the configured
 * control-plane base and the request's path and query, never from the request target as sent. An
 * absolute-form target ({@code GET http://10.0.0.7/admin/x}) would otherwise carry the caller's
 * credentials to any address the node can reach. Paths not in normal form ({@code ..}, {@code %2e},
 * {@code //}, {@code ;}) are refused rather than rewritten, so what was checked is what is sent.
 */
public final class NodeAdminForwarder {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAdminForwarder.class);
  private static final Set<String> REQUEST_HEADERS =
      Set.of("authorization", "x-api-key", "content-type", "if-match", "accept");
  private static final Set<String> RESPONSE_HEADERS =
      Set.of("content-type", "etag", "location", "www-authenticate");

  private static final java.util.regex.Pattern UPSTREAM_HEALTH =
      java.util.regex.Pattern.compile("/admin/upstreams/([A-Za-z0-9][A-Za-z0-9._-]{0,63})/health");

  private final HttpServer server;

  private NodeAdminForwarder(HttpServer server) {
    this.server = server;
  }

  /**
   * @param ssl TLS settings for https control planes
   * @param metrics this node's Prometheus text, served at {@code /metrics}
   */
  public static Future<NodeAdminForwarder> start(
      Vertx vertx,
      String bind,
      int port,
      List<URI> controlPlanes,
      io.vertx.core.net.ClientSSLOptions ssl,
      ClusterClient cluster,
      java.util.function.Supplier<String> metrics) {
    return start(vertx, bind, port, controlPlanes, ssl, cluster, metrics, id -> Optional.empty());
  }

  /**
   * As above, also answering {@code GET /admin/upstreams/{id}/health} with this node's own view
   * ({@code upstreamHealth}), once the control plane has said the caller may read that upstream.
   */
  public static Future<NodeAdminForwarder> start(
      Vertx vertx,
      String bind,
      int port,
      List<URI> controlPlanes,
      io.vertx.core.net.ClientSSLOptions ssl,
      ClusterClient cluster,
      java.util.function.Supplier<String> metrics,
      Function<String, Optional<?>> upstreamHealth) {
    var client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000));
    var next = new AtomicInteger();
    // an admin port has no use for cleartext HTTP/2 upgrades: HTTP/1.1 only (TLS is the control
    // plane's)
    return vertx
        .createHttpServer(
            new HttpServerOptions().setHost(bind).setPort(port).setHttp2ClearTextEnabled(false))
        .requestHandler(
            req -> {
              var requestId = RequestIds.accept(req.getHeader(CrossgateHeaders.REQUEST_ID));
              var refusal = refusal(req);
              if (refusal != null) {
                ProblemResponses.send(req.response(), refusal, requestId);
              } else if (req.path().equals("/metrics")) {
                req.response()
                    .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.get());
              } else if (req.path().equals("/healthz")) {
                req.response()
                    .putHeader("content-type", "application/json")
                    .end(
                        "{\"status\":\"up\",\"revision\":"
                            + cluster.get().revision()
                            + ",\"connected\":"
                            + cluster.connected()
                            + "}");
              } else if (req.path().equals("/readyz")) {
                cluster
                    .readiness()
                    .answer()
                    .onSuccess(
                        answer -> {
                          if (answer.ready()) {
                            req.response()
                                .putHeader("content-type", "application/json")
                                .end(Json.write(answer.body()));
                          } else {
                            ProblemResponses.send(req.response(), answer.problem(), requestId);
                          }
                        });
              } else if (!req.path().startsWith("/admin/")) {
                ProblemResponses.send(
                    req.response(),
                    Problem.notFound(
                        "a node's admin port serves /admin/*, /healthz, /readyz and /metrics only"),
                    requestId);
              } else if (req.method() == HttpMethod.GET
                  && UPSTREAM_HEALTH.matcher(req.path()).matches()) {
                var id = UPSTREAM_HEALTH.matcher(req.path()).replaceFirst("$1");
                var base = controlPlanes.get(Math.floorMod(next.get(), controlPlanes.size()));
                // the control plane decides who may read the upstream; the health is this node's
                req.pause();
                client
                    .request(
                        controlPlaneRequest(req, requestId, base, ssl, "/admin/upstreams/" + id))
                    .compose(out -> out.send().compose(in -> in.body().map(b -> Map.entry(in, b))))
                    .onSuccess(
                        answer -> {
                          var in = answer.getKey();
                          if (in.statusCode() != 200) {
                            var response = req.response().setStatusCode(in.statusCode());
                            in.headers()
                                .forEach(
                                    (name, value) -> {
                                      if (RESPONSE_HEADERS.contains(
                                          name.toLowerCase(java.util.Locale.ROOT))) {
                                        response.headers().add(name, value);
                                      }
                                    });
                            response.end(answer.getValue());
                            return;
                          }
                          var health = upstreamHealth.apply(id);
                          if (health.isEmpty()) {
                            ProblemResponses.send(
                                req.response(),
                                Problem.notFound(
                                    "this node has not received upstream " + id + " yet"),
                                requestId);
                          } else {
                            req.response()
                                .putHeader("content-type", "application/json")
                                .end(Json.write(health.get()));
                          }
                        })
                    .onFailure(e -> unreachable(req, requestId, base, next, e));
              } else {
                forward(req, requestId, client, controlPlanes, ssl, next, cluster);
              }
            })
        .listen()
        .map(NodeAdminForwarder::new);
  }

  /** Why the request target is refused, or null: origin-form only, its path in normal form. */
  private static Problem refusal(HttpServerRequest req) {
    var target = req.uri();
    if (target.isEmpty() || target.charAt(0) != '/') {
      // RFC 9112 section 3.2: absolute-form is for proxies, authority-form for CONNECT,
      // asterisk-form for server-wide OPTIONS; this port is none of those
      return Problem.badRequest(
          "a node's admin port accepts origin-form request targets only "
              + "(a path such as /admin/routes), not absolute-form, authority-form or '*'");
    }
    if (target.indexOf('#') >= 0) {
      return Problem.badRequest("a request target carries no fragment (RFC 9112 section 3.2)");
    }
    if (!PathNormalizer.isNormalForm(req.path())) {
      return Problem.badRequest(
          "the path is not in normal form: no '.' or '..' segments (plain or "
              + "percent-encoded), no empty segments, no ';', no encoded unreserved characters");
    }
    return null;
  }

  private static void forward(
      HttpServerRequest req,
      String requestId,
      HttpClient client,
      List<URI> controlPlanes,
      io.vertx.core.net.ClientSSLOptions ssl,
      AtomicInteger next,
      ClusterClient cluster) {
    req.pause();
    var base = controlPlanes.get(Math.floorMod(next.get(), controlPlanes.size()));
    client
        .request(
            controlPlaneRequest(
                req,
                requestId,
                base,
                ssl,
                req.query() == null ? req.path() : req.path() + "?" + req.query()))
        .compose(out -> out.send(req))
        .onSuccess(
            in -> {
              var response = req.response().setStatusCode(in.statusCode());
              in.headers()
                  .forEach(
                      (name, value) -> {
                        if (RESPONSE_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                          response.headers().add(name, value);
                        }
                      });
              response.headers().set(CrossgateHeaders.REQUEST_ID, requestId);
              in.pipeTo(response)
                  .onSuccess(
                      v -> {
                        if (req.method() != HttpMethod.GET
                            && req.method() != HttpMethod.HEAD
                            && in.statusCode() < 300) {
                          cluster.pull();
                        }
                      });
            })
        .onFailure(e -> unreachable(req, requestId, base, next, e));
  }

  /**
   * A request to the control plane at {@code base} for {@code target} with the caller's method and
   * credentials: host and port from the configuration only, the caller contributes the path and
   * query; the control plane logs under the same request id as this node.
   */
  private static RequestOptions controlPlaneRequest(
      HttpServerRequest req,
      String requestId,
      URI base,
      io.vertx.core.net.ClientSSLOptions ssl,
      String target) {
    boolean https = "https".equalsIgnoreCase(base.getScheme());
    var options =
        new RequestOptions()
            .setMethod(req.method())
            .setHost(base.getHost())
            .setPort(base.getPort() > 0 ? base.getPort() : https ? 443 : 80)
            .setURI(target)
            .setTimeout(30_000);
    if (https) {
      options.setSsl(true).setSslOptions(ssl);
    }
    req.headers()
        .forEach(
            (name, value) -> {
              if (REQUEST_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                options.addHeader(name, value);
              }
            });
    options.putHeader(CrossgateHeaders.REQUEST_ID, requestId);
    return options;
  }

  private static void unreachable(
      HttpServerRequest req, String requestId, URI base, AtomicInteger next, Throwable e) {
    next.incrementAndGet(); // try the next control plane on the following request
    LOG.warn(
        "admin forward failed controlPlane={} requestId={} error=\"{}\"",
        base,
        requestId,
        e.getMessage());
    ProblemResponses.send(
        req.response(),
        Problem.unavailable(
            "the control plane is not reachable from this node; the node keeps serving its last configuration"),
        requestId);
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.shutdown();
  }
}
