package dev.crossgate.transfer;

import dev.crossgate.egress.EgressClient;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.gateway.endpoint.NodeLoopback;
import dev.crossgate.store.transfer.ChunkStore;
import dev.crossgate.store.transfer.TransferRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.ext.web.Router;

/**
 * Resumable transfers: the native protocol under {@code /_transfers} and tus 1.0 under {@code
 * /_tus/}, over one store (index in the database, bytes under the data dir or in the database:
 * {@link TransferOptions#chunkStorage()}). The caller's tenant (resolved by the chain) owns a
 * transfer; a transfer id is scoped to its tenant, and another tenant gets 404 for it. A periodic
 * sweeper removes transfers whose sliding expiry has passed.
 *
 * <p>Handlers run on the event loop; JDBC, disk and digest work run on the {@code
 * crossgate-transfer} worker pool.
 */
public final class TransferEndpoint implements GatewayEndpoint {
  private final Vertx vertx;
  private final TransferService service;
  private final WorkerExecutor workers;
  private final HttpClient deliveryClient;
  private final TargetDelivery delivery;
  private final NativeRoutes nativeRoutes;
  private final TusRoutes tusRoutes;
  private final long sweepTimer;

  private TransferEndpoint(
      Vertx vertx, TransferRepository repository, TransferOptions settings, EgressPolicy egress) {
    this.vertx = vertx;
    this.service = new TransferService(repository, chunkStore(repository, settings), settings);
    this.workers =
        vertx.createSharedWorkerExecutor("crossgate-transfer", settings.workerPoolSize());
    this.deliveryClient = vertx.createHttpClient(new HttpClientOptions());
    var responder = new TransferResponder(workers, settings.maxChunkSize());
    this.delivery =
        new TargetDelivery(deliveryClient, EgressClient.create(vertx, deliveryClient, egress));
    this.nativeRoutes = new NativeRoutes(service, responder, delivery);
    this.tusRoutes = new TusRoutes(service, responder, nativeRoutes, delivery);
    this.sweepTimer = vertx.setPeriodic(settings.sweepInterval().toMillis(), id -> sweepExpired());
  }

  /**
   * Creates the endpoint and starts its expiry sweeper.
   *
   * @param egress where URL targets may point (checked at submission and again at delivery)
   */
  public static TransferEndpoint create(
      Vertx vertx, TransferRepository repository, TransferOptions settings, EgressPolicy egress) {
    return new TransferEndpoint(vertx, repository, settings, egress);
  }

  /** As above, URL targets limited to public addresses ({@link EgressPolicy#DEFAULT}). */
  public static TransferEndpoint create(
      Vertx vertx, TransferRepository repository, TransferOptions settings) {
    return create(vertx, repository, settings, EgressPolicy.DEFAULT);
  }

  /**
   * Database storage uses the index's own database: the chunk rows reference the transfer rows and
   * go with them (ON DELETE CASCADE), which a second database could not guarantee.
   */
  private static ChunkStore chunkStore(TransferRepository repository, TransferOptions settings) {
    return switch (settings.chunkStorage()) {
      case DISK -> ChunkStore.onDisk(settings.dataDir());
      case DATABASE -> ChunkStore.inDatabase(repository.dataSource());
    };
  }

  @Override
  public void mount(Router router) {
    nativeRoutes.mount(router);
    tusRoutes.mount(router);
  }

  /**
   * Path targets ({@code /sync/…}, {@code /async/…}) are delivered through the node's own listener.
   */
  @Override
  public void listening(NodeLoopback loopback) {
    delivery.loopback(loopback);
  }

  /**
   * Removes expired transfers now (the sweeper does this every {@code sweepInterval}); how many.
   */
  public Future<Integer> sweepExpired() {
    return workers.executeBlocking(service::sweepExpired, true);
  }

  /** Stops the sweeper and releases the worker pool and the delivery client. */
  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    return deliveryClient.close().compose(v -> workers.close());
  }
}
