package dev.crossgate.transfer;

import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.json.Json;
import dev.crossgate.problem.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;

/**
 * How both protocol front ends (native and tus) answer: blocking store work on the transfer worker
 * pool, JSON replies, and the one failure path that turns anything into a problem and leaves the
 * connection usable.
 */
final class TransferResponder {
  private final WorkerExecutor workers;
  private final long maxChunkSize;

  TransferResponder(WorkerExecutor workers, long maxChunkSize) {
    this.workers = workers;
    this.maxChunkSize = maxChunkSize;
  }

  /**
   * Runs store work on the {@code crossgate-transfer} pool; the result comes back on the caller's
   * context.
   */
  <T> Future<T> blocking(Callable<T> work) {
    return workers.executeBlocking(work, false);
  }

  /**
   * Runs {@code work} (which may throw a problem before it goes asynchronous) and hands its result
   * to {@code reply}, or its failure to {@link #fail}. Event loop.
   */
  <T> void respond(
      RoutingContext ctx,
      java.util.function.Supplier<Future<T>> work,
      java.util.function.Consumer<T> reply) {
    Future<T> result;
    try {
      result = work.get();
    } catch (ProblemException e) {
      fail(ctx, e);
      return;
    }
    result.onSuccess(reply::accept).onFailure(e -> fail(ctx, e));
  }

  static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(Json.write(body));
  }

  /**
   * Replies with the problem for {@code failure}. An unread body is drained when it is small enough
   * to keep the connection, else the connection is closed after the reply.
   */
  void fail(RoutingContext ctx, Throwable failure) {
    var request = ctx.request();
    if (!request.isEnded()) {
      if (declaredLength(ctx) > maxChunkSize
          || (failure instanceof ProblemException pe && pe.problem().status() == 413)) {
        ctx.response().putHeader("Connection", "close");
      } else {
        BodyReader.discard(request);
      }
    }
    TransferProblems.reply(
        ctx.response(), failure, request.path(), GatewayEndpoint.exchange(ctx).requestId());
  }

  static long declaredLength(RoutingContext ctx) {
    return GatewayEndpoint.exchange(ctx).declaredLength();
  }
}
