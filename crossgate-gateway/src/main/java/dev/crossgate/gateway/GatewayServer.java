package dev.crossgate.gateway;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.gateway.endpoint.NodeLoopback;
import dev.crossgate.health.Readiness;

import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.auth.InternalCaller;
import dev.crossgate.gateway.extension.ExtensionOptions;
import dev.crossgate.gateway.extension.Extensions;
import dev.crossgate.gateway.filter.TrustedProxies;
import dev.crossgate.gateway.limit.ClientRateLimiter;
import dev.crossgate.gateway.limit.ConnectionLimiter;
import dev.crossgate.gateway.limit.TenantInFlight;
import dev.crossgate.http.BufferBudget;
import dev.crossgate.gateway.observe.GatewayMetrics;
import dev.crossgate.gateway.task.InterfacesEndpoint;
import dev.crossgate.gateway.task.PublicUrl;
import dev.crossgate.gateway.task.TaskEndpoint;
import dev.crossgate.gateway.task.TaskStore;
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
 * request chain that {@link NodeVerticle} builds (its step order is documented there). The configuration is read from {@code config} once per request, so swapping the
 * supplier's snapshot applies a change to the next request without pausing traffic.
 */
public final class GatewayServer {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

  /** What every event loop of one node shares. */
  record Shared(GatewayOptions options, Supplier<GatewayConfig> config, List<GatewayEndpoint> endpoints,
      GatewayMetrics metrics, ClientRateLimiter rateLimiter, ConnectionLimiter connectionLimiter,
      TrustedProxies trustedProxies, TaskStore tasks, Extensions extensions, InternalCaller internalCaller,
      PublicUrl publicUrl, BufferBudget bufferBudget, TenantInFlight tenantInFlight, Readiness readiness) {}

  private final Vertx vertx;
  private final Shared shared;
  private final String deployment;
  private Future<Void> closed;
  private final int port;
  private final long evictionTimer;

  private GatewayServer(Vertx vertx, Shared shared, String deployment, int port, long evictionTimer) {
    this.vertx = vertx;
    this.shared = shared;
    this.deployment = deployment;
    this.port = port;
    this.evictionTimer = evictionTimer;
  }

  /**
   * Starts the gateway on {@code options.bind():options.port()}; completes when listening.
   * WebAssembly extension modules are cached in memory only.
   */
  public static Future<GatewayServer> start(Vertx vertx, GatewayOptions options, Supplier<GatewayConfig> config,
      List<GatewayEndpoint> endpoints) {
    return start(vertx, options, config, endpoints, GatewayServices.NONE);
  }

  /** As above, running tenant extensions with {@code extensionOptions}. */
  public static Future<GatewayServer> start(Vertx vertx, GatewayOptions options, Supplier<GatewayConfig> config,
      List<GatewayEndpoint> endpoints, ExtensionOptions extensionOptions) {
    return start(vertx, options, config, endpoints, GatewayServices.NONE.withExtensions(extensionOptions));
  }

  /**
   * Starts the gateway with its services: with a task database, async interfaces, {@code /_tasks}
   * and held calls are served; {@code /_interfaces} is served either way; tenant extensions run
   * with the services' extension options.
   */
  public static Future<GatewayServer> start(Vertx vertx, GatewayOptions options, Supplier<GatewayConfig> config,
      List<GatewayEndpoint> endpoints, GatewayServices services) {
    var tasks = services.database() == null ? null : TaskStore.open(vertx, services.database(), services.tasks());
    var allEndpoints = new java.util.ArrayList<>(endpoints);
    allEndpoints.add(new InterfacesEndpoint(options.markers()));
    if (tasks != null) {
      allEndpoints.add(new TaskEndpoint(tasks));
    }
    var limits = options.limits();
    var rateLimiter = limits.requestsPerSecondPerClient() == 0 ? null
        : new ClientRateLimiter(limits.requestsPerSecondPerClient(), limits.burstPerClient(), System::nanoTime);
    var metrics = new GatewayMetrics();
    var shared = new Shared(options, config, List.copyOf(allEndpoints), metrics, rateLimiter,
        new ConnectionLimiter(limits.maxConnectionsPerClient()), new TrustedProxies(options.trustedProxies()), tasks,
        Extensions.create(vertx, services.extensions(), options.egress(), metrics.registry()), InternalCaller.random(),
        PublicUrl.of(options.publicUrl(), options.bind()), BufferBudget.of(limits.bufferBudgetBytes()),
        new TenantInFlight(limits.maxInFlightPerTenant()),
        services.readiness() == null ? new Readiness() : services.readiness());
    var instances = new java.util.concurrent.ConcurrentLinkedQueue<NodeVerticle>();
    return vertx.deployVerticle(() -> {
          var node = new NodeVerticle(shared, options.port());
          instances.add(node);
          return node;
        }, new DeploymentOptions().setInstances(options.eventLoops()))
        .map(id -> {
          // with port 0 the instances share the one port the first of them bound
          int actualPort = instances.peek().actualPort();
          long timer = rateLimiter == null ? -1 : vertx.setPeriodic(30_000, t -> rateLimiter.evictIdle());
          var loopback = NodeLoopback.of(options.bind(), actualPort, shared.internalCaller());
          shared.endpoints().forEach(endpoint -> endpoint.listening(loopback));
          shared.extensions().listening(actualPort);
          LOG.info("gateway listening bind={} port={} eventLoops={} transport={} publicUrl={} egressAllow={}",
              options.bind(), actualPort, options.eventLoops(), vertx.isNativeTransportEnabled() ? "native" : "nio",
              options.publicUrl(), options.egress().describe());
          return new GatewayServer(vertx, shared, id, actualPort, timer);
        });
  }

  /**
   * Options for the {@link Vertx} instance that runs a gateway: at least one event loop per
   * configured server instance, {@link #addressResolverOptions(GatewayOptions)}, and the native
   * transport (Linux epoll) when it loads, NIO otherwise; {@code -Dcrossgate.nativeTransport=false}
   * forces NIO. bench/proxy/RESULTS.md has the side-by-side figures that chose epoll.
   */
  public static VertxOptions vertxOptions(GatewayOptions options) {
    return new VertxOptions()
        .setEventLoopPoolSize(Math.max(options.eventLoops(), VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE))
        .setPreferNativeTransport(!"false".equals(System.getProperty("crossgate.nativeTransport")))
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

  public int port() {
    return port;
  }

  /** True while calls to {@code tenant}'s extensions are refused by its circuit breaker. */
  public boolean extensionCircuitOpen(String tenant) {
    return shared.extensions().circuitOpen(tenant);
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
      closed = vertx.undeploy(deployment).eventually(() -> shared.extensions().close())
          // writes the access-log lines still queued: may wait, so off the event loop
          .eventually(() -> vertx.executeBlocking(() -> {
            shared.metrics().close();
            return null;
          }));
      if (shared.tasks() != null) {
        closed = closed.eventually(() -> shared.tasks().close());
      }
    }
    return closed;
  }
}
