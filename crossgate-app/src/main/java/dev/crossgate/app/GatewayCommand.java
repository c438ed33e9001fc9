package dev.crossgate.app;

import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.cluster.ClusterClient;
import dev.crossgate.gateway.cluster.ClusterClientOptions;
import dev.crossgate.gateway.cluster.NodeAdminForwarder;
import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.store.Database;
import dev.crossgate.store.transfer.TransferRepository;
import dev.crossgate.transfer.TransferEndpoint;
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
 * stream.
 */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description = "Run a gateway node that takes its configuration from a control plane.")
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
      required = true,
      split = ",",
      description =
          "Control-plane URL(s), " + "comma-separated, e.g. http://cp1:9080,http://cp2:9080.")
  List<URI> controlPlanes;

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

  @Mixin EgressFlags egress = new EgressFlags();

  @Mixin DrainFlags drain = new DrainFlags();

  @Override
  public Integer call() {
    common.logFormat.apply();
    var token =
        SecretFlags.resolve(
            command.commandLine(), "--cluster-token", clusterToken, clusterTokenFile);
    if (token == null) {
      throw new ParameterException(
          command.commandLine(),
          "a gateway node needs the cluster token: --cluster-token-file, --cluster-token or CROSSGATE_CLUSTER_TOKEN");
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
    var tracing = gateway.toTracing();
    var vertx = Vertx.vertx(GatewayServer.vertxOptions(gatewayOptions));
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
                                              extensions.toOptions(
                                                  common.dataDir.resolve("extensions")),
                                              cluster.readiness(),
                                              tls,
                                              tracing))
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
                                                                            vertx.executeBlocking(
                                                                                () -> {
                                                                                  taskDb.close();
                                                                                  return null;
                                                                                }));
                                                        return new RoleRunner.Running(
                                                            cluster.readiness(), close);
                                                      }));
                                })));
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
