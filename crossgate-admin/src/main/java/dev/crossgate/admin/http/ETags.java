package dev.crossgate.admin.http;

import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.vertx.ext.web.RoutingContext;

/**
 * Entity tags of configuration entities: the change-log revision of their last write, quoted (RFC
 * 9110 section 8.8.3). {@code If-Match: *} or no header means "overwrite whatever is there".
 */
public final class ETags {
  private ETags() {}

  public static String of(long revision) {
    return "\"" + revision + "\"";
  }

  /** The revision named by If-Match, or null when absent or {@code *}. */
  public static Long ifMatch(RoutingContext ctx) {
    var header = ctx.request().getHeader("if-match");
    if (header == null || header.isBlank() || header.trim().equals("*")) {
      return null;
    }
    var value = header.trim();
    if (value.startsWith("W/")) {
      value = value.substring(2);
    }
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      try {
        return Long.parseLong(value.substring(1, value.length() - 1));
      } catch (NumberFormatException ignored) {
        // falls through to the problem
      }
    }
    throw new ProblemException(
        Problem.badRequest(
            "If-Match must be an entity tag from this API's ETag header, e.g. \"42\""));
  }
}
