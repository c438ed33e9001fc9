package dev.crossgate.gateway.chain;

import dev.crossgate.json.Json;
import dev.crossgate.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * The one renderer of gateway-generated errors: RFC 9457 {@code application/problem+json}, with
 * the request id as {@code instance} ({@code urn:crossgate:request:ID}) and as the
 * {@code requestId} member, so a caller can quote it. Never carries a stack trace.
 */
public final class ProblemResponses {
  private ProblemResponses() {}

  public static Problem withRequestId(Problem problem, String requestId) {
    return problem.withInstance("urn:crossgate:request:" + requestId).with("requestId", requestId);
  }

  /** The JSON body ({@link Problem} writes its extension members beside the standard ones). */
  public static Buffer body(Problem problem) {
    return Buffer.buffer(Json.writeBytes(problem));
  }

  /** Writes a whole problem response; for replies outside the chain (invalid requests, WebSocket). */
  public static Future<Void> send(HttpServerResponse response, Problem problem, String requestId) {
    var p = withRequestId(problem, requestId);
    response.setStatusCode(p.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        .putHeader(Exchange.REQUEST_ID, requestId);
    if (p.status() == 429 && p.extensions().get("retryAfter") != null) {
      response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(p.extensions().get("retryAfter")));
    }
    return response.end(body(p));
  }
}
