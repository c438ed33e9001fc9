package dev.crossgate.transfer;

import dev.crossgate.egress.EgressClient;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.gateway.endpoint.NodeLoopback;
import dev.crossgate.gateway.route.CorsStep;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.Route;
import dev.crossgate.store.transfer.ChunkStore;
import dev.crossgate.store.transfer.TransferRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

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
  private final TransferResponder responder;
  private final Route.Cors cors;
  private final long sweepTimer;

  private TransferEndpoint(
      Vertx vertx,
      TransferRepository repository,
      TransferOptions settings,
      EgressPolicy egress,
      Route.Cors cors) {
    this.vertx = vertx;
    this.cors = cors;
    this.service = new TransferService(repository, chunkStore(repository, settings), settings);
    this.workers =
        vertx.createSharedWorkerExecutor("crossgate-transfer", settings.workerPoolSize());
    this.deliveryClient = vertx.createHttpClient(new HttpClientOptions());
    this.responder = new TransferResponder(workers, settings.maxChunkSize());
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
    return create(vertx, repository, settings, egress, null);
  }

  /**
   * As above, with CORS on {@code /_tus/} and {@code /_transfers} for pages of other origins (a
   * browser tus client), or none when {@code cors} is null.
   */
  public static TransferEndpoint create(
      Vertx vertx,
      TransferRepository repository,
      TransferOptions settings,
      EgressPolicy egress,
      Route.Cors cors) {
    return new TransferEndpoint(vertx, repository, settings, egress, cors);
  }

  /**
   * The transfer endpoints' CORS for {@code origins}: every method they serve, any request header
   * (keys travel in headers, never cookies), and the tus and transfer headers a client reads.
   */
  public static Route.Cors corsFor(java.util.List<String> origins) {
    return new Route.Cors(
        origins,
        java.util.List.of("GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"),
        java.util.List.of("*"),
        java.util.List.of(
            "Location",
            "Upload-Offset",
            "Upload-Length",
            "Upload-Metadata",
            "Tus-Resumable",
            "Tus-Version",
            "Tus-Extension",
            "Tus-Max-Size",
            "X-Request-Id"),
        600L,
        false);
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
    if (cors != null) {
      // before the endpoints: a preflight is answered here, never by tus's own OPTIONS
      router.route("/_tus*").handler(this::cors);
      router.route("/_transfers*").handler(this::cors);
    }
    nativeRoutes.mount(router);
    tusRoutes.mount(router);
  }

  /** The route CORS rules ({@link CorsStep}) applied to the transfer endpoints. */
  private void cors(RoutingContext ctx) {
    var request = ctx.request();
    if (CorsStep.isPreflight(request)) {
      var refusal = CorsStep.refusal(cors, java.util.List.of(), request);
      if (refusal != null) {
        responder.fail(ctx, new ProblemException(refusal));
        return;
      }
      ctx.response().headers().addAll(CorsStep.preflightHeaders(cors, request));
      ctx.response().setStatusCode(204).end();
      return;
    }
    CorsStep.allowActual(
        cors, request.getHeader(io.vertx.core.http.HttpHeaders.ORIGIN), ctx.response().headers());
    ctx.next();
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

  /** Stops the sweeper and releases the worker pool, the delivery client and the chunk buffers. */
  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    nativeRoutes.close();
    return deliveryClient.close().compose(v -> workers.close());
  }
}
