package dev.crossgate.route;

import java.util.List;
import java.util.Set;

/** The outcome of matching a request against the routes. */
public sealed interface RouteMatch {

  /**
   * A route serves the request. {@code remainder} is the path below the matched source path (and
   * version segment), appended to the target path; it is "" or starts with '/'.
   */
  record Found(Route route, String version, String remainder) implements RouteMatch {
    /** The upstream URL without query: target path + remainder. */
    public String targetPath() {
      return route.targetUrl() + remainder;
    }
  }

  /** Some route owns the path but none accepts the method: 405 with {@code Allow}. */
  record MethodNotAllowed(Set<String> allowed) implements RouteMatch {
    public MethodNotAllowed {
      allowed = Set.copyOf(allowed);
    }
  }

  /** Nothing matches; {@code detail} says why in words (unknown version, no route). */
  record NotFound(String detail) implements RouteMatch {}

  /**
   * The path names a version of the source that does not exist ({@code /shop/v3/x} when only v1 and
   * v2 do): refused rather than passed to the default version as its path.
   *
   * @param versions the versions the source has, sorted
   */
  record VersionNotFound(String version, String sourcePath, List<String> versions)
      implements RouteMatch {
    public VersionNotFound {
      versions = List.copyOf(versions);
    }

    public String detail() {
      return "version "
          + version
          + " of "
          + sourcePath
          + " does not exist; its versions are "
          + String.join(", ", versions);
    }
  }
}
