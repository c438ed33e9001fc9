package dev.crossgate.http;

import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.vertx.core.http.HttpServerRequest;

/** The one reading of a request's declared {@code Content-Length}, for every port. */
public final class ContentLength {
  private ContentLength() {}

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
    try {
      long length = Long.parseLong(value.trim());
      if (length >= 0) {
        return length;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ProblemException(Problem.badRequest("Content-Length is not a number"));
  }
}
