package dev.crossgate.gateway;

import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.gateway.auth.InternalCaller;
import dev.crossgate.gateway.auth.IssuerKeys;
import dev.crossgate.gateway.auth.TokenVerifier;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.config.TrafficTls;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.gateway.endpoint.NodeLoopback;
import dev.crossgate.gateway.extension.ExtensionOptions;
import dev.crossgate.gateway.extension.Extensions;
import dev.crossgate.gateway.filter.TrustedProxies;
import dev.crossgate.gateway.limit.KeyedLimit;
import dev.crossgate.gateway.limit.RateLimiter;
import dev.crossgate.gateway.limit.TenantInFlight;
import dev.crossgate.gateway.limit.TokenBuckets;
import dev.crossgate.gateway.observe.GatewayMetrics;
import dev.crossgate.gateway.task.InterfacesEndpoint;
import dev.crossgate.gateway.task.PublicUrl;
import dev.crossgate.gateway.task.TaskEndpoint;
import dev.crossgate.gateway.task.TaskStore;
import dev.crossgate.gateway.tls.ServerCertificates;
import dev.crossgate.gateway.tls.TlsEngine;
import dev.crossgate.gateway.upstream.UpstreamPools;
import dev.crossgate.health.Readiness;
import dev.crossgate.http.BufferBudget;
import dev.crossgate.http.Transports;
import dev.crossgate.trace.Tracing;
import dev.crossgate.traffic.TrafficDeltas;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway node's data plane: one HTTP server per event loop on a shared port, each running the
 * request chain that {@link NodeVerticle} builds (its step order is documented there). The
 * configuration is read from {@code config} once per request, so swapping the supplier's snapshot
 * applies a change to the next request without pausing traffic.
 */
public final class GatewayServer {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

  /** What every event loop of one node shares. */
  record Shared(
      GatewayOptions options,
      Supplier<GatewayConfig> config,
      List<GatewayEndpoint> endpoints,
      GatewayMetrics metrics,
      TokenBuckets clientBuckets,
      RateLimiter rateLimiter,
      KeyedLimit connectionLimiter,
      TrustedProxies trustedProxies,
      TaskStore tasks,
      Extensions extensions,
      InternalCaller internalCaller,
      PublicUrl publicUrl,
      BufferBudget bufferBudget,
      TenantInFlight tenantInFlight,
      Readiness readiness,
      TrafficTls tls,
      ServerCertificates certificates,
      TlsEngine tlsEngine,
      UpstreamPools pools,
      IssuerKeys issuerKeys,
      TokenVerifier tokens,
      Tracing tracing) {}

  private final Vertx vertx;
  private final Shared shared;
  private final String deployment;
  private Future<Void> closed;
  private final int port;
  private final int tlsPort;
  private final long evictionTimer;
  private final CertificateReload certificateReload;

  /** What the node's routes did since its previous heartbeat; read on a worker. */
  private final TrafficDeltas traffic;

  private GatewayServer(
      Vertx vertx,
      Shared shared,
      String deployment,
      int port,
      int tlsPort,
      long evictionTimer,
      CertificateReload certificateReload) {
    this.vertx = vertx;
    this.shared = shared;
    this.deployment = deployment;
    this.port = port;
    this.tlsPort = tlsPort;
    this.evictionTimer = evictionTimer;
    this.certificateReload = certificateReload;
    this.traffic = new TrafficDeltas(shared.metrics()::registry);
  }

  /**
   * Starts the gateway on {@code options.bind():options.port()}; completes when listening.
   * WebAssembly extension modules are cached in memory only.
   */
  public static Future<GatewayServer> start(
      Vertx vertx,
      GatewayOptions options,
      Supplier<GatewayConfig> config,
      List<GatewayEndpoint> endpoints) {
    return start(vertx, options, config, endpoints, GatewayServices.NONE);
  }

  /** As above, running tenant extensions with {@code extensionOptions}. */
  public static Future<GatewayServer> start(
      Vertx vertx,
      GatewayOptions options,
      Supplier<GatewayConfig> config,
      List<GatewayEndpoint> endpoints,
      ExtensionOptions extensionOptions) {
    return start(
        vertx, options, config, endpoints, GatewayServices.NONE.withExtensions(extensionOptions));
  }

  /**
   * Starts the gateway with its services: with a task database, async interfaces, {@code /_tasks}
   * and held calls are served; {@code /_interfaces} is served either way; tenant extensions run
   * with the services' extension options; with TLS, HTTPS is served too (fails to start when a
   * certificate or key cannot be read or does not match).
   */
  public static Future<GatewayServer> start(
      Vertx vertx,
      GatewayOptions options,
      Supplier<GatewayConfig> config,
      List<GatewayEndpoint> endpoints,
      GatewayServices services) {
    var tlsEngine = TlsEngine.chosen();
    if (tlsEngine == TlsEngine.JDK && !"false".equals(System.getProperty(TlsEngine.PROPERTY))) {
      LOG.warn(
          "event=openssl-unavailable cause=\"{}\" tlsEngine=jdk",
          String.valueOf(TlsEngine.openSslUnavailableCause()));
    }
    if (services.tls() == null) {
      return start(vertx, options, config, endpoints, services, tlsEngine, null);
    }
    return vertx
        .executeBlocking(() -> ServerCertificates.load(vertx, services.tls(), tlsEngine))
        .compose(
            certificates ->
                start(vertx, options, config, endpoints, services, tlsEngine, certificates));
  }

  private static Future<GatewayServer> start(
      Vertx vertx,
      GatewayOptions options,
      Supplier<GatewayConfig> config,
      List<GatewayEndpoint> endpoints,
      GatewayServices services,
      TlsEngine tlsEngine,
      ServerCertificates certificates) {
    var tasks =
        services.database() == null
            ? null
            : TaskStore.open(vertx, services.database(), services.tasks());
    var allEndpoints = new java.util.ArrayList<>(endpoints);
    allEndpoints.add(new InterfacesEndpoint(options.markers()));
    if (tasks != null) {
      allEndpoints.add(new TaskEndpoint(tasks));
    }
    var limits = options.limits();
    var clientBuckets = new TokenBuckets(System::nanoTime);
    var rateLimiter = RateLimiter.create(vertx, services.rateLimits());
    var metrics = new GatewayMetrics();
    io.micrometer.core.instrument.Gauge.builder(
            "crossgate_rate_limit_shared", rateLimiter, r -> r.shared() ? 1 : 0)
        .description(
            "1 while rate limits are counted in Redis for every node, 0 while this node counts alone"
                + " (no --redis, or Redis unreachable)")
        .register(metrics.registry());
    // token issuers' key sets are tenant-chosen URLs: fetched under the egress policy
    var issuerKeys = IssuerKeys.create(vertx, options.egress(), services.tokens());
    var shared =
        new Shared(
            options,
            config,
            List.copyOf(allEndpoints),
            metrics,
            clientBuckets,
            rateLimiter,
            new KeyedLimit(limits.maxConnectionsPerClient()),
            new TrustedProxies(options.trustedProxies()),
            tasks,
            Extensions.create(vertx, services.extensions(), options.egress(), metrics.registry()),
            InternalCaller.random(),
            PublicUrl.of(options.publicUrl(), options.bind()),
            BufferBudget.of(limits.bufferBudgetBytes()),
            new TenantInFlight(limits.maxInFlightPerTenant()),
            services.readiness() == null ? new Readiness() : services.readiness(),
            services.tls(),
            certificates,
            tlsEngine,
            new UpstreamPools(vertx, metrics.registry(), config, tlsEngine),
            issuerKeys,
            new TokenVerifier(issuerKeys, java.time.Clock.systemUTC()),
            services.tracing());
    var instances = new java.util.concurrent.ConcurrentLinkedQueue<NodeVerticle>();
    var tls = services.tls();
    // Vert.x shares a listener among the instances by host and port, but port 0 would give each
    // instance a random port of its own: a free one is picked here instead. With TLS and no
    // cleartext asked for, the cleartext listener is the node's own, on a loopback port.
    var cleartextHost = cleartextHost(options.bind(), tls);
    int cleartextPort =
        Transports.sharedPort(cleartextHost, tls != null && !tls.cleartext() ? 0 : options.port());
    int tlsPort = tls == null ? -1 : Transports.sharedPort(options.bind(), tls.port());
    return rateLimiter
        .connect()
        .compose(
            connected ->
                vertx.deployVerticle(
                    () -> {
                      var node = new NodeVerticle(shared, cleartextHost, cleartextPort, tlsPort);
                      instances.add(node);
                      return node;
                    },
                    new DeploymentOptions().setInstances(options.eventLoops())))
        .map(
            id -> {
              var first = instances.peek();
              int actualPort = first.actualPort();
              long timer =
                  vertx.setPeriodic(
                      30_000,
                      t -> {
                        clientBuckets.evictFull();
                        rateLimiter.evictFull();
                      });
              var loopback = NodeLoopback.of(cleartextHost, actualPort, shared.internalCaller());
              shared.endpoints().forEach(endpoint -> endpoint.listening(loopback));
              shared.extensions().listening(actualPort);
              shared.issuerKeys().egress().ownPort(actualPort);
              LOG.info(
                  "gateway listening bind={} port={} cleartext={} tlsPort={} eventLoops={} transport={} tlsEngine={}"
                      + " publicUrl={}"
                      + " egressAllow={} rateLimitCounters={}",
                  cleartextHost,
                  actualPort,
                  tls == null || tls.cleartext() ? "open" : "node-only",
                  first.actualTlsPort(),
                  options.eventLoops(),
                  vertx.isNativeTransportEnabled() ? "native" : "nio",
                  tlsEngine.logName(),
                  options.publicUrl(),
                  options.egress().describe(),
                  services.rateLimits().redisUri() == null ? "local" : "redis");
              var reload =
                  certificates == null
                      ? null
                      : new CertificateReload(
                          vertx, services.tls(), tlsEngine, certificates, List.copyOf(instances));
              return new GatewayServer(
                  vertx, shared, id, actualPort, first.actualTlsPort(), timer, reload);
            });
  }

  /**
   * Where the cleartext listener binds: the operator's address, or with TLS and no cleartext asked
   * for, a loopback address (for the node's own loopback requests only).
   */
  private static String cleartextHost(String bind, TrafficTls tls) {
    if (tls == null || tls.cleartext()) {
      return bind;
    }
    return bind.indexOf(':') >= 0 ? "::1" : "127.0.0.1";
  }

  /**
   * Checks the traffic port's certificate files every {@link TrafficTls#reloadEvery()}: a changed
   * set that loads and checks replaces the served one for new handshakes on every event loop (open
   * connections keep theirs); one that does not is refused with one log line and the old set stays.
   */
  private static final class CertificateReload {
    private final Vertx vertx;
    private final TrafficTls tls;
    private final TlsEngine engine;
    private final List<NodeVerticle> instances;
    private final long timer;
    private ServerCertificates current;
    private String lastRefusal;
    private boolean running;

    CertificateReload(
        Vertx vertx,
        TrafficTls tls,
        TlsEngine engine,
        ServerCertificates initial,
        List<NodeVerticle> instances) {
      this.vertx = vertx;
      this.tls = tls;
      this.engine = engine;
      this.instances = instances;
      this.current = initial;
      this.timer = vertx.setPeriodic(tls.reloadEvery().toMillis(), t -> check());
    }

    private void check() {
      if (running) {
        return;
      }
      running = true;
      var served = current;
      vertx
          .executeBlocking(
              () -> served.sameFiles(tls) ? served : ServerCertificates.load(vertx, tls, engine))
          .compose(
              loaded -> {
                if (loaded == served) {
                  return Future.succeededFuture();
                }
                var ssl = loaded.sslOptions();
                return Future.all(instances.stream().map(node -> node.updateTls(ssl)).toList())
                    .map(
                        v -> {
                          current = loaded;
                          lastRefusal = null;
                          LOG.info("event=tls-certificates-reloaded pairs={}", tls.pairs().size());
                          return null;
                        });
              })
          .onFailure(
              e -> {
                if (!e.getMessage().equals(lastRefusal)) {
                  lastRefusal = e.getMessage();
                  LOG.warn("event=tls-reload-refused detail=\"{}\" kept=previous", e.getMessage());
                }
              })
          .onComplete(ar -> running = false);
    }

    void cancel() {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * Options for the {@link Vertx} instance that runs a gateway: {@link Transports#vertxOptions()}
   * (epoll when it loads), at least one event loop per configured server instance, and {@link
   * #addressResolverOptions(GatewayOptions)}. bench/proxy/RESULTS.md has the side-by-side figures
   * that chose epoll.
   */
  public static VertxOptions vertxOptions(GatewayOptions options) {
    return Transports.vertxOptions()
        .setEventLoopPoolSize(
            Math.max(options.eventLoops(), VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE))
        .setAddressResolverOptions(addressResolverOptions(options));
  }

  /**
   * DNS settings for the {@link Vertx} instance that runs a gateway: resolved upstream addresses
   * are cached for the record's TTL but never longer than {@code dnsMaxTtlSeconds}, and failures
   * only briefly, so a Kubernetes service that moves is followed without a restart.
   */
  public static AddressResolverOptions addressResolverOptions(GatewayOptions options) {
    return new AddressResolverOptions()
        .setCacheMinTimeToLive(0)
        .setCacheMaxTimeToLive(options.upstream().dnsMaxTtlSeconds())
        .setCacheNegativeTimeToLive(1);
  }

  /**
   * The cleartext port: the operator's, or with TLS and no cleartext asked for, the ephemeral
   * loopback port the node's own loopback requests use.
   */
  public int port() {
    return port;
  }

  /** The HTTPS port, or -1 without TLS. */
  public int tlsPort() {
    return tlsPort;
  }

  /** True while calls to {@code tenant}'s extensions are refused by its circuit breaker. */
  public boolean extensionCircuitOpen(String tenant) {
    return shared.extensions().circuitOpen(tenant);
  }

  /** The node's pools, for their health (its own view). */
  public UpstreamPools upstreamPools() {
    return shared.pools();
  }

  /**
   * The load state of the WebAssembly modules this node tried, once per tenant that asked for each.
   */
  public List<ModuleLoad> moduleLoads() {
    return shared.extensions().moduleLoads();
  }

  /**
   * What a cluster node reports of itself on every heartbeat: its pools' health, its modules, and
   * what its busiest routes did since the previous call. The meters are read on a worker (all
   * routes' meters: too slow for the event loop); the rest on the caller's context.
   */
  public Future<ClusterMessage.NodeReport> nodeReport() {
    return vertx
        .executeBlocking(() -> traffic.next(ClusterMessage.NodeReport.MAX_TRAFFIC_ROUTES), false)
        .map(
            routes ->
                new ClusterMessage.NodeReport(
                    upstreamPools().healthOfAll(), moduleLoads(), routes));
  }

  /** The node's meters; the Admin API mounts {@code /metrics} over {@code metrics().scrape()}. */
  public PrometheusMeterRegistry metrics() {
    return shared.metrics().registry();
  }

  /**
   * Drains and stops: stops accepting, lets in-flight requests finish for at most the options'
   * drain timeout, then closes the upstream pools.
   */
  public synchronized Future<Void> close() {
    if (closed == null) {
      if (evictionTimer >= 0) {
        vertx.cancelTimer(evictionTimer);
      }
      if (certificateReload != null) {
        certificateReload.cancel();
      }
      closed =
          vertx
              .undeploy(deployment)
              .eventually(() -> shared.extensions().close())
              .eventually(() -> shared.issuerKeys().close())
              .eventually(
                  () -> {
                    shared.rateLimiter().close();
                    return Future.succeededFuture();
                  })
              .eventually(
                  () -> {
                    shared.pools().close();
                    return Future.succeededFuture();
                  })
              // writes the access-log lines still queued: may wait, so off the event loop
              .eventually(
                  () ->
                      vertx.executeBlocking(
                          () -> {
                            shared.metrics().close();
                            shared.tracing().close();
                            return null;
                          }));
      if (shared.tasks() != null) {
        closed = closed.eventually(() -> shared.tasks().close());
      }
    }
    return closed;
  }
}
