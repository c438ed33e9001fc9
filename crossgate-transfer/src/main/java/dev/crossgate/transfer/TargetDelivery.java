package dev.crossgate.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.egress.EgressClient;
import dev.crossgate.egress.EgressRefusedException;
import dev.crossgate.gateway.endpoint.NodeLoopback;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.trace.RequestTrace;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams an assembled file — its chunks one after the other — to the transfer's target as one
 * {@code POST} with a known {@code Content-Length}, never holding more than one chunk. The target
 * is either an absolute URL, posted to directly, or a gateway path ({@link TransferTarget}), posted
 * to this node's own listener ({@link NodeLoopback}) so that it goes through the whole request
 * chain — route match and versioning, filters, the API-key step, async tasks, flows, proxy — as the
 * transfer's owner, signed with the node's internal credential. Runs on the event loop
 * (asynchronous file and socket I/O).
 *
 * <p>A URL target is the tenant's choice of address, so it goes out through the {@link
 * EgressClient} (resolved and checked again now: what the name resolved to at submission proves
 * nothing later). However a URL delivery fails — refused by the egress policy, no connection, a
 * non-2xx answer — the tenant reads the same summary; the reason is logged for the operator.
 * Anything more would make the transfer a port scanner and status oracle.
 */
final class TargetDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(TargetDelivery.class);

  /** The span attribute naming the transfer (chunk, tus PATCH and delivery spans). */
  static final String SPAN_TRANSFER_ID = "crossgate.transfer.id";

  /** How much of an answer is kept to explain a failed delivery; the rest is drained unread. */
  private static final int KEPT_ANSWER_BYTES = 4096;

  private final HttpClient client;
  private final EgressClient egress;

  /** Set once the gateway listens; null while the endpoint runs outside one (path targets fail). */
  private volatile NodeLoopback loopback;

  /**
   * @param egress URL targets go out through it; path targets use {@code client} to this node
   */
  TargetDelivery(HttpClient client, EgressClient egress) {
    this.client = client;
    this.egress = egress;
  }

  /** Reads one stored chunk whole; the future completes on the caller's context. */
  interface ChunkSource {
    Future<Buffer> chunk(long number);
  }

  /** The way into this node's request chain, given when the gateway listens. */
  void loopback(NodeLoopback value) {
    this.loopback = value;
    egress.ownPort(value.port());
  }

  /**
   * Checks a URL target when the transfer is created: its literal address, or every address its
   * name resolves to now, must pass the egress policy. Fails with a 403 {@code egress-refused}
   * problem naming {@code field}; an unresolvable name is refused the same way, so the answer does
   * not tell names that resolve inside apart from names that do not resolve. Path targets and
   * malformed targets pass here (they are validated with the rest of the descriptor).
   */
  Future<Void> admit(String target, String field) {
    if (target == null || TransferTarget.isPath(target) || TransferTarget.problem(target) != null) {
      return Future.succeededFuture();
    }
    return egress
        .admit(target)
        .<Void>mapEmpty()
        .recover(
            failure -> {
              if (!(failure instanceof EgressRefusedException)) {
                LOG.info(
                    "event=transfer-target-unresolved target={} cause={}",
                    target,
                    failure.toString());
              }
              return Future.failedFuture(
                  new ProblemException(TransferProblems.egressRefused(field)));
            });
  }

  /**
   * Delivers the file and says how it went; never fails (a failure is an undelivered result).
   *
   * @param owner the transfer's tenant, the caller a path target's request acts as
   * @param trace the request that completed the transfer (null: tracing off); the delivery is a
   *     client span under it, whose {@code traceparent} the target is sent
   */
  Future<DeliveryResult> deliver(
      String target,
      String owner,
      String transferId,
      List<Long> chunks,
      ChunkSource source,
      long size,
      String fileDigest,
      RequestTrace trace) {
    var options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .putHeader("Content-Type", "application/octet-stream")
            .putHeader("Content-Length", Long.toString(size))
            .putHeader(CrossgateHeaders.TRANSFER_ID, transferId);
    if (fileDigest != null) {
      options.putHeader("Repr-Digest", fileDigest);
    }
    var span = RequestTrace.span(trace, "transfer delivery", SpanKind.CLIENT);
    span.setAttribute(SPAN_TRANSFER_ID, transferId);
    span.setAttribute("crossgate.transfer.size", size);
    Tracing.inject(span, options.getHeaders());
    if (!TransferTarget.isPath(target)) {
      return egress
          .request(options, target)
          .compose(
              request -> {
                // the answer's body is read from the moment its head arrives: attached after the
                // upload instead, a small answer could have ended already ("Response already
                // ended")
                var answered =
                    request
                        .response()
                        .compose(response -> keptAnswer(response).map(body -> response));
                return sendChunks(request, chunks, source).compose(v -> answered);
              })
          .andThen(Tracing.ends(span, HttpClientResponse::statusCode))
          .map(
              response -> {
                if (response.statusCode() >= 200 && response.statusCode() < 300) {
                  return new DeliveryResult(
                      true, "POST " + target + " answered " + response.statusCode());
                }
                LOG.warn(
                    "event=transfer-target-refused owner={} id={} target={} status={}",
                    owner,
                    transferId,
                    target,
                    response.statusCode());
                return undelivered(target);
              })
          .recover(
              failure -> {
                if (!(failure instanceof EgressRefusedException)) {
                  LOG.warn(
                      "event=transfer-target-unreachable owner={} id={} target={} cause={}",
                      owner,
                      transferId,
                      target,
                      failure.toString());
                }
                return Future.succeededFuture(undelivered(target));
              });
    }
    var self = loopback;
    if (self == null) {
      return Future.succeededFuture(
          new DeliveryResult(
              false,
              "POST "
                  + target
                  + " failed: this transfer endpoint runs outside a gateway, so it has no routes"));
    }
    options.setHost(self.host()).setPort(self.port()).setURI(target);
    self.caller().sign(options.getHeaders(), owner);
    return client
        .request(options)
        // no connection, no answer to end the span with
        .onFailure(e -> Tracing.fail(span, e))
        .compose(
            request -> {
              // the chain may refuse before reading the body (no route, 401, 413): that answer is
              // the
              // outcome, so it is awaited alongside the upload rather than after it
              var answered =
                  request.response().andThen(Tracing.ends(span, HttpClientResponse::statusCode));
              var sent = sendChunks(request, chunks, source, answered);
              return answered
                  .compose(
                      response ->
                          keptAnswer(response).map(answer -> routed(target, response, answer)))
                  .compose(
                      result ->
                          result.delivered() ? sent.map(result) : Future.succeededFuture(result));
            })
        .recover(
            failure ->
                Future.succeededFuture(
                    new DeliveryResult(
                        false, "POST " + target + " failed: " + failure.getMessage())));
  }

  /**
   * The one outcome a tenant reads for a URL target that did not take the file, whatever the
   * reason.
   */
  static DeliveryResult undelivered(String target) {
    return new DeliveryResult(
        false, "POST " + target + " was not accepted (no 2xx answer from an allowed address)");
  }

  /** The outcome of a delivery through the chain: an async task is named, a refusal explained. */
  private static DeliveryResult routed(String target, HttpClientResponse response, String answer) {
    int status = response.statusCode();
    var taskId = response.getHeader(CrossgateHeaders.TASK_ID);
    var location = response.getHeader("Location");
    if (status == 202 && taskId != null && ("/_tasks/" + taskId).equals(location)) {
      return new DeliveryResult(
          true, "POST " + target + " → task " + taskId + " accepted (202), poll " + location);
    }
    if (status >= 200 && status < 300) {
      return new DeliveryResult(true, "POST " + target + " → " + status);
    }
    var why = problemDetail(response, answer);
    return new DeliveryResult(
        false, "POST " + target + " → " + status + (why == null ? "" : ": " + why));
  }

  /** The {@code detail} (or {@code title}) of an RFC 9457 problem answer, when it is one. */
  private static String problemDetail(HttpClientResponse response, String answer) {
    var type = response.getHeader("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/problem+json")) {
      return null;
    }
    try {
      JsonNode problem = Json.mapper().readTree(answer);
      var detail = problem.path("detail").asText(null);
      return detail != null ? detail : problem.path("title").asText(null);
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The first {@value #KEPT_ANSWER_BYTES} bytes of the answer as text; the rest is read and
   * dropped, so an upstream answering a large body costs no memory.
   */
  private static Future<String> keptAnswer(HttpClientResponse response) {
    var promise = Promise.<String>promise();
    var kept = Buffer.buffer();
    response.handler(
        data -> {
          int room = KEPT_ANSWER_BYTES - kept.length();
          if (room > 0) {
            kept.appendBuffer(data.length() <= room ? data : data.slice(0, room));
          }
        });
    response.exceptionHandler(promise::tryFail);
    response.endHandler(v -> promise.tryComplete(kept.toString()));
    return promise.future();
  }

  /**
   * Writes the chunks one after the other. Each chunk is read whole (at most {@code maxChunkSize}
   * bytes) and the next is only read once the previous one was written to the socket, so memory
   * stays at one chunk whatever the file size.
   */
  private static Future<Void> sendChunks(
      HttpClientRequest request, List<Long> chunks, ChunkSource source) {
    Future<Void> chain = Future.succeededFuture();
    for (long number : chunks) {
      chain = chain.compose(v -> source.chunk(number)).compose(request::write);
    }
    return chain.compose(v -> request.end());
  }

  /** As above, but stops reading and writing chunks once the receiver has answered. */
  private static Future<Void> sendChunks(
      HttpClientRequest request,
      List<Long> chunks,
      ChunkSource source,
      Future<HttpClientResponse> answered) {
    Future<Void> chain = Future.succeededFuture();
    for (long number : chunks) {
      chain =
          chain
              .compose(
                  v ->
                      answered.isComplete()
                          ? Future.<Buffer>failedFuture("answered before the whole file was sent")
                          : source.chunk(number))
              .compose(request::write);
    }
    return chain.compose(v -> request.end());
  }
}
