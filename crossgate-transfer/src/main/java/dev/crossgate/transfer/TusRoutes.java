package dev.crossgate.transfer;

import dev.crossgate.digest.DigestAlgorithm;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.http.BufferBudget;
import dev.crossgate.id.Ids;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.transfer.TransferRecord;
import dev.crossgate.store.transfer.TransferStatus;
import dev.crossgate.trace.RequestTrace;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tus 1.0.0 (https://tus.io/protocols/resumable-upload) at {@code /_tus/}: core, creation,
 * creation-with-upload, creation-defer-length, checksum, termination, expiration — over the same
 * store as the native protocol. A PATCH body is cut into segments of at most {@code maxChunkSize}
 * bytes, each stored as one chunk as soon as it is full, so memory stays bounded and an interrupted
 * PATCH keeps what arrived (as the core protocol recommends) unless it carries an {@code
 * Upload-Checksum}, which covers the whole body and so must be verified before anything is kept.
 */
final class TusRoutes {
  static final String VERSION = "1.0.0";
  static final String OFFSET_CONTENT_TYPE = "application/offset+octet-stream";
  private static final Logger LOG = LoggerFactory.getLogger(TusRoutes.class);
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
  private static final int MAX_METADATA = 4096;

  private final TransferService service;
  private final TransferResponder responder;
  private final NativeRoutes completion;

  /**
   * Uploads with a PATCH in progress on this node. A HEAD or PATCH for such an upload waits for it
   * to end, so a client that resumes right after its connection broke sees the offset that includes
   * what the broken PATCH kept, instead of racing it (tusd calls these upload locks).
   */
  private final Map<String, Future<Void>> patching = new java.util.concurrent.ConcurrentHashMap<>();

  private final TargetDelivery delivery;

  TusRoutes(
      TransferService service,
      TransferResponder responder,
      NativeRoutes completion,
      TargetDelivery delivery) {
    this.service = service;
    this.responder = responder;
    this.completion = completion;
    this.delivery = delivery;
  }

  void mount(Router router) {
    router
        .route("/_tus*")
        .handler(
            ctx -> {
              ctx.response().putHeader("Tus-Resumable", VERSION);
              if (ctx.request().method() != io.vertx.core.http.HttpMethod.OPTIONS
                  && !VERSION.equals(ctx.request().getHeader("Tus-Resumable"))) {
                ctx.response().putHeader("Tus-Version", VERSION);
                responder.fail(
                    ctx,
                    new ProblemException(
                        Problem.preconditionFailed(
                            "Tus-Resumable: "
                                + VERSION
                                + " is required; this server speaks tus "
                                + VERSION)));
                return;
              }
              ctx.next();
            });
    router.options("/_tus/").handler(this::options);
    router.options("/_tus/:id").handler(this::options);
    router.post("/_tus/").handler(this::create);
    router.post("/_tus").handler(this::create);
    router.head("/_tus/:id").handler(this::head);
    router.patch("/_tus/:id").handler(this::patch);
    router.delete("/_tus/:id").handler(this::terminate);
    router.post("/_tus/:id").handler(this::methodOverride);
  }

  /**
   * {@code POST} with {@code X-HTTP-Method-Override}, for clients whose HTTP stack cannot send
   * PATCH or DELETE (java.net.HttpURLConnection, as tus-java-client uses).
   */
  private void methodOverride(RoutingContext ctx) {
    var method = ctx.request().getHeader("X-HTTP-Method-Override");
    if ("PATCH".equalsIgnoreCase(method)) {
      patch(ctx);
    } else if ("DELETE".equalsIgnoreCase(method)) {
      terminate(ctx);
    } else {
      responder.fail(
          ctx,
          new ProblemException(
              Problem.methodNotAllowed(
                  "POST on an upload needs X-HTTP-Method-Override: PATCH or DELETE")));
    }
  }

  private void options(RoutingContext ctx) {
    ctx.response()
        .setStatusCode(204)
        .putHeader("Tus-Version", VERSION)
        .putHeader(
            "Tus-Extension",
            "creation,creation-with-upload,creation-defer-length,checksum,termination,expiration")
        .putHeader("Tus-Max-Size", Long.toString(service.settings().maxTransferSize()))
        .putHeader("Tus-Checksum-Algorithm", "sha1,sha256,crc32c")
        .end();
  }

  private void create(RoutingContext ctx) {
    var request = ctx.request();
    request.pause();
    String owner;
    Long length;
    Map<String, String> metadata;
    String rawMetadata;
    boolean withUpload;
    Checksum checksum;
    try {
      owner = TransferRef.owner(ctx);
      var lengthHeader = request.getHeader("Upload-Length");
      var defer = request.getHeader("Upload-Defer-Length");
      if (lengthHeader == null && !"1".equals(defer)) {
        throw new ProblemException(
            Problem.badRequest("Upload-Length or Upload-Defer-Length: 1 is required"));
      }
      length = lengthHeader == null ? null : nonNegative("Upload-Length", lengthHeader);
      rawMetadata = request.getHeader("Upload-Metadata");
      metadata = metadata(rawMetadata);
      withUpload =
          TransferResponder.declaredLength(ctx) > 0
              || request.getHeader("Transfer-Encoding") != null;
      if (withUpload) {
        requireOffsetContentType(request);
      }
      checksum = Checksum.parse(request.getHeader("Upload-Checksum"));
    } catch (ProblemException e) {
      responder.fail(ctx, e);
      return;
    }
    var id = Ids.random("tus_");
    var name = metadata.getOrDefault("filename", metadata.get("name"));
    var target = metadata.get("target");
    delivery
        .admit(target, "Upload-Metadata target")
        .compose(
            v ->
                responder.blocking(
                    () -> service.createTus(owner, id, length, name, target, rawMetadata)))
        .compose(
            created -> {
              ctx.response().putHeader("Location", "/_tus/" + id);
              if (!withUpload) {
                BodyReader.discard(request);
                return Future.succeededFuture(created);
              }
              return receive(
                  request,
                  GatewayEndpoint.exchange(ctx).bufferLease(),
                  new Append(created, 0),
                  checksum);
            })
        .compose(t -> completeWhenFull(t, GatewayEndpoint.exchange(ctx).trace()))
        .onSuccess(
            t -> {
              ctx.response()
                  .setStatusCode(201)
                  .putHeader("Upload-Expires", HTTP_DATE.format(t.expiresAt()));
              if (withUpload) {
                ctx.response().putHeader("Upload-Offset", Long.toString(t.receivedBytes()));
              }
              ctx.response().end();
            })
        .onFailure(e -> responder.fail(ctx, e));
  }

  private void head(RoutingContext ctx) {
    try {
      var ref = TransferRef.of(ctx);
      idle(ref.owner(), ref.id())
          .compose(v -> responder.blocking(() -> requireTus(ref.owner(), ref.id())))
          .onSuccess(
              t -> {
                var response =
                    ctx.response()
                        .setStatusCode(200)
                        .putHeader("Cache-Control", "no-store")
                        .putHeader("Upload-Offset", Long.toString(t.receivedBytes()))
                        .putHeader("Upload-Expires", HTTP_DATE.format(t.expiresAt()));
                if (t.totalSize() == null) {
                  response.putHeader("Upload-Defer-Length", "1");
                } else {
                  response.putHeader("Upload-Length", Long.toString(t.totalSize()));
                }
                if (t.metadata() != null) {
                  response.putHeader("Upload-Metadata", t.metadata());
                }
                response.end();
              })
          .onFailure(e -> headFailure(ctx, e));
    } catch (ProblemException e) {
      headFailure(ctx, e);
    }
  }

  /** HEAD replies carry no body (RFC 9110 section 9.3.2): the status and headers say it all. */
  private static void headFailure(RoutingContext ctx, Throwable e) {
    int status = e instanceof ProblemException pe ? pe.problem().status() : 500;
    ctx.response().setStatusCode(status).putHeader("Cache-Control", "no-store").end();
  }

  private void patch(RoutingContext ctx) {
    var request = ctx.request();
    request.pause();
    TransferRef ref;
    long offset;
    Long length;
    Checksum checksum;
    try {
      ref = TransferRef.of(ctx);
      requireOffsetContentType(request);
      var offsetHeader = request.getHeader("Upload-Offset");
      if (offsetHeader == null) {
        throw new ProblemException(Problem.badRequest("Upload-Offset is required"));
      }
      offset = nonNegative("Upload-Offset", offsetHeader);
      var lengthHeader = request.getHeader("Upload-Length");
      length = lengthHeader == null ? null : nonNegative("Upload-Length", lengthHeader);
      checksum = Checksum.parse(request.getHeader("Upload-Checksum"));
    } catch (ProblemException e) {
      responder.fail(ctx, e);
      return;
    }
    var owner = ref.owner();
    var id = ref.id();
    var trace = GatewayEndpoint.exchange(ctx).trace();
    var span = RequestTrace.span(trace, "transfer patch", SpanKind.INTERNAL);
    span.setAttribute(TargetDelivery.SPAN_TRANSFER_ID, id);
    span.setAttribute("crossgate.transfer.offset", offset);
    var lockKey = owner + '\u0000' + id;
    Promise<Void> lock = Promise.promise();
    lock(lockKey, lock.future())
        .compose(
            v ->
                responder.blocking(
                    () -> {
                      var t = requireTus(owner, id);
                      if (t.status() != TransferStatus.OPEN) {
                        throw new ProblemException(TransferProblems.notOpen(id, t.status().name()));
                      }
                      if (t.receivedBytes() != offset) {
                        throw new ProblemException(
                            Problem.conflict(
                                    "Upload-Offset "
                                        + offset
                                        + " does not match the upload's offset "
                                        + t.receivedBytes())
                                .with("offset", t.receivedBytes()));
                      }
                      if (length != null && t.lengthDeferred()) {
                        service.declareLength(t, length);
                        t = requireTus(owner, id);
                      }
                      return new Append(t, t.receivedChunks());
                    }))
        .compose(
            start -> receive(request, GatewayEndpoint.exchange(ctx).bufferLease(), start, checksum))
        .compose(t -> completeWhenFull(t, trace))
        .andThen(
            ar -> {
              patching.remove(lockKey, lock.future());
              lock.complete();
            })
        .andThen(Tracing.ends(span, t -> 204))
        .onSuccess(
            t ->
                ctx.response()
                    .setStatusCode(204)
                    .putHeader("Upload-Offset", Long.toString(t.receivedBytes()))
                    .putHeader("Upload-Expires", HTTP_DATE.format(t.expiresAt()))
                    .end())
        .onFailure(e -> responder.fail(ctx, e));
  }

  /**
   * Takes the upload's PATCH lock, after the PATCH that holds it (if any) has ended. Event loop.
   */
  private Future<Void> lock(String key, Future<Void> mine) {
    var previous = patching.putIfAbsent(key, mine);
    if (previous == null) {
      return Future.succeededFuture();
    }
    return previous.transform(ar -> lock(key, mine));
  }

  private Future<Void> idle(String owner, String id) {
    var current = patching.get(owner + '\u0000' + id);
    return current == null
        ? Future.succeededFuture()
        : current.transform(ar -> Future.succeededFuture());
  }

  /**
   * When the last byte has arrived, the upload is verified and delivered like a native end
   * notification.
   */
  private Future<TransferRecord> completeWhenFull(TransferRecord t, RequestTrace trace) {
    if (t.totalSize() == null || t.receivedBytes() != t.totalSize()) {
      return Future.succeededFuture(t);
    }
    return responder
        .blocking(() -> service.beginCompletion(t.owner(), t.id(), null))
        .compose(
            verified ->
                completion
                    .deliver(verified, trace)
                    .compose(
                        result ->
                            responder.blocking(() -> service.finishCompletion(verified, result))))
        .map(view -> t);
  }

  private void terminate(RoutingContext ctx) {
    responder.respond(
        ctx,
        () -> {
          var ref = TransferRef.of(ctx);
          return responder.blocking(
              () -> {
                requireTus(ref.owner(), ref.id());
                service.delete(ref.owner(), ref.id());
                return null;
              });
        },
        v -> ctx.response().setStatusCode(204).end());
  }

  private TransferRecord requireTus(String owner, String id) {
    var t = service.require(owner, id);
    if (!TransferService.TUS.equals(t.protocol())) {
      throw new ProblemException(TransferProblems.notFound(id));
    }
    if (t.status() == TransferStatus.FAILED) {
      throw new ProblemException(
          Problem.of("gone", "Gone", 410, "upload " + id + " failed: " + t.failure()));
    }
    return t;
  }

  /** Where a PATCH starts: the upload, and the number its first new chunk gets. */
  private record Append(TransferRecord transfer, long nextNumber) {}

  /**
   * Streams the request body into segments and stores each as a chunk, in order. Event loop; each
   * store step runs on the worker pool while the request is paused (backpressure).
   */
  private Future<TransferRecord> receive(
      HttpServerRequest request, BufferBudget.Lease lease, Append start, Checksum checksum) {
    var t = start.transfer();
    long segmentSize = service.settings().maxChunkSize();
    long limit = t.totalSize() != null ? t.totalSize() : service.settings().maxTransferSize();
    Promise<TransferRecord> done = Promise.promise();
    var state =
        new Object() {
          Buffer segment = Buffer.buffer();
          long accepted = t.receivedBytes();
          long offset = t.receivedBytes();
          long number = start.nextNumber();
          TransferRecord latest = t;
          Future<Void> tail = Future.succeededFuture();

          void store(Buffer data) {
            long at = offset;
            long n = number;
            offset += data.length();
            number++;
            if (t.lengthDeferred()) {
              tail =
                  tail.compose(
                      v ->
                          responder.blocking(
                              () -> {
                                service.reserveMore(t.owner(), data.length());
                                return null;
                              }));
            }
            tail =
                tail.compose(v -> responder.blocking(() -> service.appendTus(t, n, at, data)))
                    .map(
                        stored -> {
                          latest = stored;
                          lease.release(data.length());
                          return null;
                        });
          }
        };
    request.handler(
        data -> {
          if (done.future().isComplete()) {
            return;
          }
          if (state.accepted + data.length() > limit) {
            request.response().putHeader("Connection", "close");
            done.tryFail(
                new ProblemException(
                    TransferProblems.tooLarge(
                        "the upload ("
                            + (t.totalSize() != null ? "Upload-Length" : "the server's maximum")
                            + ")",
                        limit)));
            return;
          }
          try {
            lease.reserve(data.length());
          } catch (ProblemException overBudget) {
            request.response().putHeader("Connection", "close");
            done.tryFail(overBudget);
            return;
          }
          state.accepted += data.length();
          state.segment.appendBuffer(data);
          if (checksum != null) {
            if (state.segment.length() > segmentSize) {
              request.response().putHeader("Connection", "close");
              done.tryFail(
                  new ProblemException(
                      TransferProblems.tooLarge("a PATCH with Upload-Checksum", segmentSize)));
            }
            return;
          }
          if (state.segment.length() >= segmentSize) {
            var full = state.segment;
            state.segment = Buffer.buffer();
            request.pause();
            state.store(full);
            state.tail.onSuccess(v -> request.resume()).onFailure(done::tryFail);
          }
        });
    request.endHandler(
        v -> {
          if (done.future().isComplete()) {
            return;
          }
          var rest = state.segment;
          if (checksum != null) {
            var computed = checksum.algorithm().digest(Buffers.nio(rest));
            if (!java.security.MessageDigest.isEqual(computed, checksum.value())) {
              done.tryFail(
                  new ProblemException(
                      Problem.of(
                          "checksum-mismatch",
                          "Checksum mismatch",
                          460,
                          "the body does not match Upload-Checksum; nothing was stored")));
              return;
            }
          }
          if (rest.length() > 0) {
            state.store(rest);
          }
          state.tail.onSuccess(x -> done.tryComplete(state.latest)).onFailure(done::tryFail);
        });
    request.exceptionHandler(
        e -> {
          if (done.future().isComplete()) {
            return;
          }
          var rest = state.segment;
          if (checksum == null && rest.length() > 0) {
            LOG.info(
                "event=tus-patch-interrupted owner={} id={} keptBytes={}",
                t.owner(),
                t.id(),
                rest.length());
            state.store(rest);
          }
          state.tail.onComplete(x -> done.tryFail(e));
        });
    BodyReader.start(request);
    return done.future();
  }

  /** An {@code Upload-Checksum} header: algorithm and value of the whole PATCH body. */
  private record Checksum(DigestAlgorithm algorithm, byte[] value) {
    static Checksum parse(String header) {
      if (header == null) {
        return null;
      }
      var parts = header.trim().split(" ");
      if (parts.length != 2) {
        throw new ProblemException(
            Problem.badRequest("Upload-Checksum must be '<algorithm> <base64>'"));
      }
      var algorithm =
          DigestAlgorithm.byTusName(parts[0].toLowerCase(Locale.ROOT))
              .orElseThrow(
                  () ->
                      new ProblemException(
                          Problem.badRequest(
                              "unsupported checksum algorithm "
                                  + parts[0]
                                  + "; supported: sha1, sha256, crc32c")));
      try {
        return new Checksum(algorithm, Base64.getDecoder().decode(parts[1]));
      } catch (IllegalArgumentException e) {
        throw new ProblemException(Problem.badRequest("Upload-Checksum value is not base64"));
      }
    }
  }

  private static void requireOffsetContentType(HttpServerRequest request) {
    var type = request.getHeader("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(OFFSET_CONTENT_TYPE)) {
      throw new ProblemException(
          Problem.unsupportedMediaType("Content-Type must be " + OFFSET_CONTENT_TYPE));
    }
  }

  private static long nonNegative(String header, String value) {
    try {
      long n = Long.parseLong(value.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ProblemException(
        Problem.badRequest(header + " must be a non-negative integer, got " + value));
  }

  /** Parses {@code Upload-Metadata}: comma-separated {@code key base64value} pairs. */
  static Map<String, String> metadata(String header) {
    var out = new LinkedHashMap<String, String>();
    if (header == null || header.isBlank()) {
      return out;
    }
    if (header.length() > MAX_METADATA) {
      throw new ProblemException(
          Problem.badRequest("Upload-Metadata is longer than " + MAX_METADATA + " characters"));
    }
    for (var pair : header.split(",")) {
      var parts = pair.trim().split(" ");
      if (parts.length == 0 || parts[0].isEmpty() || parts.length > 2) {
        throw new ProblemException(
            Problem.badRequest("Upload-Metadata must be 'key base64value' pairs"));
      }
      try {
        out.put(
            parts[0],
            parts.length == 2
                ? new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                : "");
      } catch (IllegalArgumentException e) {
        throw new ProblemException(
            Problem.badRequest("Upload-Metadata value of " + parts[0] + " is not base64"));
      }
    }
    return out;
  }
}
