package dev.crossgate.http;

import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a (paused) request body whole, refusing it with 413 as soon as it crosses the limit, so a
 * task body or a posted result never grows past what its store accepts. Used where a body must be
 * kept before anything else happens (the gateway's and the agent's async tasks). Every byte is
 * reserved on the request's {@link BufferBudget.Lease} first (the declared length up front, else as
 * it arrives): over the node's budget the read fails with 503 and stops reading. Event loop.
 */
public final class BoundedBody {
  private BoundedBody() {}

  /** Reads without a node budget (the agent: one caller's own process). */
  public static Future<Buffer> read(HttpServerRequest request, long limit) {
    return read(request, limit, BufferBudget.UNLIMITED.lease());
  }

  public static Future<Buffer> read(
      HttpServerRequest request, long limit, BufferBudget.Lease lease) {
    long declared;
    try {
      declared = ContentLength.declared(request);
      if (declared > limit) {
        return Future.failedFuture(new ProblemException(Problem.payloadTooLarge(limit)));
      }
      lease.reserve(declared);
    } catch (ProblemException e) {
      return Future.failedFuture(e);
    }
    var promise = Promise.<Buffer>promise();
    var body = Buffer.buffer();
    long reservedUpFront = Math.max(declared, 0);
    request.handler(
        chunk -> {
          if (body.length() + chunk.length() > limit) {
            fail(request, promise, new ProblemException(Problem.payloadTooLarge(limit)));
            return;
          }
          long beyond = body.length() + chunk.length() - reservedUpFront;
          if (beyond > 0) {
            try {
              lease.reserve(Math.min(beyond, chunk.length()));
            } catch (ProblemException e) {
              fail(request, promise, e);
              return;
            }
          }
          body.appendBuffer(chunk);
        });
    request.endHandler(v -> promise.tryComplete(body));
    request.exceptionHandler(promise::tryFail);
    request.resume();
    return promise.future();
  }

  private static void fail(
      HttpServerRequest request, Promise<Buffer> promise, ProblemException problem) {
    request.pause();
    request.handler(null);
    promise.tryFail(problem);
  }

  public static boolean tooLarge(Throwable e) {
    return e instanceof ProblemException pe && pe.problem().status() == 413;
  }
}
