package dev.crossgate.app;

import dev.crossgate.admin.ControlPlane;
import dev.crossgate.http.Transports;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code crossgate admin}: the control plane alone (Admin API, console, configuration store). */
@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    description = "Run the control plane: Admin API, web console and configuration store.")
final class AdminCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  private static final Logger LOG = LoggerFactory.getLogger(AdminCommand.class);

  @Mixin CommonFlags common = new CommonFlags();
  @Mixin StorageFlags storage = new StorageFlags();
  @Mixin EgressFlags egress = new EgressFlags();
  @Mixin TrafficFlags trafficView = new TrafficFlags();
  @Mixin HttpFlags http = new HttpFlags();
  @Mixin DrainFlags drain = new DrainFlags();

  @Override
  public Integer call() {
    // usage errors before anything starts
    common.logFormat.apply();
    var options =
        storage
            .toOptions(common, http.h2c)
            .withEgress(egress.toPolicy(storage.adminPort))
            .withTraffic(trafficView.toOptions());
    var drainPeriod = drain.drainPeriod();
    var vertx = Vertx.vertx(Transports.vertxOptions());
    var registry = Metrics.processRegistry();
    var controlPlane = new AtomicReference<ControlPlane>();
    var nodes =
        new Metrics.ClusterNodes(
            registry,
            () -> controlPlane.get() == null ? List.of() : controlPlane.get().nodeFigures());
    return RoleRunner.run(
        spec,
        vertx,
        common.dataDir,
        drainPeriod,
        () ->
            ControlPlane.start(
                    vertx,
                    options,
                    () -> {
                      nodes.refresh();
                      return registry.scrape();
                    })
                .map(
                    cp -> {
                      controlPlane.set(cp);
                      Banner.printGeneratedToken(cp.generatedToken(), options.dataDir());
                      var admin =
                          (options.admin().tls() ? "https://" : "http://")
                              + common.bind
                              + ":"
                              + cp.port();
                      LOG.info(
                          "crossgate admin ready admin={}/admin console={}/console/ transport={}",
                          admin,
                          admin,
                          vertx.isNativeTransportEnabled() ? "native" : "nio");
                      return new RoleRunner.Running(cp.readiness(), cp::close);
                    }));
  }
}
