package dev.crossgate.transfer;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.crossgate.digest.DigestAlgorithm;
import dev.crossgate.digest.DigestField;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.json.Json;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.trace.RequestTrace;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;

/**
 * The native protocol of DESIGN.md "Resumable transfer" under {@code /_transfers}. Handlers run on
 * the event loop, pause the request, and hand store work to the worker pool.
 */
final class NativeRoutes {
  private static final long MAX_DESCRIPTOR_BYTES = 64 * 1024;

  private final TransferService service;
  private final TransferResponder responder;
  private final TargetDelivery delivery;
  private final ChunkBuffers chunkBuffers = new ChunkBuffers();

  NativeRoutes(TransferService service, TransferResponder responder, TargetDelivery delivery) {
    this.service = service;
    this.responder = responder;
    this.delivery = delivery;
  }

  /** Frees the chunk buffers kept for reuse. */
  void close() {
    chunkBuffers.close();
  }

  void mount(Router router) {
    router.post("/_transfers").handler(this::create);
    router.get("/_transfers/:id").handler(this::status);
    router.put("/_transfers/:id/chunks/:number").handler(this::putChunk);
    router.post("/_transfers/:id/complete").handler(this::complete);
    router.delete("/_transfers/:id").handler(this::delete);
  }

  private void create(RoutingContext ctx) {
    var request = ctx.request();
    request.pause();
    String owner;
    try {
      owner = TransferRef.owner(ctx);
      var type = request.getHeader("Content-Type");
      if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
        throw new ProblemException(
            Problem.unsupportedMediaType("the descriptor is sent as application/json"));
      }
    } catch (ProblemException e) {
      responder.fail(ctx, e);
      return;
    }
    BodyReader.read(request, MAX_DESCRIPTOR_BYTES)
        .map(body -> parse(body.toString()))
        .compose(descriptor -> delivery.admit(descriptor.target(), "target").map(descriptor))
        .compose(descriptor -> responder.blocking(() -> service.create(owner, descriptor)))
        .onSuccess(
            created -> {
              if (created.created()) {
                ctx.response().putHeader("Location", "/_transfers/" + created.view().taskId());
              }
              TransferResponder.json(ctx, created.created() ? 201 : 200, created.view());
            })
        .onFailure(e -> responder.fail(ctx, e));
  }

  private static CreateTransferRequest parse(String body) {
    try {
      return Json.mapper().readValue(body, CreateTransferRequest.class);
    } catch (JsonProcessingException e) {
      throw new ProblemException(
          Problem.malformedJson("the descriptor is not valid: " + e.getOriginalMessage()));
    }
  }

  private void status(RoutingContext ctx) {
    responder.respond(
        ctx,
        () -> {
          var ref = TransferRef.of(ctx);
          return responder.blocking(() -> service.status(ref.owner(), ref.id()));
        },
        view -> TransferResponder.json(ctx, 200, view));
  }

  private void putChunk(RoutingContext ctx) {
    var request = ctx.request();
    request.pause();
    TransferRef ref;
    long number;
    Long contentLength;
    DigestField digest;
    try {
      ref = TransferRef.of(ctx);
      number = chunkNumber(ctx.pathParam("number"));
      long declared = TransferResponder.declaredLength(ctx);
      contentLength = declared < 0 ? null : declared;
      if (declared > service.settings().maxChunkSize()) {
        throw new ProblemException(
            TransferProblems.tooLarge(
                "a chunk of " + declared + " bytes", service.settings().maxChunkSize()));
      }
      digest =
          DigestField.parse(
              "Content-Digest", request.getHeader("Content-Digest"), DigestAlgorithm.SHA_256);
    } catch (ProblemException e) {
      responder.fail(ctx, e);
      return;
    }
    var owner = ref.owner();
    var id = ref.id();
    var span =
        RequestTrace.span(
            GatewayEndpoint.exchange(ctx).trace(), "transfer chunk", SpanKind.INTERNAL);
    span.setAttribute(TargetDelivery.SPAN_TRANSFER_ID, id);
    span.setAttribute("crossgate.transfer.chunk", number);
    responder
        .blocking(() -> service.planChunk(owner, id, number, contentLength, digest))
        .compose(
            plan -> {
              if (plan.alreadyStored()) {
                BodyReader.discard(request);
                return responder.blocking(
                    () -> new TransferService.ChunkStored(false, service.require(owner, id)));
              }
              // the chunk is held whole (off-heap) while it is verified: it draws on the node's
              // budget
              GatewayEndpoint.exchange(ctx).bufferLease().reserve(plan.size());
              return BodyReader.receive(
                      request, (int) plan.size(), digest.algorithm(), chunkBuffers)
                  .compose(
                      body ->
                          responder.blocking(
                              () -> {
                                try {
                                  return service.storeChunk(plan, body, digest);
                                } finally {
                                  body.release();
                                }
                              }));
            })
        .andThen(Tracing.ends(span, result -> 200))
        .onSuccess(result -> TransferResponder.json(ctx, 200, chunkReply(number, result)))
        .onFailure(e -> responder.fail(ctx, e));
  }

  /** From the counters on the transfer's row: no chunk rows are read (a reply per chunk). */
  private static Object chunkReply(long number, TransferService.ChunkStored result) {
    var t = result.transfer();
    boolean open = t.holdsChunks();
    var body = new LinkedHashMap<String, Object>();
    body.put("taskId", t.id());
    body.put("chunk", number);
    body.put("stored", result.stored());
    body.put("nextChunk", open ? t.nextChunk() : null);
    if (open && t.lowestMissing() < t.chunkCount()) {
      body.put("lowestMissing", t.lowestMissing());
    }
    body.put("receivedChunks", open ? t.receivedChunks() : 0);
    body.put("receivedBytes", t.receivedBytes());
    body.put("expiresAt", t.expiresAt());
    return body;
  }

  private static long chunkNumber(String raw) {
    try {
      long n = Long.parseLong(raw);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ProblemException(
        TransferProblems.invalid("chunk", "must be a chunk number from 0, got " + raw));
  }

  private void complete(RoutingContext ctx) {
    var request = ctx.request();
    TransferRef ref;
    DigestField declaredAtEnd;
    try {
      ref = TransferRef.of(ctx);
      var repr = request.getHeader("Repr-Digest");
      declaredAtEnd =
          repr == null ? null : DigestField.parse("Repr-Digest", repr, DigestAlgorithm.SHA_256);
    } catch (ProblemException e) {
      responder.fail(ctx, e);
      return;
    }
    BodyReader.discard(request);
    // an end notification repeated after its answer was lost gets the same answer, not a 409
    responder
        .blocking(() -> service.completed(ref.owner(), ref.id()))
        .compose(
            done ->
                done.isPresent()
                    ? io.vertx.core.Future.succeededFuture(done.get())
                    : responder
                        .blocking(
                            () -> service.beginCompletion(ref.owner(), ref.id(), declaredAtEnd))
                        .compose(
                            verified ->
                                deliver(verified, GatewayEndpoint.exchange(ctx).trace())
                                    .compose(
                                        result ->
                                            responder.blocking(
                                                () -> service.finishCompletion(verified, result)))))
        .onSuccess(view -> TransferResponder.json(ctx, 200, view))
        .onFailure(e -> responder.fail(ctx, e));
  }

  /**
   * Delivers a verified transfer to its target (a URL, or a route path called as the transfer's
   * owner), or keeps it when it has none; {@code trace} is the request's (null: tracing off). Event
   * loop.
   */
  Future<DeliveryResult> deliver(TransferService.Verified verified, RequestTrace trace) {
    var t = verified.transfer();
    if (t.target() == null) {
      return Future.succeededFuture(DeliveryResult.kept());
    }
    return delivery.deliver(
        t.target(),
        t.owner(),
        t.id(),
        verified.chunkNumbers(),
        n -> responder.blocking(() -> service.readChunk(t, n)),
        verified.size(),
        verified.fileDigest(),
        trace);
  }

  private void delete(RoutingContext ctx) {
    responder.respond(
        ctx,
        () -> {
          var ref = TransferRef.of(ctx);
          return responder.blocking(
              () -> {
                service.delete(ref.owner(), ref.id());
                return null;
              });
        },
        v -> ctx.response().setStatusCode(204).end());
  }
}
