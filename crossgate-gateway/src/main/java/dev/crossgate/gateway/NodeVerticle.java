package dev.crossgate.gateway;

import dev.crossgate.gateway.auth.CallerStep;
import dev.crossgate.gateway.auth.RouteAuthStep;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.GatewayProblems;
import dev.crossgate.gateway.chain.RequestChain;
import dev.crossgate.gateway.endpoint.EndpointStep;
import dev.crossgate.gateway.filter.FilterStep;
import dev.crossgate.gateway.flow.FlowStep;
import dev.crossgate.gateway.limit.ClientTimeouts;
import dev.crossgate.gateway.limit.LimitStep;
import dev.crossgate.gateway.limit.RateLimitStep;
import dev.crossgate.gateway.observe.ObserveStep;
import dev.crossgate.gateway.protocol.StrictHttpStep;
import dev.crossgate.gateway.proxy.ProxyStep;
import dev.crossgate.gateway.route.CorsStep;
import dev.crossgate.gateway.route.InterfaceStep;
import dev.crossgate.gateway.route.PathStep;
import dev.crossgate.gateway.route.RouteStep;
import dev.crossgate.gateway.task.TaskStep;
import dev.crossgate.gateway.tls.ServerCertificates;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.id.RequestIds;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemResponses;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientResolverConfig;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConfig;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The gateway on one event loop: an HTTP server sharing the node's port, its own upstream client
 * (so pooled connections stay on this loop) and its own chain instance. State shared across loops
 * (configuration supplier, limiters, metrics) comes in through {@link GatewayServer.Shared}.
 */
final class NodeVerticle extends VerticleBase {
  private static final int WEBSOCKET_FRAME_BYTES = 1 << 20;

  private final GatewayServer.Shared shared;
  private final String host;
  private final int port;
  private final int tlsPort;
  private final Set<HttpConnection> overLimitConnections = new HashSet<>();
  private HttpServer server;
  private HttpServer tlsServer;
  private HttpClientAgent client;
  private WebSocketClient webSocketClient;
  private HttpClientAgent heldClient;
  private RequestChain chain;
  private ClientTimeouts clientTimeouts;
  private long sweepTimer = -1;

  /**
   * @param host where the cleartext listener binds (with TLS and no cleartext asked for: loopback)
   * @param port the cleartext port
   * @param tlsPort the HTTPS port (on the options' bind address), ignored without TLS
   */
  NodeVerticle(GatewayServer.Shared shared, String host, int port, int tlsPort) {
    this.shared = shared;
    this.host = host;
    this.port = port;
    this.tlsPort = tlsPort;
  }

  int actualPort() {
    return server.actualPort();
  }

  /** The HTTPS port, or -1 without TLS. */
  int actualTlsPort() {
    return tlsServer == null ? -1 : tlsServer.actualPort();
  }

  /** New handshakes use {@code ssl}; open connections keep what they negotiated. */
  Future<Boolean> updateTls(ServerSSLOptions ssl) {
    return tlsServer.updateSSLOptions(ssl);
  }

  @Override
  public Future<?> start() {
    var options = shared.options();
    var upstream = options.upstream();
    int loops = options.eventLoops();
    // Vert.x keeps an origin's resolved addresses apart from the DNS cache (5 minutes by
    // default): bound that by the DNS TTL cap too, or a moved service is followed only minutes
    // later
    var dnsTtl = Duration.ofSeconds(Math.max(1, upstream.dnsMaxTtlSeconds()));
    var clientConfig =
        new HttpClientConfig(
                new HttpClientOptions()
                    .setKeepAlive(true)
                    .setKeepAliveTimeout(upstream.keepAliveSeconds())
                    .setTcpNoDelay(true)
                    .setMaxHeaderSize(32_768)
                    .setDecompressionSupported(false))
            .setResolverConfig(
                new ClientResolverConfig().setKeepAliveTimeout(dnsTtl).setMaxKeepAlive(dnsTtl));
    // https targets are reached with the same TLS engine the traffic port serves with
    var tlsEngine = shared.tlsEngine();
    client =
        vertx
            .httpClientBuilder()
            .with(clientConfig)
            .with(
                new PoolOptions()
                    .setHttp1MaxSize(Math.max(1, upstream.maxConnectionsPerHost() / loops))
                    .setMaxWaitQueueSize(
                        upstream.maxWaitQueue() == 0
                            ? 0
                            : Math.max(1, upstream.maxWaitQueue() / loops))
                    .setMaxLifetime(upstream.maxLifetimeSeconds())
                    .setMaxLifetimeUnit(TimeUnit.SECONDS)
                    .setCleanerPeriod(1_000))
            .with(tlsEngine.options())
            .build();
    webSocketClient =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxFrameSize(WEBSOCKET_FRAME_BYTES)
                .setMaxMessageSize(WEBSOCKET_FRAME_BYTES * 16)
                .setSslEngineOptions(tlsEngine.options()));
    // gateway-held task calls wait long for slow upstreams: their own pool, off the proxy's
    heldClient =
        vertx
            .httpClientBuilder()
            .with(new HttpClientOptions().setDecompressionSupported(false))
            .with(
                new PoolOptions()
                    .setHttp1MaxSize(Math.max(1, upstream.maxConnectionsPerHost() / loops)))
            .with(tlsEngine.options())
            .build();
    var limits = options.limits();
    // the proxy is also how held tasks reach their upstream (TaskStep), so it is built first
    var proxy =
        new ProxyStep(
            vertx, client, heldClient, webSocketClient, shared.trustedProxies(), shared.pools());
    // The one chain, in order: observe (access log, metrics) → limits → strict HTTP (Host, CONNECT,
    // TRACE) → path normalisation and mode marker → filter table (global and endpoint rules) →
    // caller identity → built-in /_ endpoints → route match → filter table (service and route
    // rules) → CORS → route auth → rate limits → interface check (marker, params) → async tasks →
    // flow (extensions) → proxy.
    chain =
        new RequestChain(
            List.of(
                new ObserveStep(options.accessLogJson(), shared.metrics(), shared.tracing()),
                new LimitStep(limits, shared.clientBuckets(), overLimitConnections),
                new StrictHttpStep(),
                new PathStep(options.markers()),
                FilterStep.beforeRouting(),
                new CallerStep(shared.internalCaller(), shared.tenantInFlight(), shared.tokens()),
                new EndpointStep(vertx, shared.endpoints(), shared.readiness()),
                new RouteStep(),
                FilterStep.afterRouting(),
                new CorsStep(),
                new RouteAuthStep(),
                new RateLimitStep(shared.rateLimiter()),
                new InterfaceStep(options.markers()),
                new TaskStep(shared.tasks(), proxy, shared.publicUrl(), this::actualPort),
                new FlowStep(shared.extensions()),
                proxy));
    clientTimeouts =
        new ClientTimeouts(
            limits.requestHeadTimeout(), limits.keepAliveTimeout(), System::nanoTime);
    sweepTimer = vertx.setPeriodic(1_000, t -> clientTimeouts.sweep());
    var tls = shared.tls();
    server =
        serve(
            vertx.createHttpServer(
                serverOptions(host, port).setHttp2ClearTextEnabled(options.h2c())));
    if (tls == null) {
      return server.listen();
    }
    tlsServer =
        serve(
            vertx
                .httpServerBuilder()
                .with(
                    new HttpServerConfig(
                        serverOptions(options.bind(), tlsPort)
                            .setAlpnVersions(ServerCertificates.ALPN)))
                .with(shared.certificates().sslOptions())
                .with(tlsEngine.options())
                .build());
    return server.listen().compose(v -> tlsServer.listen());
  }

  private HttpServerOptions serverOptions(String host, int listenPort) {
    var limits = shared.options().limits();
    return new HttpServerOptions()
        .setHost(host)
        .setPort(listenPort)
        .setTcpNoDelay(true)
        // the decoder's limits are a backstop above the exact checks of LimitStep
        .setMaxInitialLineLength(limits.maxUriLength() + 64)
        .setMaxHeaderSize(limits.maxHeaderBytes() + 1_024)
        .setMaxWebSocketFrameSize(WEBSOCKET_FRAME_BYTES)
        .setMaxWebSocketMessageSize(WEBSOCKET_FRAME_BYTES * 16);
  }

  private HttpServer serve(HttpServer httpServer) {
    httpServer.connectionHandler(this::onConnection);
    httpServer.invalidRequestHandler(this::onInvalidRequest);
    httpServer.requestHandler(this::onRequest);
    return httpServer;
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweepTimer);
    var drain = shared.options().drainTimeout();
    return (tlsServer == null
            ? server.shutdown(drain)
            : Future.all(server.shutdown(drain), tlsServer.shutdown(drain)))
        .eventually(() -> client.close())
        .eventually(() -> webSocketClient.close())
        .eventually(() -> heldClient.close());
  }

  private void onRequest(HttpServerRequest request) {
    // nothing may be read before a step decides where the body goes
    request.pause();
    var exchange =
        new Exchange(
            request,
            shared.config().get(),
            RequestIds.accept(request.headers().get(CrossgateHeaders.REQUEST_ID)),
            System.nanoTime(),
            shared.bufferBudget());
    var connection = request.connection();
    clientTimeouts.requestStarted(connection);
    exchange.onComplete(ex -> clientTimeouts.responseEnded(connection));
    var trusted = shared.trustedProxies();
    if (!trusted.isEmpty()) {
      var forwardedFor = request.headers().getAll("X-Forwarded-For");
      exchange.clientIp(
          trusted.clientIp(
              exchange.clientIp(), forwardedFor.isEmpty() ? null : String.join(",", forwardedFor)));
    }
    chain.handle(exchange);
  }

  private void onConnection(HttpConnection connection) {
    var metrics = shared.metrics();
    metrics.connectionOpened();
    var limiter = shared.connectionLimiter();
    var ip =
        connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
    // a connection over the limit is answered 429 and closed; only admitted ones are counted
    boolean counted = limiter.tryAcquire(ip);
    if (!counted) {
      overLimitConnections.add(connection);
    }
    clientTimeouts.accepted(connection);
    connection.closeHandler(
        v -> {
          clientTimeouts.closed(connection);
          metrics.connectionClosed();
          if (counted) {
            limiter.release(ip);
          } else {
            overLimitConnections.remove(connection);
          }
        });
  }

  /** Requests the decoder refused (line or headers too long, malformed): a problem, then close. */
  private void onInvalidRequest(HttpServerRequest request) {
    var cause = request.decoderResult().cause();
    var limits = shared.options().limits();
    Problem problem;
    if (cause instanceof TooLongHttpLineException) {
      problem = GatewayProblems.uriTooLong(limits.maxUriLength());
    } else if (cause instanceof TooLongHttpHeaderException) {
      problem = GatewayProblems.headersTooLarge(limits.maxHeaderBytes());
    } else {
      problem = Problem.badRequest("the request is not valid HTTP/1.1");
    }
    request.response().putHeader("Connection", "close");
    ProblemResponses.send(request.response(), problem, RequestIds.next())
        .onComplete(v -> request.connection().close());
  }
}
