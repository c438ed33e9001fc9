package dev.crossgate.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The matching rules of Crossgate, shared by the data plane and the Admin API's resolve.
 *
 * <p>Hosts: the exact host, then each {@code *.parent} wildcard from the most specific, then routes
 * without a host; the first host key with a matching route wins. Paths: the longest registered
 * source path at a segment boundary wins; at equal length an EXACT route beats a PREFIX one.
 * Versions: the segment right after the source path when a route of that version exists there
 * ({@code /shop/v1/x}), else the {@code Accept-Version} header, else the route marked default (or
 * the unversioned one). A segment there that only looks like a version ({@code /shop/v3/x} when the
 * source has v1 and v2: the same letters and punctuation, other digits) is refused as {@link
 * RouteMatch.VersionNotFound} instead of reaching the default version as its path, unless the route
 * it would reach opts out ({@code versionInPath: false}). Cost: at most (host labels + 2) x (path
 * segments + 1) hash lookups, whatever the number of routes.
 *
 * <p>The path must already be normalised by {@link PathNormalizer}.
 */
public final class RouteMatcher {
  private RouteMatcher() {}

  public static RouteMatch match(
      RouteSource source, String host, String path, String method, String acceptVersion) {
    var hostKeys = hostKeys(host);
    var segmentEnds = segmentEnds(path);
    RouteMatch.MethodNotAllowed refused = null;
    for (var hostKey : hostKeys) {
      for (int i = segmentEnds.size() - 1; i >= 0; i--) {
        int end = segmentEnds.get(i);
        var prefix = end == 0 ? "/" : path.substring(0, end);
        var routes = source.routesAt(hostKey, prefix);
        if (routes.isEmpty()) {
          continue;
        }
        var result = matchAt(routes, path, end, method, acceptVersion);
        if (result instanceof RouteMatch.Found || result instanceof RouteMatch.VersionNotFound) {
          return result;
        }
        if (result instanceof RouteMatch.MethodNotAllowed m && refused == null) {
          refused = m;
        }
      }
    }
    if (refused != null) {
      return refused;
    }
    return new RouteMatch.NotFound(
        acceptVersion == null
            ? "no route matches " + method + " " + path
            : "no route matches " + method + " " + path + " in version " + acceptVersion);
  }

  private static RouteMatch matchAt(
      List<Route> routes, String path, int end, String method, String acceptVersion) {
    // "" or "/...": what lies below the source path (end 0 is the root source path "/")
    var rest = end == 0 ? (path.equals("/") ? "" : path) : path.substring(end);
    String version = null;
    String remainder = rest;
    var nextSegment = firstSegment(rest);
    if (nextSegment != null && hasVersion(routes, nextSegment)) {
      version = nextSegment;
      remainder = rest.substring(1 + nextSegment.length());
    } else if (acceptVersion != null && anyVersioned(routes)) {
      // a header naming a version means nothing to an unversioned API: it is ignored there
      version = acceptVersion;
    }
    boolean unknownVersion =
        version == null && nextSegment != null && looksLikeVersion(routes, nextSegment);
    var candidates = new ArrayList<Route>(2);
    for (var r : routes) {
      boolean versionOk =
          version == null
              ? (r.defaultVersion() || r.version() == null)
              : version.equals(r.version());
      boolean pathOk = r.pathMatch() == Route.PathMatch.PREFIX || remainder.isEmpty();
      if (versionOk && pathOk) {
        candidates.add(r);
      }
    }
    Route best = null;
    for (var r : candidates) {
      if (r.allows(method) && (best == null || r.pathMatch() == Route.PathMatch.EXACT)) {
        best = r;
      }
    }
    if (unknownVersion
        && (best == null
            ? routes.stream().allMatch(Route::checksVersionInPath)
            : best.checksVersionInPath())) {
      var sourcePath = end == 0 ? "/" : path.substring(0, end);
      return new RouteMatch.VersionNotFound(nextSegment, sourcePath, versions(routes));
    }
    if (candidates.isEmpty()) {
      return null;
    }
    if (best != null) {
      return new RouteMatch.Found(
          best,
          version == null ? best.version() : version,
          remainder,
          version == null && best.defaultVersion());
    }
    var allowed = new TreeSet<String>();
    candidates.forEach(r -> allowed.addAll(r.methods()));
    return new RouteMatch.MethodNotAllowed(allowed);
  }

  private static boolean hasVersion(List<Route> routes, String segment) {
    for (var r : routes) {
      if (segment.equals(r.version())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code segment} has the shape of one of the routes' versions: the same letters (any
   * case) and punctuation, with a run of digits wherever the version has one. A version without
   * digits has no other values of its shape.
   */
  private static boolean looksLikeVersion(List<Route> routes, String segment) {
    for (var r : routes) {
      if (r.version() != null && sameShape(r.version(), segment)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameShape(String version, String segment) {
    int i = 0;
    int j = 0;
    boolean digits = false;
    while (i < version.length() && j < segment.length()) {
      char a = version.charAt(i);
      char b = segment.charAt(j);
      if (isDigit(a) && isDigit(b)) {
        digits = true;
        while (i < version.length() && isDigit(version.charAt(i))) {
          i++;
        }
        while (j < segment.length() && isDigit(segment.charAt(j))) {
          j++;
        }
      } else if (Character.toLowerCase(a) == Character.toLowerCase(b)) {
        i++;
        j++;
      } else {
        return false;
      }
    }
    return digits && i == version.length() && j == segment.length();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static List<String> versions(List<Route> routes) {
    var versions = new TreeSet<String>();
    for (var r : routes) {
      if (r.version() != null) {
        versions.add(r.version());
      }
    }
    return List.copyOf(versions);
  }

  private static boolean anyVersioned(List<Route> routes) {
    for (var r : routes) {
      if (r.version() != null) {
        return true;
      }
    }
    return false;
  }

  private static String firstSegment(String rest) {
    if (rest.length() < 2) {
      return null;
    }
    int slash = rest.indexOf('/', 1);
    return slash < 0 ? rest.substring(1) : rest.substring(1, slash);
  }

  /** Offsets where each prefix ends: 0 stands for "/", then the end of every segment. */
  private static List<Integer> segmentEnds(String path) {
    var ends = new ArrayList<Integer>();
    ends.add(0);
    for (int i = 1; i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        ends.add(i);
      }
    }
    int last = path.endsWith("/") ? path.length() - 1 : path.length();
    if (last > ends.get(ends.size() - 1)) {
      ends.add(last);
    }
    return ends;
  }

  /**
   * The host keys to try, most specific first: exact, *.parent wildcards, then "" (any host). The
   * agent classifies its callers' hosts by the same keys.
   *
   * @param host a Host header value (a port is ignored), or null
   */
  public static List<String> hostKeys(String host) {
    var keys = new ArrayList<String>(4);
    if (host != null && !host.isEmpty()) {
      var h = stripPort(host).toLowerCase(Locale.ROOT);
      keys.add(h);
      // an IP literal has no parent domains: "*.0.0.1" can never be a route's host
      if (!isIpLiteral(h)) {
        for (int dot = h.indexOf('.');
            dot >= 0 && dot < h.length() - 1;
            dot = h.indexOf('.', dot + 1)) {
          keys.add("*" + h.substring(dot));
        }
      }
    }
    keys.add("");
    return keys;
  }

  private static boolean isIpLiteral(String host) {
    if (host.startsWith("[")) {
      return true;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if ((c < '0' || c > '9') && c != '.') {
        return false;
      }
    }
    return true;
  }

  private static String stripPort(String host) {
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return close > 0 ? host.substring(0, close + 1) : host;
    }
    int colon = host.lastIndexOf(':');
    return colon > 0 ? host.substring(0, colon) : host;
  }
}
