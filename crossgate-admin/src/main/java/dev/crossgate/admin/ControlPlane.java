package dev.crossgate.admin;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.auth.TokenEndpoint;
import dev.crossgate.admin.auth.WhoAmIEndpoint;
import dev.crossgate.admin.change.ChangeEndpoint;
import dev.crossgate.admin.cluster.ClusterHub;
import dev.crossgate.admin.cluster.ConfigFollower;
import dev.crossgate.admin.cluster.NodesEndpoint;
import dev.crossgate.admin.cluster.RevisionHeader;
import dev.crossgate.admin.config.ConfigFileWatcher;
import dev.crossgate.admin.config.ReadOnlyAdmin;
import dev.crossgate.admin.extension.ArtifactVerifier;
import dev.crossgate.admin.extension.ExtensionEndpoint;
import dev.crossgate.admin.extension.ExtensionModuleEndpoint;
import dev.crossgate.admin.filter.FilterEndpoint;
import dev.crossgate.admin.route.RouteEndpoint;
import dev.crossgate.admin.tenant.TenantCertificateEndpoint;
import dev.crossgate.admin.tenant.TenantEndpoint;
import dev.crossgate.admin.tenant.TokenIssuerEndpoint;
import dev.crossgate.admin.traffic.TrafficEndpoint;
import dev.crossgate.admin.traffic.TrafficSampler;
import dev.crossgate.admin.transfer.TransfersEndpoint;
import dev.crossgate.admin.upstream.UpstreamEndpoint;
import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.health.Readiness;
import dev.crossgate.id.Ids;
import dev.crossgate.route.Route;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.ChangeNotifications;
import dev.crossgate.store.Database;
import dev.crossgate.store.OwnerOnlyFiles;
import dev.crossgate.store.cache.RouteCache;
import dev.crossgate.store.cluster.NodeRepository;
import dev.crossgate.store.config.ConfigStore;
import dev.crossgate.store.extension.ExtensionModuleRepository;
import dev.crossgate.store.extension.ExtensionRepository;
import dev.crossgate.store.filter.FilterRepository;
import dev.crossgate.store.revert.ChangeReverter;
import dev.crossgate.store.route.RouteRepository;
import dev.crossgate.store.tenant.TenantCertificateRepository;
import dev.crossgate.store.tenant.TenantRepository;
import dev.crossgate.store.tenant.TokenIssuerRepository;
import dev.crossgate.store.token.TokenRepository;
import dev.crossgate.store.transfer.TransferRepository;
import dev.crossgate.store.upstream.UpstreamRepository;
import dev.crossgate.upstream.UpstreamHealth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's wiring, in one place: database, change log, repositories, route cache, admin
 * credentials and the Admin API server. Used by {@code crossgate admin} and {@code crossgate
 * standalone}.
 */
public final class ControlPlane {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

  /** How long a write waits for this instance's configuration to include it before answering. */
  private static final java.time.Duration COMMIT_APPLY_WAIT = java.time.Duration.ofSeconds(2);

  static final String TOKEN_FILE = "admin-token";

  private final Vertx vertx;
  private final Database database;
  private final ChangeLog changeLog;
  private final RouteRepository routes;
  private final FilterRepository filters;
  private final TenantRepository tenants;
  private final TenantCertificateRepository certificates;
  private final TokenIssuerRepository issuers;
  private final UpstreamRepository upstreams;
  private final ExtensionRepository extensions;
  private final TokenRepository tokens;
  private final ConfigStore configStore;

  /** The gateway node in this process (standalone), or {@link LocalNodeView#NONE}. */
  private volatile LocalNodeView localNode = LocalNodeView.NONE;

  private final RouteCache routeCache;
  private final NodeRepository nodes;
  private final ConfigFollower follower;
  private final ClusterHub hub;
  private final ExtensionModuleRepository modules;
  private final ChangeNotifications notifications;
  private final Readiness readiness;
  private final Redis redis;
  private final long refreshTimer;
  private final long trafficTimer;
  private AdminServer server;

  /** The console's traffic view: the node in this process and the cluster nodes' reports. */
  private final TrafficSampler traffic;

  /** Made when the Admin API starts; its client is closed with the control plane. */
  private ArtifactVerifier artifacts;

  private String generatedToken;

  /** Watches the configuration file of a database-less node; null otherwise. */
  private volatile ConfigFileWatcher configWatcher;

  /** How often a served configuration file is checked for changes. */
  static final Duration CONFIG_FILE_POLL = Duration.ofMillis(250);

  private ControlPlane(Vertx vertx, ControlPlaneOptions options) {
    this.vertx = vertx;
    var url = options.jdbcUrl() == null ? Database.h2Url(options.dataDir()) : options.jdbcUrl();
    this.database = Database.open(url, options.dbUser(), options.dbPassword(), 10);
    var clock = Clock.systemUTC();
    this.changeLog = new ChangeLog(database);
    var routeListeners = new CopyOnWriteArrayList<Consumer<Route>>();
    this.routes =
        new RouteRepository(
            database, changeLog, clock, r -> routeListeners.forEach(l -> l.accept(r)));
    this.filters = new FilterRepository(database, changeLog, clock);
    this.tenants = new TenantRepository(database, changeLog, clock);
    this.extensions = new ExtensionRepository(database, changeLog, clock);
    this.modules = new ExtensionModuleRepository(database);
    this.tokens = new TokenRepository(database, changeLog, clock);
    this.upstreams = new UpstreamRepository(database, changeLog, clock);
    this.configStore =
        new ConfigStore(
            database, changeLog, routes, filters, tenants, extensions, upstreams, clock);
    this.nodes = new NodeRepository(database, clock);
    this.redis =
        options.redisUri() == null
            ? null
            : Redis.createClient(
                vertx,
                new RedisOptions()
                    .setConnectionString(options.redisUri())
                    .setMaxPoolSize(8)
                    .setMaxPoolWaiting(64));
    this.routeCache =
        new RouteCache(
            routes::enabledAt,
            redis == null ? null : RedisAPI.api(redis),
            options.redisKeyPrefix(),
            options.redisTtl(),
            Duration.ofSeconds(5),
            Duration.ofMillis(500));
    routeListeners.add(routeCache::invalidate);
    this.refreshTimer =
        redis == null
            ? -1
            : vertx.setPeriodic(
                options.redisRefresh().toMillis(),
                id -> vertx.executeBlocking(routeCache::refresh, false));
    this.traffic =
        new TrafficSampler(
            () -> localNode.meters(),
            Clock.systemUTC(),
            options.traffic().capacity(),
            options.traffic().routes());
    // off the event loop: a node with many routes has many meters to read
    this.trafficTimer =
        vertx.setPeriodic(
            options.traffic().interval().toMillis(),
            id -> vertx.executeBlocking(this::sampleTraffic, false));
    this.generatedToken = bootstrapToken(options);
    this.certificates = new TenantCertificateRepository(database, changeLog, clock);
    this.issuers = new TokenIssuerRepository(database, changeLog, clock);
    this.follower =
        new ConfigFollower(
            vertx,
            changeLog,
            routes,
            filters,
            tenants,
            extensions::all,
            () -> List.copyOf(certificates.all()),
            () -> List.copyOf(upstreams.all()),
            () -> List.copyOf(issuers.all()),
            1000);
    // this instance's writes apply before they answer (the node of a standalone serves what the
    // write answered); others' arrive by NOTIFY
    changeLog.onCommit(() -> follower.catchUp(COMMIT_APPLY_WAIT));
    var instanceId = Ids.random("cp_").substring(0, 11);
    this.hub =
        new ClusterHub(
            vertx, follower, changeLog, nodes, modules, options.cluster(), instanceId, traffic);
    // changes committed through other control-plane instances arrive by NOTIFY, in milliseconds
    this.notifications =
        database.isPostgres()
            ? new ChangeNotifications(url, options.dbUser(), options.dbPassword(), follower::poke)
            : null;
    this.readiness = new Readiness().require("database", this::databaseAnswers);
  }

  /** The change log's revision, read on a worker: the query every Admin API write depends on. */
  private Future<Map<String, Object>> databaseAnswers() {
    return vertx
        .executeBlocking(
            () -> Map.<String, Object>of("revision", changeLog.latestRevision()), false)
        .recover(
            e -> {
              LOG.debug("event=readiness-check-failed check=database cause=\"{}\"", e.toString());
              return Future.failedFuture(new Readiness.NotReady("the database is not reachable"));
            });
  }

  /** Opens the store and starts the Admin API; blocking parts run on a worker thread. */
  public static Future<ControlPlane> start(
      Vertx vertx, ControlPlaneOptions options, Supplier<String> extraMetrics) {
    return vertx
        .executeBlocking(() -> new ControlPlane(vertx, options), false)
        .compose(
            cp -> {
              // tenant keys are checked against the configuration nodes serve: in memory, never
              // blocking
              var auth = new AdminAuth(cp.tokens, cp.follower);
              var ownPort = options.admin().port();
              cp.artifacts =
                  new ArtifactVerifier(
                      vertx,
                      ownPort > 0 ? options.egress().withOwnPort(ownPort) : options.egress(),
                      Duration.ofSeconds(10),
                      cp.modules);
              var endpoints = new java.util.ArrayList<dev.crossgate.admin.http.AdminEndpoint>();
              if (options.configFile() != null) {
                // before every other endpoint: the file is the configuration
                endpoints.add(new ReadOnlyAdmin(options.configFile()));
              }
              endpoints.addAll(
                  List.of(
                      new RevisionHeader(cp.follower, cp.changeLog),
                      new RouteEndpoint(cp.routes, cp.routeCache),
                      new FilterEndpoint(cp.filters),
                      new TenantEndpoint(cp.tenants),
                      new TenantCertificateEndpoint(cp.tenants, cp.certificates),
                      new TokenIssuerEndpoint(cp.tenants, cp.issuers),
                      new UpstreamEndpoint(cp.upstreams, cp::upstreamHealthOnEveryNode),
                      new ExtensionEndpoint(
                          cp.extensions,
                          cp.artifacts,
                          tenant -> cp.localNode.extensionCircuitOpen().apply(tenant)),
                      new ExtensionModuleEndpoint(
                          cp.extensions, cp.modules, cp::moduleLoadOnEveryNode),
                      new TokenEndpoint(cp.tokens, auth),
                      new ChangeEndpoint(
                          cp.changeLog,
                          new ChangeReverter(
                              cp.database,
                              cp.changeLog,
                              Clock.systemUTC(),
                              List.of(
                                  cp.tenants.tenantRestorer(),
                                  cp.extensions.restorer(),
                                  cp.upstreams.restorer(),
                                  cp.routes.restorer(),
                                  cp.filters.restorer(),
                                  cp.tenants.keyRestorer(),
                                  cp.certificates.restorer(),
                                  cp.issuers.restorer()))),
                      new dev.crossgate.admin.config.ConfigEndpoint(
                          cp.configStore, cp.artifacts::verify),
                      new NodesEndpoint(cp.nodes, cp.follower, cp.hub),
                      new TrafficEndpoint(
                          cp.traffic,
                          options.traffic().interval(),
                          (int) options.traffic().window().toMinutes(),
                          cp.hub::connectedCount,
                          cp.hub::connectedHere),
                      new TransfersEndpoint(new TransferRepository(cp.database.dataSource())),
                      new WhoAmIEndpoint(),
                      new dev.crossgate.admin.task.TaskListEndpoint(cp.database, Clock.systemUTC()),
                      cp.hub));
              var served =
                  options.configFile() == null
                      ? Future.<Void>succeededFuture()
                      : ConfigFileWatcher.start(
                              vertx,
                              cp.configStore,
                              cp.artifacts::verify,
                              options.configFile(),
                              CONFIG_FILE_POLL)
                          .map(
                              watcher -> {
                                cp.configWatcher = watcher;
                                return null;
                              });
              return served
                  .compose(
                      v ->
                          AdminServer.start(
                              vertx, options.admin(), auth, cp.readiness, endpoints, extraMetrics))
                  .map(
                      server -> {
                        cp.server = server;
                        cp.artifacts.ownPort(server.port());
                        return cp;
                      })
                  .recover(e -> cp.close().transform(ignored -> Future.failedFuture(e)));
            });
  }

  private String bootstrapToken(ControlPlaneOptions options) {
    if (options.adminToken() != null) {
      tokens.setBootstrap(options.adminToken());
      return null;
    }
    if (!tokens.isEmpty()) {
      return null;
    }
    var token = TokenRepository.newSecret();
    tokens.setBootstrap(token);
    var file = options.dataDir().resolve(TOKEN_FILE);
    try {
      OwnerOnlyFiles.createDirectories(options.dataDir());
      OwnerOnlyFiles.write(file, (token + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the admin token to " + file, e);
    }
    return token;
  }

  /** The admin token generated on this first start (to print once), or null. */
  public String generatedToken() {
    return generatedToken;
  }

  public int port() {
    return server.port();
  }

  /** Modules uploaded to the platform; a gateway beside this control plane reads them here. */
  public ExtensionModuleRepository modules() {
    return modules;
  }

  public Database database() {
    return database;
  }

  public ChangeLog changeLog() {
    return changeLog;
  }

  public RouteRepository routes() {
    return routes;
  }

  public FilterRepository filters() {
    return filters;
  }

  public TenantRepository tenants() {
    return tenants;
  }

  /** Per-node figures of the cluster streams this instance serves, for {@code /metrics}. */
  public List<dev.crossgate.admin.cluster.ClusterHub.NodeFigure> nodeFigures() {
    return hub.nodeFigures();
  }

  /** The whole configuration as one document: export and apply. */
  public ConfigStore configStore() {
    return configStore;
  }

  public RouteCache routeCache() {
    return routeCache;
  }

  /**
   * The gateway node in this process, once it started: {@code GET /admin/tenants/{t}/extensions}
   * shows its circuits, {@code GET /admin/upstreams/{id}/health} its view beside what cluster nodes
   * report, {@code GET …/extensions/{id}/versions/{v}} its modules' load state, {@code GET
   * /admin/traffic} samples its meters.
   */
  public void localNode(LocalNodeView view) {
    this.localNode = view;
  }

  /** The traffic view's sampler; tests sample it on demand instead of waiting for the timer. */
  public TrafficSampler traffic() {
    return traffic;
  }

  private Void sampleTraffic() {
    traffic.sample();
    return null;
  }

  /**
   * Every node's view of an upstream: the node in this JVM as of now, then each cluster node's last
   * heartbeat. Blocking: reads the node table.
   */
  private List<UpstreamHealth.NodeView> upstreamHealthOnEveryNode(String upstreamId) {
    var views = new java.util.ArrayList<UpstreamHealth.NodeView>();
    localNode
        .upstreamHealth()
        .apply(upstreamId)
        .ifPresent(
            pool ->
                views.add(
                    UpstreamHealth.NodeView.of(
                        localNode.name(), java.time.Instant.now(), true, pool)));
    views.addAll(nodes.upstreamHealth(upstreamId));
    return views;
  }

  /**
   * The load state of {@code tenant}'s module {@code sha256} on every node: the node in this JVM as
   * of now, then each cluster node's last heartbeat ({@code NOT_LOADED} where it never loaded it).
   * Blocking: reads the node table.
   */
  private List<ModuleLoad.OnNode> moduleLoadOnEveryNode(String tenant, String sha256) {
    var states = new java.util.ArrayList<ModuleLoad.OnNode>();
    var local = localNode.moduleLoads();
    if (local != null) {
      states.add(
          local.get().stream()
              .filter(load -> load.tenant().equals(tenant) && load.sha256().equals(sha256))
              .findFirst()
              .map(load -> ModuleLoad.OnNode.of(localNode.name(), load))
              .orElse(ModuleLoad.OnNode.notLoaded(localNode.name())));
    }
    states.addAll(nodes.moduleLoads(tenant, sha256));
    return states;
  }

  /**
   * What {@code /readyz} answers: ready while the database answers; roles add their own checks
   * (standalone: its gateway listens) and drain it on shutdown.
   */
  public Readiness readiness() {
    return readiness;
  }

  /** The control plane's current configuration, as nodes should serve it. */
  public ConfigFollower follower() {
    return follower;
  }

  /** Stops the server (draining requests), then closes Redis and the database pool. */
  public Future<Void> close() {
    vertx.cancelTimer(trafficTimer);
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
    follower.stop();
    if (configWatcher != null) {
      configWatcher.stop();
    }
    hub.close();
    if (notifications != null) {
      notifications.close();
    }
    var stopped = server == null ? Future.<Void>succeededFuture() : server.close();
    if (artifacts != null) {
      stopped = stopped.eventually(artifacts::close);
    }
    return stopped
        .eventually(
            () -> {
              if (redis != null) {
                redis.close();
              }
              return vertx.executeBlocking(
                  () -> {
                    database.close();
                    LOG.info("control plane stopped");
                    return null;
                  },
                  false);
            })
        .mapEmpty();
  }
}
