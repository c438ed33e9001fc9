package dev.crossgate.http;

import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a (paused) request body whole, refusing it with 413 as soon as it crosses the limit, so
 * a task body or a posted result never grows past what its store accepts. Used where a body must
 * be kept before anything else happens (the gateway's and the agent's async tasks). Event loop.
 */
public final class BoundedBody {
  private BoundedBody() {}

  public static Future<Buffer> read(HttpServerRequest request, long limit) {
    try {
      if (ContentLength.declared(request) > limit) {
        return Future.failedFuture(new ProblemException(Problem.payloadTooLarge(limit)));
      }
    } catch (ProblemException e) {
      return Future.failedFuture(e);
    }
    var promise = Promise.<Buffer>promise();
    var body = Buffer.buffer();
    request.handler(chunk -> {
      if (body.length() + chunk.length() > limit) {
        request.pause();
        request.handler(null);
        promise.tryFail(new ProblemException(Problem.payloadTooLarge(limit)));
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> promise.tryComplete(body));
    request.exceptionHandler(promise::tryFail);
    request.resume();
    return promise.future();
  }

  public static boolean tooLarge(Throwable e) {
    return e instanceof ProblemException pe && pe.problem().status() == 413;
  }
}
