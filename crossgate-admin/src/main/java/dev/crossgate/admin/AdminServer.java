package dev.crossgate.admin;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.extension.ExtensionModuleEndpoint;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.health.Readiness;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.id.RequestIds;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.problem.ProblemResponses;
import dev.crossgate.store.StoreException;
import dev.crossgate.store.StoreUnavailable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's HTTP server: the Admin API under {@code /admin} (bearer tokens), the web
 * console under {@code /console/} (unless {@link AdminOptions#console()} is off), and {@code
 * /healthz}, {@code /readyz}, {@code /metrics}. Every error leaves as an RFC 9457 problem; causes
 * of unexpected failures go to the log only.
 */
public final class AdminServer {
  /** How long a refused request's client may go on sending its body after the answer. */
  private static final long LINGER_MS = 2_000;

  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("crossgate.access.admin");
  private static final String REQUEST_ID = "crossgate.requestId";
  static final String CONSOLE_CSP =
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
          + "form-action 'self'; frame-ancestors 'none'";

  private final HttpServer server;

  private AdminServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts the server; completes when it listens.
   *
   * @param readiness what {@code /readyz} answers
   * @param endpoints the Admin API resource families, mounted behind authentication
   * @param metrics Prometheus text of every registry of this process, concatenated by the caller
   */
  public static Future<AdminServer> start(
      Vertx vertx,
      AdminOptions options,
      AdminAuth auth,
      Readiness readiness,
      List<AdminEndpoint> endpoints,
      Supplier<String> metrics) {
    var router = Router.router(vertx);
    router.route().handler(AdminServer::tagRequest);
    router.get("/healthz").handler(ctx -> Replies.json(ctx, 200, Map.of("status", "up")));
    router
        .get("/readyz")
        .handler(
            ctx ->
                readiness
                    .answer()
                    .onSuccess(
                        answer -> {
                          if (answer.ready()) {
                            Replies.json(ctx, 200, answer.body());
                          } else {
                            send(ctx, answer.problem());
                          }
                        }));
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.get()));
    var openApi = openApiDocument();
    router
        .get("/admin/openapi.json")
        .handler(ctx -> ctx.response().putHeader("content-type", "application/json").end(openApi));
    if (options.console()) {
      router.get("/").handler(ctx -> ctx.redirect("/console/"));
      router
          .get("/console")
          .handler(
              ctx -> {
                // Vert.x matches "/console/" here too: only the bare path is redirected
                if (ctx.request().path().equals("/console")) {
                  ctx.redirect("/console/");
                } else {
                  ctx.next();
                }
              });
      router
          .route("/console/*")
          .handler(AdminServer::consoleSecurityHeaders)
          .handler(StaticHandler.create("console").setCachingEnabled(false));
    }
    var jsonBodies = BodyHandler.create(false).setBodyLimit(options.maxBodyBytes());
    // a module upload's body is the module: up to the module limit, whatever the JSON limit is
    var moduleBodies =
        BodyHandler.create(false)
            .setBodyLimit(Math.max(options.maxBodyBytes(), ArtifactCheck.MAX_MODULE_BYTES));
    // the caller is known before a byte of the body is read: an unauthenticated client cannot make
    // the server buffer bodies (up to the module limit) it will refuse anyway; AdminAuth pauses
    // the request and the body handler resumes it
    router.route("/admin/*").handler(auth);
    router
        .route("/admin/*")
        .handler(
            ctx ->
                (ExtensionModuleEndpoint.isUpload(ctx.request()) ? moduleBodies : jsonBodies)
                    .handle(ctx));
    endpoints.forEach(e -> e.mount(router));
    router.route().failureHandler(ctx -> fail(ctx, options));
    router.errorHandler(
        404, ctx -> send(ctx, Problem.notFound("no such resource: " + ctx.request().path())));
    router.errorHandler(
        405,
        ctx ->
            send(
                ctx,
                Problem.methodNotAllowed(
                    ctx.request().method() + " is not supported on " + ctx.request().path())));

    var serverOptions =
        new HttpServerOptions()
            .setHost(options.bind())
            .setPort(options.port())
            .setMaxHeaderSize(options.maxHeaderBytes())
            .setCompressionSupported(true)
            .setHttp2ClearTextEnabled(options.h2c())
            // a cluster SNAPSHOT of 100,000 routes is tens of megabytes
            .setMaxWebSocketMessageSize(512 * 1024 * 1024)
            .setMaxWebSocketFrameSize(1024 * 1024);
    if (options.tls()) {
      serverOptions
          .setSsl(true)
          .setKeyCertOptions(
              new io.vertx.core.net.PemKeyCertOptions()
                  .setCertPath(options.tlsCertPath())
                  .setKeyPath(options.tlsKeyPath()));
    }
    return vertx
        .createHttpServer(serverOptions)
        .requestHandler(router)
        .listen()
        .map(AdminServer::new);
  }

  /**
   * The console holds an admin token in the browser, so it is locked to its own origin: scripts,
   * styles and fetches from 'self' only, no inline script (the console has none: handlers are
   * attached in its modules), no framing (clickjacking; X-Frame-Options for browsers without CSP
   * level 2), no referrer leaking URLs, no MIME sniffing of its files. The {@code data:} image
   * source is the console's empty favicon.
   */
  private static void consoleSecurityHeaders(RoutingContext ctx) {
    ctx.response()
        .headers()
        .set("Content-Security-Policy", CONSOLE_CSP)
        .set("X-Frame-Options", "DENY")
        .set("Referrer-Policy", "no-referrer")
        .set("X-Content-Type-Options", "nosniff");
    ctx.next();
  }

  private static io.vertx.core.buffer.Buffer openApiDocument() {
    try (var in = AdminServer.class.getResourceAsStream("/openapi/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi/openapi.json is missing from the jar");
      }
      return io.vertx.core.buffer.Buffer.buffer(in.readAllBytes());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.shutdown();
  }

  private static void tagRequest(RoutingContext ctx) {
    var id = RequestIds.accept(ctx.request().getHeader(CrossgateHeaders.REQUEST_ID));
    ctx.put(REQUEST_ID, id);
    ctx.response().putHeader(CrossgateHeaders.REQUEST_ID, id);
    long started = System.nanoTime();
    ctx.addEndHandler(
        ar ->
            ACCESS.info(
                "method={} path={} status={} bytes={} durationMs={} requestId={}",
                ctx.request().method(),
                ctx.request().path(),
                ctx.response().getStatusCode(),
                ctx.response().bytesWritten(),
                (System.nanoTime() - started) / 1_000_000,
                ctx.get(REQUEST_ID)));
    ctx.next();
  }

  private static void fail(RoutingContext ctx, AdminOptions options) {
    var failure = ctx.failure();
    Problem problem;
    var unavailable = StoreUnavailable.problemFor(failure);
    if (failure instanceof ProblemException pe) {
      problem = pe.problem();
    } else if (unavailable.isPresent()) {
      LOG.warn(
          "event=store-unavailable path={} requestId={} cause={}",
          ctx.request().path(),
          ctx.get(REQUEST_ID),
          failure.toString());
      problem = unavailable.get();
    } else if (failure instanceof StoreException) {
      LOG.warn(
          "store failure path={} requestId={}", ctx.request().path(), ctx.get(REQUEST_ID), failure);
      problem =
          Problem.unavailable("the configuration database is not reachable; try again shortly");
    } else if (failure == null || failure instanceof io.vertx.ext.web.handler.HttpException) {
      problem = forStatus(ctx.statusCode(), options, ctx);
    } else {
      LOG.error(
          "unexpected failure path={} requestId={}",
          ctx.request().path(),
          ctx.get(REQUEST_ID),
          failure);
      problem = Problem.internal(ctx.get(REQUEST_ID));
    }
    send(ctx, problem);
  }

  private static Problem forStatus(int status, AdminOptions options, RoutingContext ctx) {
    return switch (status) {
      case 413 -> Problem.payloadTooLarge(options.maxBodyBytes());
      case 404 -> Problem.notFound("no such resource: " + ctx.request().path());
      case 405 ->
          Problem.methodNotAllowed(
              ctx.request().method() + " is not supported on " + ctx.request().path());
      case 400 -> Problem.badRequest("the request could not be read");
      case 401 -> Problem.unauthorized("credentials are required");
      case 403 -> Problem.forbidden("not allowed");
      default ->
          status >= 400 && status < 500
              ? Problem.of("client-error", "Client error", status, "the request was refused")
              : Problem.internal(ctx.get(REQUEST_ID));
    };
  }

  private static void send(RoutingContext ctx, Problem problem) {
    String requestId = ctx.get(REQUEST_ID);
    var request = ctx.request();
    // A refused body is not kept: what the client still sends is read and dropped, the answer says
    // Connection: close, and the connection closes when the body ends or LINGER_MS after the
    // answer, whichever comes first. Closing at once would reset a connection with unread bytes,
    // and the client could lose the answer (nginx's lingering close, for the same reason).
    boolean unreadBody =
        !request.isEnded()
            && !ctx.response().headWritten()
            && request.version() != io.vertx.core.http.HttpVersion.HTTP_2;
    if (unreadBody) {
      ctx.response().putHeader("connection", "close");
      request.handler(dropped -> {});
      request.endHandler(
          ended -> {
            if (ctx.response().ended()) {
              request.connection().close();
            }
          });
      request.resume();
    }
    ProblemResponses.send(
            ctx.response(), problem, requestId == null ? RequestIds.next() : requestId)
        .onComplete(
            sent -> {
              if (unreadBody && request.isEnded()) {
                request.connection().close();
              } else if (unreadBody) {
                ctx.vertx().setTimer(LINGER_MS, t -> request.connection().close());
              }
            });
  }
}
