package dev.crossgate.app.task;

import dev.crossgate.agent.Agent;
import dev.crossgate.agent.AgentOptions;
import dev.crossgate.auth.Secrets;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.task.TaskOptions;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.route.RouteTable;
import dev.crossgate.route.RouteValidator;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.store.task.TaskRepository;
import dev.crossgate.tenant.ApiKey;
import dev.crossgate.trace.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The whole path on 127.0.0.1 with ephemeral ports: a caller (java.net.http) → the agent → a real
 * gateway with its task store → a real upstream that answers queries at once and posts analysis
 * results later through the result URL (retrying while the gateway is away) → the caller's callback
 * receiver, which records every delivery. With a {@link Setup} the gateway has request limits and a
 * front proxy sits between agent and gateway: it records every call and its answer in {@link
 * #timeline}, and answers result fetches itself with 503 when told to.
 */
final class EndToEnd implements AutoCloseable {
  static final String KEY = "key-acme-e2e";
  static final String SECRET =
      "whsec_" + Base64.getEncoder().encodeToString("e2e-webhook-secret".getBytes());

  /** One delivery as the caller's callback received it. */
  record Delivery(
      String webhookId,
      String timestamp,
      String signature,
      String taskId,
      String body,
      Instant at,
      String event,
      String taskStatus,
      String resultStatus,
      String traceparent) {}

  /**
   * @param limits the gateway's request limits
   * @param frontProxy put a recording proxy between the agent and the gateway
   * @param otlpEndpoint where gateway and agent export their spans (each its own SDK, as two
   *     processes would), or null for tracing off
   */
  record Setup(GatewayOptions.Limits limits, boolean frontProxy, String otlpEndpoint) {
    static final Setup PLAIN = new Setup(GatewayOptions.Limits.DEFAULT, false);

    Setup(GatewayOptions.Limits limits, boolean frontProxy) {
      this(limits, frontProxy, null);
    }

    /** A new tracing SDK for one side, or {@link Tracing#OFF}. */
    Tracing tracing(String serviceName) {
      return otlpEndpoint == null ? Tracing.OFF : Tracing.otlp(otlpEndpoint, 1.0, serviceName);
    }
  }

  final Vertx vertx = Vertx.vertx();
  final TestDatabases.Handle db;
  final Path dataDir;
  final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<String> analysesReceived = new ConcurrentLinkedQueue<>();

  /** Analyses sent with {@code ?hold=1} post their result only once this completes. */
  final java.util.concurrent.CompletableFuture<Void> releaseHeld =
      new java.util.concurrent.CompletableFuture<>();

  /** The webhook id of every delivery attempt, refused ones included. */
  final ConcurrentLinkedQueue<String> attemptIds = new ConcurrentLinkedQueue<>();

  /**
   * With a front proxy, in order: {@code "<METHOD> <path> <status>"} for each gateway call as its
   * answer passed the proxy, and {@code "delivered <taskId>"} for each accepted delivery.
   */
  final ConcurrentLinkedQueue<String> timeline = new ConcurrentLinkedQueue<>();

  private final java.util.concurrent.atomic.AtomicInteger resultFetchesToRefuse =
      new java.util.concurrent.atomic.AtomicInteger();
  private final Setup setup;
  private HttpServer front;
  private final HttpServer upstream;
  private final HttpServer receiver;
  private final HttpClient upstreamClient;
  private final java.net.http.HttpClient caller = java.net.http.HttpClient.newHttpClient();
  private GatewayServer gateway;
  private int gatewayPort;
  private Agent agent;
  private Tracing gatewayTracing = Tracing.OFF;
  private Tracing agentTracing = Tracing.OFF;
  private volatile int callbackFailuresLeft;

  EndToEnd(String dbKind, Path dataDir) {
    this(dbKind, dataDir, Setup.PLAIN);
  }

  EndToEnd(String dbKind, Path dataDir, Setup setup) {
    this.setup = setup;
    this.db = TestDatabases.open(dbKind);
    this.dataDir = dataDir;
    upstreamClient = vertx.createHttpClient();
    upstream =
        await(
            vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(
                    req -> {
                      if (req.path().startsWith("/query")) {
                        req.response()
                            .putHeader("Content-Type", "application/json")
                            .end("{\"answer\":\"" + req.getParam("city") + "\"}");
                        return;
                      }
                      req.body()
                          .onSuccess(
                              body -> {
                                var resultUrl = req.getHeader("X-Crossgate-Result-Url");
                                analysesReceived.add(req.getHeader("X-Crossgate-Task-Id"));
                                req.response().setStatusCode(202).end();
                                long delay =
                                    Long.parseLong(
                                        req.getParam("delayMs") == null
                                            ? "200"
                                            : req.getParam("delayMs"));
                                boolean fail = req.getParam("fail") != null;
                                var result = fail ? FAILURE : "analysed:" + body;
                                if (req.getParam("hold") != null) {
                                  releaseHeld.thenRun(
                                      () ->
                                          vertx.runOnContext(
                                              v -> postResult(resultUrl, result, fail)));
                                } else {
                                  vertx.setTimer(delay, t -> postResult(resultUrl, result, fail));
                                }
                              });
                    })
                .listen());
    receiver =
        await(
            vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(
                    req ->
                        req.body()
                            .onSuccess(
                                body -> {
                                  attemptIds.add(req.getHeader("webhook-id"));
                                  if (callbackFailuresLeft > 0) {
                                    callbackFailuresLeft--;
                                    req.response().setStatusCode(503).end();
                                    return;
                                  }
                                  timeline.add("delivered " + req.getHeader("X-Crossgate-Task-Id"));
                                  deliveries.add(
                                      new Delivery(
                                          req.getHeader("webhook-id"),
                                          req.getHeader("webhook-timestamp"),
                                          req.getHeader("webhook-signature"),
                                          req.getHeader("X-Crossgate-Task-Id"),
                                          body.toString(),
                                          Instant.now(),
                                          req.getHeader("X-Crossgate-Event"),
                                          req.getHeader("X-Crossgate-Task-Status"),
                                          req.getHeader("X-Crossgate-Result-Status"),
                                          req.getHeader("traceparent")));
                                  req.response().setStatusCode(204).end();
                                }))
                .listen());
    startGateway(0);
    if (setup.frontProxy()) {
      front =
          await(
              vertx
                  .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                  .requestHandler(this::forward)
                  .listen());
    }
    startAgent();
  }

  /** What the upstream posts for {@code ?fail=1}: its own problem, reported as a failed task. */
  static final String FAILURE =
      "{\"title\":\"Unprocessable\",\"status\":422,\"detail\":\"cannot analyse\"}";

  /**
   * The upstream posts its result until the gateway took it (204) or already had one (409); a
   * failure is posted with {@code X-Crossgate-Task-Status: FAILED} and its own status, 422.
   */
  private void postResult(String resultUrl, String result, boolean fail) {
    upstreamClient
        .request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(resultUrl))
        .compose(
            req -> {
              if (fail) {
                req.putHeader("X-Crossgate-Task-Status", "FAILED")
                    .putHeader("X-Crossgate-Result-Status", "422")
                    .putHeader("Content-Type", "application/problem+json");
              } else {
                req.putHeader("Content-Type", "text/plain");
              }
              return req.send(result);
            })
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(
            ar -> {
              if (ar.failed() || (ar.result() != 204 && ar.result() != 409)) {
                vertx.setTimer(100, t -> postResult(resultUrl, result, fail));
              }
            });
  }

  /** The front proxy: one call forwarded whole, or a result fetch answered 503 when one is due. */
  private void forward(io.vertx.core.http.HttpServerRequest req) {
    var call = req.method() + " " + req.path();
    if (req.method() == HttpMethod.GET
        && req.path().endsWith("/result")
        && resultFetchesToRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      timeline.add(call + " 503");
      req.response()
          .setStatusCode(503)
          .putHeader("Retry-After", "1")
          .putHeader("Content-Type", "application/problem+json")
          .end("{\"title\":\"Service Unavailable\",\"status\":503}");
      return;
    }
    req.body()
        .compose(
            body -> {
              var options =
                  new RequestOptions()
                      .setMethod(req.method())
                      .setAbsoluteURI("http://127.0.0.1:" + gatewayPort + req.uri());
              req.headers()
                  .forEach(
                      (name, value) -> {
                        if (!name.equalsIgnoreCase("host")
                            && !name.equalsIgnoreCase("content-length")
                            && !name.equalsIgnoreCase("connection")) {
                          options.addHeader(name, value);
                        }
                      });
              return upstreamClient
                  .request(options)
                  .compose(out -> body.length() == 0 ? out.send() : out.send(body));
            })
        .compose(
            resp ->
                resp.body()
                    .map(
                        b -> {
                          timeline.add(call + " " + resp.statusCode());
                          var response = req.response().setStatusCode(resp.statusCode());
                          resp.headers()
                              .forEach(
                                  (name, value) -> {
                                    if (!name.equalsIgnoreCase("content-length")
                                        && !name.equalsIgnoreCase("transfer-encoding")
                                        && !name.equalsIgnoreCase("connection")) {
                                      response.putHeader(name, value);
                                    }
                                  });
                          response.end(b);
                          return null;
                        }))
        .onFailure(e -> req.response().setStatusCode(502).end());
  }

  /** The front proxy answers the next {@code n} result fetches 503 with {@code Retry-After: 1}. */
  void refuseNextResultFetches(int n) {
    resultFetchesToRefuse.set(n);
  }

  void startGateway(int port) {
    var config =
        new GatewayConfig(
            1,
            RouteTable.of(routes(), 1),
            List.of(),
            Map.of(
                Secrets.sha256Hex(KEY),
                new ApiKey("k1", "acme", null, Secrets.sha256Hex(KEY), "key-ac", Instant.now())));
    var options =
        GatewayOptions.defaults()
            .withEventLoops(1)
            .withListen("127.0.0.1", port)
            .withLimits(setup.limits());
    // the gateway closes its tracing when it stops
    gatewayTracing = setup.tracing("crossgate");
    gateway =
        await(
            GatewayServer.start(
                vertx,
                options,
                () -> config,
                List.of(),
                new GatewayServices(db.database(), TaskOptions.defaults(dataDir.resolve("gateway")))
                    .withTracing(gatewayTracing)));
    gatewayPort = gateway.port();
  }

  int gatewayPort() {
    return gatewayPort;
  }

  void stopGateway() {
    await(gateway.close());
  }

  void startAgent() {
    int agentsGateway = front == null ? gatewayPort : front.actualPort();
    var options =
        AgentOptions.defaults(
                "http://127.0.0.1:" + agentsGateway, KEY, dataDir.resolve("agent"), SECRET)
            .withListen("127.0.0.1", 0)
            .withCallbackAllow(List.of("http://127.0.0.1:" + receiver.actualPort() + "/hooks/"))
            .withPolling(Duration.ofMillis(50), Duration.ofMillis(400), 32)
            // the callback receiver is on loopback, which the egress policy refuses unless allowed
            .withEgress(dev.crossgate.egress.EgressPolicy.allowing("127.0.0.1/32"));
    // the agent closes its tracing when it stops
    agentTracing = setup.tracing("crossgate-agent");
    agent = await(Agent.start(vertx, options, null, () -> "", agentTracing));
  }

  /** Exports the spans both sides ended so far. */
  void flushTraces() {
    gatewayTracing.flush();
    agentTracing.flush();
  }

  void stopAgent() {
    await(agent.close());
  }

  void failNextCallbacks(int n) {
    callbackFailuresLeft = n;
  }

  String callbackUrl() {
    return "http://127.0.0.1:" + receiver.actualPort() + "/hooks/results";
  }

  private List<Route> routes() {
    var query =
        new RouteSpec(
            null,
            "data",
            "a query",
            null,
            null,
            "/q",
            null,
            null,
            null,
            null,
            "http://127.0.0.1:" + upstream.actualPort() + "/query",
            "SYNC",
            null,
            List.of(new Route.Param("city", "string", true)),
            null,
            "KEY",
            null,
            null,
            null,
            true,
            null,
            null,
            null,
            null);
    var analysis =
        new RouteSpec(
            null,
            "data",
            "an analysis",
            null,
            null,
            "/analyse",
            null,
            null,
            null,
            null,
            "http://127.0.0.1:" + upstream.actualPort() + "/analyse",
            "ASYNC",
            "CALLBACK",
            List.of(new Route.Param("delayMs", "integer", false)),
            null,
            "KEY",
            null,
            null,
            null,
            true,
            null,
            null,
            null,
            null);
    var now = Instant.now();
    return List.of(
        RouteValidator.validate("rt_q", query, "test", now, now),
        RouteValidator.validate("rt_a", analysis, "test", now, now));
  }

  // ---- the caller

  HttpResponse<String> call(String method, String path, String body, String... headers) {
    var builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    try {
      return caller.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  java.util.concurrent.CompletableFuture<HttpResponse<String>> callAsync(
      String path, String body, String... headers) {
    var builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return caller.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  long gatewayTasks() {
    return new TaskRepository(db.database()).count();
  }

  long agentUnfinished() {
    return await(agent.unfinishedTasks());
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    try {
      await(agent.close().eventually(() -> gateway.close()));
    } finally {
      await(vertx.close());
      db.close();
    }
  }
}
