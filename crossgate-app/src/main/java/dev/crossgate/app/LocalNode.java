package dev.crossgate.app;

import dev.crossgate.admin.ControlPlane;
import dev.crossgate.admin.LocalNodeView;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.health.Readiness;
import dev.crossgate.store.transfer.TransferRepository;
import dev.crossgate.transfer.TransferEndpoint;
import dev.crossgate.transfer.TransferOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A gateway node that serves the configuration of the control plane in its own JVM ({@code
 * standalone}, and {@code gateway --config} with its in-memory store): it follows the store's
 * {@code ConfigFollower} directly, is ready when the store is and the gateway listens, and shows
 * its extension circuits, pool health and modules' load state through the store's Admin API.
 */
final class LocalNode {
  private LocalNode() {}

  /**
   * Starts the node; on failure closes what it started and {@code store}.
   *
   * @param name the node's name in the Admin API: its role
   * @param services the node's services, given the readiness it reports; transfers live in their
   *     database
   * @param node set once the gateway listens (the store's metrics read it)
   * @param ready called once the node runs, to say so
   */
  static Future<RoleRunner.Running> start(
      String name,
      Vertx vertx,
      ControlPlane store,
      GatewayOptions gatewayOptions,
      TransferOptions transferSettings,
      EgressPolicy egressPolicy,
      Function<Readiness, GatewayServices> services,
      AtomicReference<GatewayServer> node,
      Consumer<GatewayServer> ready) {
    var readiness =
        store
            .readiness()
            .require(
                "gateway",
                () ->
                    node.get() != null
                        ? Future.succeededFuture(Map.of("gatewayPort", node.get().port()))
                        : Future.failedFuture(new Readiness.NotReady("the gateway is starting")));
    var nodeServices = services.apply(readiness);
    var transfers =
        TransferEndpoint.create(
            vertx,
            new TransferRepository(nodeServices.database().dataSource()),
            transferSettings,
            egressPolicy);
    return GatewayServer.start(
            vertx, gatewayOptions, store.follower(), List.of(transfers), nodeServices)
        .map(
            traffic -> {
              node.set(traffic);
              store.localNode(
                  new LocalNodeView(
                      name,
                      traffic::extensionCircuitOpen,
                      id -> traffic.upstreamPools().health(id),
                      traffic::moduleLoads,
                      traffic.metrics()));
              ready.accept(traffic);
              Supplier<Future<Void>> close =
                  () -> traffic.close().eventually(transfers::close).eventually(store::close);
              return new RoleRunner.Running(readiness, close);
            })
        // the store runs already: stopped, it lets go of its port and its timers before the
        // process reports the failure
        .recover(
            failure ->
                transfers
                    .close()
                    .eventually(store::close)
                    .transform(v -> Future.failedFuture(failure)));
  }
}
