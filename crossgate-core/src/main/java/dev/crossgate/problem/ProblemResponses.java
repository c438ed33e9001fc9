package dev.crossgate.problem;

import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.id.RequestIds;
import dev.crossgate.json.Json;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * The one renderer of {@link Problem}s onto HTTP responses, for every Crossgate server, and the
 * owner of the header policy that goes with a problem:
 *
 * <ul>
 *   <li>{@code Content-Type: application/problem+json} and {@code Cache-Control: no-store} (RFC
 *       9457; an error is about this request, never to be cached);
 *   <li>{@code Retry-After} when the problem carries {@code retryAfter} (429 and 503, RFC 9110
 *       section 10.2.3);
 *   <li>{@code WWW-Authenticate} on 401 unless the server set a more specific challenge (RFC 9110
 *       section 11.6.1);
 *   <li>{@code Connection: close} on 413: the rest of the body is unread (RFC 9110 section
 *       15.5.14).
 * </ul>
 *
 * Every server quotes the request's one id ({@link RequestIds}) three times: as {@code
 * X-Request-Id}, as {@code instance} ({@code urn:crossgate:request:ID}) and as the {@code
 * requestId} member, so a caller can report it and an operator find it in the access log. Safe to
 * call when headers were already sent (then it only resets the stream: a half-written body must not
 * be completed with an error document).
 */
public final class ProblemResponses {
  private ProblemResponses() {}

  /** {@code problem} naming the request it answers, as {@code instance} and {@code requestId}. */
  public static Problem withRequestId(Problem problem, String requestId) {
    return problem.withInstance("urn:crossgate:request:" + requestId).with("requestId", requestId);
  }

  /** Writes {@code problem} as the whole response to the request {@code requestId}. */
  public static Future<Void> send(HttpServerResponse response, Problem problem, String requestId) {
    if (!response.headWritten()) {
      response.putHeader(CrossgateHeaders.REQUEST_ID, requestId);
    }
    return send(response, withRequestId(problem, requestId));
  }

  private static Future<Void> send(HttpServerResponse response, Problem problem) {
    if (response.headWritten()) {
      response.reset();
      return Future.succeededFuture();
    }
    response.setStatusCode(problem.status());
    addHeaders(problem, response.headers());
    return response.end(body(problem));
  }

  /** Adds the headers a response carrying {@code problem} must have to {@code headers}. */
  public static void addHeaders(Problem problem, MultiMap headers) {
    headers.set("content-type", Problem.MEDIA_TYPE).set("cache-control", "no-store");
    var retryAfter = problem.extensions().get("retryAfter");
    if (retryAfter != null && (problem.status() == 429 || problem.status() == 503)) {
      headers.set("retry-after", String.valueOf(retryAfter));
    }
    if (problem.status() == 401 && !headers.contains("www-authenticate")) {
      // a bearer token that was presented and refused: RFC 6750 section 3.1
      headers.set(
          "www-authenticate",
          problem.typeName().equals("invalid-token")
              ? "Bearer realm=\"crossgate\", error=\"invalid_token\""
              : "Bearer realm=\"crossgate\"");
    }
    if (problem.status() == 413) {
      headers.set("connection", "close");
    }
  }

  public static Buffer body(Problem problem) {
    return Buffer.buffer(Json.writeBytes(problem));
  }
}
