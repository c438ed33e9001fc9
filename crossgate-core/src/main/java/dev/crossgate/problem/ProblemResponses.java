package dev.crossgate.problem;

import dev.crossgate.json.Json;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * The one renderer of {@link Problem}s onto HTTP responses, for every Crossgate server. Safe to
 * call when headers were already sent (then it only resets the stream: a half-written body must
 * not be completed with an error document).
 */
public final class ProblemResponses {
  private ProblemResponses() {}

  public static Future<Void> send(HttpServerResponse response, Problem problem) {
    if (response.headWritten()) {
      response.reset();
      return Future.succeededFuture();
    }
    var body = Buffer.buffer(Json.writeBytes(problem));
    response.setStatusCode(problem.status())
        .putHeader("content-type", Problem.MEDIA_TYPE)
        .putHeader("cache-control", "no-store");
    return response.end(body);
  }
}
