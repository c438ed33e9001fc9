package dev.crossgate.app;

import dev.crossgate.admin.ControlPlane;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayServices;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code crossgate standalone}: the control plane and one gateway node in one JVM, embedded H2
 * storage by default. The node follows the change log directly.
 */
@Command(
    name = "standalone",
    mixinStandardHelpOptions = true,
    description =
        "Run the control plane and one gateway node in one process (embedded storage by default).")
final class StandaloneCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneCommand.class);

  @Mixin CommonFlags common = new CommonFlags();
  @Mixin StorageFlags storage = new StorageFlags();

  @Mixin GatewayFlags gateway = new GatewayFlags();

  @Mixin HttpFlags http = new HttpFlags();

  @Mixin TransferFlags transfer = new TransferFlags();

  @Mixin TaskFlags tasks = new TaskFlags();

  @Mixin ExtensionFlags extensions = new ExtensionFlags();

  @Mixin TokenFlags tokens = new TokenFlags();

  @Mixin EgressFlags egress = new EgressFlags();
  @Mixin TrafficFlags trafficView = new TrafficFlags();

  @Mixin TracingFlags traces = new TracingFlags();

  @Mixin DrainFlags drain = new DrainFlags();

  @Mixin RateLimitFlags rateLimits = new RateLimitFlags();

  @Option(
      names = "--config",
      description =
          "Serve this configuration file (YAML or JSON, crossgate/v1) with no database for"
              + " configuration: applied at start, re-applied whenever it changes (a broken edit is"
              + " refused and logged, the configuration in service kept); the Admin API is"
              + " read-only.")
  Path configFile;

  @Spec CommandSpec command;

  @Override
  public Integer call() {
    // every usage error (exit code 2) before anything starts
    common.logFormat.apply();
    var transferSettings = transfer.toSettings(common.dataDir);
    var transferCors = transfer.toCors();
    var ownPorts =
        java.util.stream.IntStream.concat(
                java.util.Arrays.stream(gateway.ownPorts()),
                java.util.stream.IntStream.of(storage.adminPort))
            .toArray();
    var egressPolicy = egress.toPolicy(ownPorts);
    var gatewayOptions =
        gateway
            .toOptions(common.bind, egressPolicy)
            .withH2c(http.h2c)
            // JSON log lines carry the access log's fields as fields
            .withAccessLogJson(gateway.accessLogJson || common.logFormat == LogFormat.JSON);
    var tls = gateway.toTls();
    // --redis: the route cache's Redis also shares the rate-limit counters
    var rateLimitOptions = rateLimits.toOptions(storage.redis);
    var tracing = traces.toTracing("crossgate");
    var options =
        storage
            .toOptions(common, http.h2c)
            .withEgress(egressPolicy)
            .withTraffic(trafficView.toOptions());
    if (configFile != null) {
      if (options.jdbcUrl() != null) {
        throw new ParameterException(
            command.commandLine(),
            "--config serves the file with no database for configuration; leave out --db");
      }
      if (!java.nio.file.Files.isReadable(configFile)) {
        throw new ParameterException(
            command.commandLine(), "--config " + configFile + " is not a readable file");
      }
      options = options.withConfigFile(configFile.toAbsolutePath().normalize());
    }
    var controlPlaneOptions = options;
    var drainPeriod = drain.drainPeriod();
    var vertx = Vertx.vertx(GatewayServer.vertxOptions(gatewayOptions));
    var node = new AtomicReference<GatewayServer>();
    var registry = Metrics.processRegistry();
    return RoleRunner.run(
        command,
        vertx,
        common.dataDir,
        drainPeriod,
        () ->
            ControlPlane.start(
                    vertx,
                    controlPlaneOptions,
                    () ->
                        registry.scrape()
                            + (node.get() == null ? "" : node.get().metrics().scrape()))
                .compose(
                    cp -> {
                      // shown before the gateway starts, so a first start that fails later
                      // still tells the operator the token it wrote
                      Banner.printGeneratedToken(
                          cp.generatedToken(), controlPlaneOptions.dataDir());
                      return LocalNode.start(
                          "standalone",
                          vertx,
                          cp,
                          gatewayOptions,
                          transferSettings,
                          egressPolicy,
                          readiness ->
                              new GatewayServices(
                                  cp.database(),
                                  tasks.toOptions(controlPlaneOptions.dataDir()),
                                  extensions
                                      .toOptions(
                                          controlPlaneOptions.dataDir().resolve("extensions"))
                                      // uploaded modules straight from the control plane's store
                                      .withHostedModules(
                                          sha256 ->
                                              vertx.executeBlocking(
                                                  () ->
                                                      io.vertx.core.buffer.Buffer.buffer(
                                                          cp.modules()
                                                              .module(sha256)
                                                              .orElseThrow(
                                                                  () ->
                                                                      new IllegalStateException(
                                                                          "no module " + sha256))),
                                                  false)),
                                  readiness,
                                  tls,
                                  tokens.toOptions(),
                                  rateLimitOptions,
                                  tracing),
                          node,
                          traffic -> {
                            var admin =
                                (controlPlaneOptions.admin().tls() ? "https://" : "http://")
                                    + common.bind
                                    + ":"
                                    + cp.port();
                            LOG.info(
                                "crossgate standalone ready admin={}/admin console={}/console/ gateway={}{}",
                                admin,
                                admin,
                                GatewayFlags.urls(common.bind, traffic, tls),
                                configFile == null
                                    ? ""
                                    : " config=" + controlPlaneOptions.configFile());
                          });
                    }));
  }
}
