package dev.crossgate.app;

import dev.crossgate.admin.AdminOptions;
import dev.crossgate.admin.ControlPlane;
import dev.crossgate.admin.ControlPlaneOptions;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.cluster.ClusterClient;
import dev.crossgate.gateway.cluster.ClusterClientOptions;
import dev.crossgate.gateway.cluster.NodeAdminForwarder;
import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.config.TrafficTls;
import dev.crossgate.gateway.limit.RateLimitOptions;
import dev.crossgate.store.Database;
import dev.crossgate.store.transfer.TransferRepository;
import dev.crossgate.trace.Tracing;
import dev.crossgate.transfer.TransferEndpoint;
import dev.crossgate.transfer.TransferOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code crossgate gateway}: a data-plane node that follows a control plane over the cluster
 * stream, or, with {@code --config FILE}, serves a configuration file with no control plane.
 */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description =
        "Run a gateway node that takes its configuration from a control plane (--control-plane)"
            + " or from a file (--config).")
final class GatewayCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayCommand.class);

  @Mixin CommonFlags common = new CommonFlags();

  @Mixin GatewayFlags gateway = new GatewayFlags();

  @Mixin HttpFlags http = new HttpFlags();

  @Option(
      names = "--node-admin-port",
      converter = PortNumber.class,
      defaultValue = "9001",
      description =
          "This node's Admin API port, "
              + "forwarded to the control plane (default: ${DEFAULT-VALUE}).")
  int nodeAdminPort;

  @Option(
      names = "--control-plane",
      split = ",",
      description =
          "Control-plane URL(s), " + "comma-separated, e.g. http://cp1:9080,http://cp2:9080.")
  List<URI> controlPlanes;

  @Option(
      names = "--config",
      description =
          "Serve this configuration file (YAML or JSON, crossgate/v1) instead of following a"
              + " control plane: applied at start, re-applied whenever it changes (a broken edit"
              + " is refused and logged, the configuration in service kept); the node admin port"
              + " answers reads and refuses writes (405).")
  Path configFile;

  @Option(
      names = "--admin-token",
      defaultValue = "${env:CROSSGATE_ADMIN_TOKEN}",
      description =
          "With --config: the token the node admin port accepts (or env CROSSGATE_ADMIN_TOKEN),"
              + " at least 24 characters. When absent, one is generated at each start, saved in"
              + " the data dir and printed once.")
  String adminToken;

  @Option(
      names = "--admin-token-file",
      description =
          "With --config: file holding the admin token (trimmed), instead of --admin-token.")
  Path adminTokenFile;

  /** Flags of a node that follows a control plane; refused with {@code --config}. */
  private static final List<String> FOLLOWER_FLAGS =
      List.of(
          "--control-plane",
          "--node-id",
          "--cluster-token",
          "--cluster-token-file",
          "--control-plane-ca",
          "--allowed-upstream-schemes",
          "--heartbeat",
          "--admin-apply-wait");

  @Option(names = "--node-id", description = "This node's id (default: the host name).")
  String nodeId;

  @Option(
      names = "--cluster-token",
      defaultValue = "${env:CROSSGATE_CLUSTER_TOKEN}",
      description =
          "Enrolment secret (or env CROSSGATE_CLUSTER_TOKEN, or --cluster-token-file): presented once, to "
              + "receive this node's own credential (kept in the data dir as node-credential.json); not needed once the "
              + "node has it.")
  String clusterToken;

  @Option(
      names = "--cluster-token-file",
      description =
          "File holding the cluster token (trimmed), instead of "
              + "--cluster-token: keeps it out of the process list.")
  Path clusterTokenFile;

  @Spec CommandSpec command;

  @Option(
      names = "--allowed-upstream-schemes",
      split = ",",
      defaultValue = "http,https",
      description =
          "Upstream "
              + "schemes this node accepts; a change using another is refused (NACK) (default: ${DEFAULT-VALUE}).")
  Set<String> allowedSchemes;

  @Option(
      names = "--control-plane-ca",
      description =
          "PEM CA certificate(s) for https control planes " + "(default: the JVM's trust store).")
  String controlPlaneCa;

  @Option(
      names = "--heartbeat",
      defaultValue = "PT3S",
      description = "Anti-entropy heartbeat period (default: ${DEFAULT-VALUE}).")
  Duration heartbeat;

  @Option(
      names = "--admin-apply-wait",
      defaultValue = "PT2S",
      description =
          "How long a write through this node's admin port (or a GET with ?minRevision=N) waits for this node "
              + "to apply the resulting revision before it is answered with X-Crossgate-Applied: pending "
              + "(default: ${DEFAULT-VALUE}).")
  Duration adminApplyWait;

  @Mixin DatabaseFlags database = new DatabaseFlags();

  @Mixin TransferFlags transfer = new TransferFlags();

  @Mixin TaskFlags tasks = new TaskFlags();

  @Mixin ExtensionFlags extensions = new ExtensionFlags();

  @Mixin TokenFlags tokens = new TokenFlags();

  @Mixin EgressFlags egress = new EgressFlags();

  @Mixin TracingFlags traces = new TracingFlags();

  @Mixin DrainFlags drain = new DrainFlags();

  @Mixin RateLimitFlags rateLimits = new RateLimitFlags();

  @Option(
      names = "--redis",
      description =
          "Redis URI shared by every node for the counters of route rate limits, e.g."
              + " redis://127.0.0.1:6379 (default: none, each node counts on its own).")
  String redis;

  @Override
  public Integer call() {
    common.logFormat.apply();
    // every usage error (exit code 2) before anything starts
    var cli = command.commandLine();
    String token = null;
    if (configFile != null) {
      for (var flag : FOLLOWER_FLAGS) {
        if (cli.getParseResult().hasMatchedOption(flag)) {
          throw new ParameterException(
              cli,
              flag + " is for a node that follows a control plane; leave it out with --config");
        }
      }
      if (!java.nio.file.Files.isReadable(configFile)) {
        throw new ParameterException(cli, "--config " + configFile + " is not a readable file");
      }
    } else {
      if (controlPlanes == null || controlPlanes.isEmpty()) {
        throw new ParameterException(
            cli,
            "a gateway node needs --control-plane URL(s), or --config FILE to serve a"
                + " configuration file without a control plane");
      }
      for (var flag : List.of("--admin-token", "--admin-token-file")) {
        if (cli.getParseResult().hasMatchedOption(flag)) {
          throw new ParameterException(
              cli,
              flag + " applies with --config; a node that follows a control plane forwards tokens");
        }
      }
      token = SecretFlags.resolve(cli, "--cluster-token", clusterToken, clusterTokenFile);
      if (token == null) {
        throw new ParameterException(
            cli,
            "a gateway node needs the cluster token: --cluster-token-file, --cluster-token or CROSSGATE_CLUSTER_TOKEN");
      }
    }
    var transferSettings = transfer.toSettings(common.dataDir);
    var transferCors = transfer.toCors();
    var ownPorts =
        java.util.stream.IntStream.concat(
                java.util.Arrays.stream(gateway.ownPorts()),
                java.util.stream.IntStream.of(nodeAdminPort))
            .toArray();
    var egressPolicy = egress.toPolicy(ownPorts);
    var gatewayOptions =
        gateway
            .toOptions(common.bind, egressPolicy)
            .withH2c(http.h2c)
            // JSON log lines carry the access log's fields as fields
            .withAccessLogJson(gateway.accessLogJson || common.logFormat == LogFormat.JSON);
    var drainPeriod = drain.drainPeriod();
    var tls = gateway.toTls();
    var fileNodeToken =
        configFile == null ? null : SecretFlags.adminToken(cli, adminToken, adminTokenFile);
    var rateLimitOptions = rateLimits.toOptions(redis);
    var tracing = traces.toTracing("crossgate");
    var vertx = Vertx.vertx(GatewayServer.vertxOptions(gatewayOptions));
    if (configFile != null) {
      // a node of the file: no cluster client, no forwarder
      return RoleRunner.run(
          command,
          vertx,
          common.dataDir,
          drainPeriod,
          () ->
              serveFile(
                  vertx,
                  fileNodeToken,
                  gatewayOptions,
                  transferSettings,
                  egressPolicy,
                  tls,
                  rateLimitOptions,
                  tracing));
    }
    var id = nodeId == null ? hostName() : nodeId;
    var options =
        new ClusterClientOptions(
            controlPlanes,
            id,
            token,
            common.dataDir,
            NodePolicy.allowedUpstreamSchemes(allowedSchemes),
            heartbeat,
            version(),
            controlPlaneCa);
    var url = database.url(common.dataDir);
    var process = Metrics.processRegistry();
    return RoleRunner.run(
        command,
        vertx,
        common.dataDir,
        drainPeriod,
        () ->
            vertx
                .executeBlocking(() -> Database.open(url, database.dbUser, database.password(), 10))
                .compose(
                    taskDb ->
                        ClusterClient.start(vertx, options)
                            .compose(
                                cluster -> {
                                  // tasks and transfers live in the node's database (PostgreSQL
                                  // shared by all nodes in production)
                                  var transfers =
                                      TransferEndpoint.create(
                                          vertx,
                                          new TransferRepository(taskDb.dataSource()),
                                          transferSettings,
                                          egressPolicy,
                                          transferCors);
                                  return GatewayServer.start(
                                          vertx,
                                          gatewayOptions,
                                          cluster,
                                          List.of(transfers),
                                          new GatewayServices(
                                              taskDb,
                                              tasks.toOptions(common.dataDir),
                                              extensions
                                                  .toOptions(common.dataDir.resolve("extensions"))
                                                  .withHostedModules(cluster::fetchModule),
                                              cluster.readiness(),
                                              tls,
                                              tokens.toOptions(),
                                              rateLimitOptions,
                                              tracing))
                                      .onSuccess(traffic -> cluster.report(traffic::nodeReport))
                                      .compose(
                                          traffic ->
                                              NodeAdminForwarder.start(
                                                      vertx,
                                                      common.bind,
                                                      nodeAdminPort,
                                                      controlPlanes,
                                                      options.sslOptions(),
                                                      cluster,
                                                      () ->
                                                          process.scrape()
                                                              + traffic.metrics().scrape(),
                                                      adminApplyWait,
                                                      upstream ->
                                                          traffic.upstreamPools().health(upstream))
                                                  .map(
                                                      admin -> {
                                                        LOG.info(
                                                            "crossgate gateway ready node={} gateway={} nodeAdmin=http://{}:{} controlPlane={}",
                                                            id,
                                                            GatewayFlags.urls(
                                                                common.bind, traffic, tls),
                                                            common.bind,
                                                            admin.port(),
                                                            controlPlanes);
                                                        Supplier<Future<Void>> close =
                                                            () ->
                                                                traffic
                                                                    .close()
                                                                    .eventually(admin::close)
                                                                    .eventually(transfers::close)
                                                                    .eventually(cluster::close)
                                                                    .eventually(
                                                                        () ->
                                                                            closeBlocking(
                                                                                vertx, taskDb));
                                                        return new RoleRunner.Running(
                                                            cluster.readiness(), close);
                                                      }));
                                })));
  }

  /**
   * {@code --config}: the node's configuration comes from the file through the same pieces as
   * {@code standalone --config}: an in-memory store that the file watcher applies the file to, and
   * the follower that turns the store's change log into the node's snapshot. So there is one way
   * from configuration to snapshot, and a file is validated, applied and refused exactly as a
   * control plane would. The store's Admin API is served on the node admin port only, read-only and
   * without the console; tasks and transfers stay in the node's own database ({@code --db}).
   */
  private Future<RoleRunner.Running> serveFile(
      Vertx vertx,
      String token,
      GatewayOptions gatewayOptions,
      TransferOptions transferSettings,
      EgressPolicy egressPolicy,
      TrafficTls tls,
      RateLimitOptions rateLimitOptions,
      Tracing tracing) {
    var file = configFile.toAbsolutePath().normalize();
    var storeOptions =
        ControlPlaneOptions.embedded(common.dataDir, common.bind, nodeAdminPort)
            .withAdmin(AdminOptions.of(common.bind, nodeAdminPort).withoutConsole())
            .withAdminToken(token)
            .withEgress(egressPolicy)
            .withConfigFile(file);
    var url = database.url(common.dataDir);
    var node = new AtomicReference<GatewayServer>();
    return vertx
        .executeBlocking(() -> Database.open(url, database.dbUser, database.password(), 10))
        .compose(
            taskDb ->
                ControlPlane.start(
                        vertx,
                        storeOptions,
                        () -> node.get() == null ? "" : node.get().metrics().scrape())
                    .compose(
                        store -> {
                          Banner.printGeneratedToken(store.generatedToken(), common.dataDir);
                          return LocalNode.start(
                              "gateway",
                              vertx,
                              store,
                              gatewayOptions,
                              transferSettings,
                              egressPolicy,
                              readiness ->
                                  new GatewayServices(
                                      taskDb,
                                      tasks.toOptions(common.dataDir),
                                      extensions.toOptions(common.dataDir.resolve("extensions")),
                                      readiness,
                                      tls,
                                      tokens.toOptions(),
                                      rateLimitOptions,
                                      tracing),
                              node,
                              traffic ->
                                  LOG.info(
                                      "crossgate gateway ready gateway={} nodeAdmin=http://{}:{} config={}",
                                      GatewayFlags.urls(common.bind, traffic, tls),
                                      common.bind,
                                      store.port(),
                                      file));
                        })
                    .map(
                        running ->
                            new RoleRunner.Running(
                                running.readiness(),
                                () ->
                                    running
                                        .close()
                                        .get()
                                        .eventually(() -> closeBlocking(vertx, taskDb))))
                    .recover(
                        failure ->
                            closeBlocking(vertx, taskDb)
                                .transform(v -> Future.failedFuture(failure))));
  }

  /** Closes the node's task database on a worker thread. */
  private static Future<Void> closeBlocking(Vertx vertx, Database database) {
    return vertx.executeBlocking(
        () -> {
          database.close();
          return null;
        });
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "node";
    }
  }

  private static String version() {
    var v = GatewayCommand.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
