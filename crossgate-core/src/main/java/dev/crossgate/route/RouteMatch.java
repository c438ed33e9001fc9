package dev.crossgate.route;

import java.util.List;
import java.util.Set;

/** The outcome of matching a request against the routes. */
public sealed interface RouteMatch {

  /**
   * A route serves the request. {@code remainder} is the path below the matched source path (and
   * version segment), appended to the target path; it is "" or starts with '/'. {@code defaulted}:
   * the request named no version and the default version serves it (a canary split may apply).
   */
  record Found(Route route, String version, String remainder, boolean defaulted)
      implements RouteMatch {
    /** A match whose version the request named (or that has none). */
    public Found(Route route, String version, String remainder) {
      this(route, version, remainder, false);
    }

    /**
     * The upstream URL without query: target path + remainder; for a route to an upstream pool,
     * {@code upstream://<id>} stands for whichever target is chosen.
     */
    public String targetPath() {
      if (route.pooled()) {
        var prefix = route.targetPath() == null ? "" : route.targetPath();
        return "upstream://" + route.upstream() + prefix + remainder;
      }
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
