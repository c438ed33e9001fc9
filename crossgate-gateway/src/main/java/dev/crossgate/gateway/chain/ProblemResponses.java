package dev.crossgate.gateway.chain;

import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;

/**
 * Gateway replies as problems: the request id as {@code instance} ({@code urn:crossgate:request:ID})
 * and as the {@code requestId} member, so a caller can quote it; headers and body by the one
 * renderer, {@link dev.crossgate.problem.ProblemResponses}. Never carries a stack trace.
 */
public final class ProblemResponses {
  private ProblemResponses() {}

  public static Problem withRequestId(Problem problem, String requestId) {
    return problem.withInstance("urn:crossgate:request:" + requestId).with("requestId", requestId);
  }

  /** Writes a whole problem response; for replies outside the chain (invalid requests, endpoints). */
  public static Future<Void> send(HttpServerResponse response, Problem problem, String requestId) {
    response.putHeader(CrossgateHeaders.REQUEST_ID, requestId);
    return dev.crossgate.problem.ProblemResponses.send(response, withRequestId(problem, requestId));
  }
}
