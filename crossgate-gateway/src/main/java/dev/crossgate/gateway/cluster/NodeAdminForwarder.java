package dev.crossgate.gateway.cluster;

import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.id.RequestIds;
import dev.crossgate.json.Json;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemResponses;
import dev.crossgate.route.PathNormalizer;
import dev.crossgate.upstream.PoolHealth;
import dev.crossgate.upstream.UpstreamHealth;
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
import java.time.Duration;
import java.time.Instant;
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
 *
 * <p>The writing node sees its write: a successful write is answered only once this node applied
 * the revision the control plane answered ({@code X-Crossgate-Revision}), or after the apply wait
 * (2 s by default) with {@code X-Crossgate-Applied: pending}; a {@code GET} with {@code
 * ?minRevision=N} waits likewise before it is forwarded and is answered with the data either way,
 * {@code X-Crossgate-Applied} saying whether this node serves revision N yet. The wait is a future
 * the node's configuration swap completes, not a poll.
 */
public final class NodeAdminForwarder {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAdminForwarder.class);
  private static final Set<String> REQUEST_HEADERS =
      Set.of("authorization", "x-api-key", "content-type", "if-match", "accept");
  private static final Set<String> RESPONSE_HEADERS =
      Set.of("content-type", "etag", "location", "www-authenticate", "x-crossgate-revision");
  private static final String MIN_REVISION = "minRevision";

  /** How long a write or a {@code ?minRevision} read waits for this node to apply by default. */
  public static final Duration DEFAULT_APPLY_WAIT = Duration.ofSeconds(2);

  private static final java.util.regex.Pattern UPSTREAM_HEALTH =
      java.util.regex.Pattern.compile("/admin/upstreams/([A-Za-z0-9][A-Za-z0-9._-]{0,63})/health");

  private final HttpServer server;

  private NodeAdminForwarder(HttpServer server) {
    this.server = server;
  }

  /**
   * @param ssl TLS settings for https control planes
   * @param metrics this node's Prometheus text, served at {@code /metrics}
   * @param applyWait how long a write or a {@code ?minRevision} read waits for this node to apply
   *     the revision ({@link #DEFAULT_APPLY_WAIT} by default)
   * @param upstreamHealth this node's own view of an upstream pool, answered at {@code GET
   *     /admin/upstreams/{id}/health} once the control plane has said the caller may read that
   *     upstream (the control plane's own answer shows every node's last report)
   */
  public static Future<NodeAdminForwarder> start(
      Vertx vertx,
      String bind,
      int port,
      List<URI> controlPlanes,
      io.vertx.core.net.ClientSSLOptions ssl,
      ClusterClient cluster,
      java.util.function.Supplier<String> metrics,
      Duration applyWait,
      Function<String, Optional<PoolHealth>> upstreamHealth) {
    var target =
        new Target(
            vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000)),
            controlPlanes,
            ssl,
            new AtomicInteger(),
            cluster,
            applyWait);
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
                var next = target.next();
                var base = controlPlanes.get(Math.floorMod(next.get(), controlPlanes.size()));
                // the control plane decides who may read the upstream; the health is this node's
                req.pause();
                target
                    .client()
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
                            var view =
                                UpstreamHealth.NodeView.of(
                                    cluster.nodeId(),
                                    Instant.now(),
                                    cluster.connected(),
                                    health.get());
                            req.response()
                                .putHeader("content-type", "application/json")
                                .end(Json.write(new UpstreamHealth(id, List.of(view))));
                          }
                        })
                    .onFailure(e -> unreachable(req, requestId, base, next, e));
              } else {
                forward(req, requestId, target);
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

  /**
   * Where and how this port forwards: the control planes (the next to try), TLS for them, and the
   * node whose applying a write waits for, at most {@code applyWait}.
   */
  private record Target(
      HttpClient client,
      List<URI> controlPlanes,
      io.vertx.core.net.ClientSSLOptions ssl,
      AtomicInteger next,
      ClusterClient cluster,
      Duration applyWait) {}

  private static void forward(HttpServerRequest req, String requestId, Target target) {
    req.pause();
    var minRevision = minRevision(req);
    if (minRevision == null) {
      relay(req, requestId, target, null);
    } else if (minRevision < 0) {
      req.resume();
      ProblemResponses.send(
          req.response(),
          Problem.validation(
              List.of(
                  new FieldError(MIN_REVISION, "a revision: a whole number, 0 or more, on GET"))),
          requestId);
    } else {
      // the read waits (bounded) for this node to apply the revision, then is answered either way
      target
          .cluster()
          .applied(minRevision, target.applyWait())
          .onComplete(ar -> relay(req, requestId, target, ar.succeeded() && ar.result()));
    }
  }

  /**
   * {@code ?minRevision} of a GET: null when absent, -1 when it is not a revision or not on a GET.
   */
  private static Long minRevision(HttpServerRequest req) {
    var value = req.getParam(MIN_REVISION);
    if (value == null) {
      return null;
    }
    if (req.method() != HttpMethod.GET || !value.matches("[0-9]{1,18}")) {
      return -1L;
    }
    return Long.parseLong(value);
  }

  /** The request's query without {@code minRevision}, which is this port's, not the API's. */
  private static String forwardedQuery(HttpServerRequest req) {
    if (req.query() == null) {
      return null;
    }
    var kept =
        java.util.Arrays.stream(req.query().split("&"))
            .filter(p -> !p.equals(MIN_REVISION) && !p.startsWith(MIN_REVISION + "="))
            .toList();
    return kept.isEmpty() ? null : String.join("&", kept);
  }

  /**
   * @param readApplied for a {@code ?minRevision} read, whether this node applied it; null
   *     otherwise
   */
  private static void relay(
      HttpServerRequest req, String requestId, Target target, Boolean readApplied) {
    var controlPlanes = target.controlPlanes();
    var next = target.next();
    var cluster = target.cluster();
    var base = controlPlanes.get(Math.floorMod(next.get(), controlPlanes.size()));
    target
        .client()
        .request(
            controlPlaneRequest(
                req,
                requestId,
                base,
                target.ssl(),
                forwardedQuery(req) == null ? req.path() : req.path() + "?" + forwardedQuery(req)))
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
              var revision = revision(in.getHeader(CrossgateHeaders.REVISION));
              boolean write =
                  req.method() != HttpMethod.GET
                      && req.method() != HttpMethod.HEAD
                      && in.statusCode() < 300;
              if (readApplied != null) {
                response.headers().set(CrossgateHeaders.APPLIED, applied(readApplied));
              }
              if (!write || revision < 0) {
                in.pipeTo(response);
                return;
              }
              // the writer sees its write: answered once this node serves the revision, or after
              // the wait with "pending"
              in.pause();
              cluster.pull();
              cluster
                  .applied(revision, target.applyWait())
                  .onComplete(
                      ar -> {
                        response
                            .headers()
                            .set(CrossgateHeaders.APPLIED, applied(ar.succeeded() && ar.result()));
                        in.pipeTo(response);
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

  private static String applied(boolean applied) {
    return applied ? "applied" : "pending";
  }

  /** The control plane's {@code X-Crossgate-Revision}; -1 when absent or not a revision. */
  private static long revision(String header) {
    if (header == null || !header.matches("[0-9]{1,18}")) {
      return -1;
    }
    return Long.parseLong(header);
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.shutdown();
  }
}
