package dev.crossgate.app;

import dev.crossgate.admin.ControlPlane;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code crossgate standalone}: the control plane and one gateway node in one JVM, embedded H2
 * storage by default. The node follows the change log directly.
 */
@Command(name = "standalone", mixinStandardHelpOptions = true,
    description = "Run the control plane and one gateway node in one process (embedded storage by default).")
final class StandaloneCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneCommand.class);

  @Mixin CommonOptions common = new CommonOptions();
  @Mixin StorageOptions storage = new StorageOptions();

  @Option(names = "--gateway-port", defaultValue = "9000", description = "Gateway (traffic) port (default: ${DEFAULT-VALUE}).")
  int gatewayPort;

  @Override
  public Integer call() {
    var vertx = Vertx.vertx();
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Metrics.bindJvm(registry);
    var options = storage.toOptions(common);
    return RoleRunner.run("standalone", vertx, () -> ControlPlane.start(vertx, options, registry::scrape)
        .compose(cp -> {
              var follower = cp.follower();
              return TrafficServer.start(vertx, common.bind, gatewayPort, follower).map(gateway -> {
                Banner.printGeneratedToken(cp.generatedToken(), options.dataDir());
                LOG.info("crossgate standalone ready admin=http://{}:{}/admin console=http://{}:{}/console/"
                        + " gateway=http://{}:{}", common.bind, cp.port(), common.bind, cp.port(), common.bind,
                    gateway.actualPort());
                Supplier<Future<Void>> close = () -> gateway.shutdown().eventually(cp::close);
                return close;
              });
            }));
  }

}
