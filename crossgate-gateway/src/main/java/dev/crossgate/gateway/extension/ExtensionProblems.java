package dev.crossgate.gateway.extension;

import dev.crossgate.extension.Extension;
import dev.crossgate.problem.Problem;

/** The problems a flow answers when an extension step fails closed or is misconfigured. */
public final class ExtensionProblems {
  private ExtensionProblems() {}

  static Problem failed(Extension e, ExtensionFailure failure) {
    var p =
        switch (failure.kind()) {
          case TIMEOUT ->
              Problem.of("extension-timeout", "Extension timed out", 504, detail(e, failure));
          case CIRCUIT_OPEN ->
              Problem.of("extension-unavailable", "Extension unavailable", 503, detail(e, failure));
          case BUSY ->
              Problem.of("extension-busy", "Extension busy", 503, detail(e, failure))
                  .with("retryAfter", 1);
          case VERSION_UNAVAILABLE ->
              Problem.of(
                  "extension-version-unavailable",
                  "Extension version unavailable",
                  502,
                  detail(e, failure));
          default -> Problem.of("extension-failed", "Extension failed", 502, detail(e, failure));
        };
    return p.with("extension", e.id()).with("tenant", e.tenant());
  }

  /** The route's flow names an extension the registry does not resolve (a configuration error). */
  public static Problem unresolved(String id, String why) {
    return Problem.of(
            "extension-not-found",
            "Extension not found",
            500,
            "the route's flow step ext:" + id + " cannot be resolved: " + why)
        .with("extension", id);
  }

  /** The route's flow places an extension at a point it was not registered for. */
  public static Problem misplaced(Extension e, String point) {
    return Problem.of(
            "extension-misplaced",
            "Extension misplaced",
            500,
            "extension "
                + e.id()
                + " is registered for point "
                + e.point()
                + " but the route's flow runs it at "
                + point)
        .with("extension", e.id());
  }

  public static Problem responseTooLarge(long limit) {
    return Problem.of(
            "extension-body-too-large",
            "Response too large for extension steps",
            502,
            "the upstream response exceeds the " + limit + " bytes an extension step may see")
        .with("limit", limit);
  }

  private static String detail(Extension e, ExtensionFailure failure) {
    return "extension " + e.id() + " of tenant " + e.tenant() + ": " + failure.getMessage();
  }
}
