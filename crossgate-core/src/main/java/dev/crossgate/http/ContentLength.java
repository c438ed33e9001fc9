package dev.crossgate.http;

import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/** The one reading of a declared {@code Content-Length}, for every port. */
public final class ContentLength {
  /**
   * Answers up to this size, declared by {@code Content-Length}, are read whole by the proxy and
   * the agent and written with their head as one message: one pass through the client connection's
   * pipeline instead of head, chunk and end. Below what a connection's write queue holds while
   * streaming anyway, so reading them whole holds no more memory.
   */
  public static final int SMALL_ANSWER_BYTES = 8_192;

  private ContentLength() {}

  /**
   * Whether {@code answer}, to a {@code method} request, declares a body of at most {@link
   * #SMALL_ANSWER_BYTES} (so it has no trailers either). False for a HEAD answer, which has no body
   * whatever it declares, and for a missing or malformed length.
   */
  public static boolean small(HttpMethod method, HttpClientResponse answer) {
    if (method == HttpMethod.HEAD) {
      return false;
    }
    var value = answer.headers().get("Content-Length");
    if (value == null) {
      return false;
    }
    long length = parse(value);
    return length >= 0 && length <= SMALL_ANSWER_BYTES;
  }

  /**
   * The declared length, -1 when the request declares none (chunked or no body).
   *
   * @throws ProblemException 400 when the header is not a non-negative number
   */
  public static long declared(HttpServerRequest request) {
    var value = request.headers().get("Content-Length");
    if (value == null) {
      return -1;
    }
    long length = parse(value);
    if (length < 0) {
      throw new ProblemException(Problem.badRequest("Content-Length is not a number"));
    }
    return length;
  }

  /** The value as a non-negative number, -1 when it is not one. */
  private static long parse(String value) {
    try {
      long length = Long.parseLong(value.trim());
      return length >= 0 ? length : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
