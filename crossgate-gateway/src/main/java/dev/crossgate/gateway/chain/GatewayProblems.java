package dev.crossgate.gateway.chain;

import dev.crossgate.problem.Problem;

/**
 * The problem types the gateway itself answers with, beside the shared ones in {@link Problem}.
 * Type URIs are stable: operators alert on them.
 */
public final class GatewayProblems {
  private GatewayProblems() {}

  public static Problem uriTooLong(int limit) {
    return Problem.of(
            "uri-too-long",
            "URI too long",
            414,
            "the request target exceeds the limit of " + limit + " characters")
        .with("limit", limit);
  }

  public static Problem headersTooLarge(int limit) {
    return Problem.of(
            "header-fields-too-large",
            "Request header fields too large",
            431,
            "the request headers exceed the limit of " + limit + " bytes")
        .with("limit", limit);
  }

  /**
   * A bearer JWT that did not verify (RFC 6750 {@code invalid_token}); {@code check} names the step
   * that failed: malformed, algorithm, issuer, unknown-key, keys-unavailable, signature, expired,
   * not-yet-valid, audience. Never carries the token.
   */
  public static Problem invalidToken(String check, String detail) {
    return Problem.of("invalid-token", "Invalid token", 401, detail).with("check", check);
  }

  public static Problem tooManyRequests(String detail, long retryAfterSeconds) {
    return Problem.of("too-many-requests", "Too many requests", 429, detail)
        .with("retryAfter", retryAfterSeconds);
  }

  public static Problem filtered(String ruleId, int status, String message) {
    return Problem.of(
            "filtered",
            "Request rejected by filter",
            status,
            message == null || message.isBlank()
                ? "the request was rejected by a filter rule"
                : message)
        .with("rule", ruleId);
  }

  public static Problem upstreamBusy(String detail) {
    return Problem.of("upstream-busy", "Service unavailable", 503, detail);
  }

  public static Problem notImplemented(String detail) {
    return Problem.of("not-implemented", "Not implemented", 501, detail);
  }
}
