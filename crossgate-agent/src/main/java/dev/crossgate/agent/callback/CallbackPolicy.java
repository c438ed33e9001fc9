package dev.crossgate.agent.callback;

import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.PathNormalizer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which callback URLs the agent will POST results to: only those under an operator-given prefix
 * (same scheme, host and port; path under the prefix's path). A caller-supplied URL is otherwise a
 * server-side request forgery vector (the agent sits inside the caller's network and would reach
 * any internal host for them), so everything else is refused before the task is accepted.
 *
 * <p>URLs are compared in normal form (RFC 3986 section 6.2.2): scheme and host case-insensitively,
 * the scheme's default port made explicit, and the path through the gateway's own {@link
 * PathNormalizer}, so that {@code /cb/%2e%2e/admin} is compared as {@code /admin} (the receiving
 * server decodes it so) and a path with {@code ;}, an encoded slash or a backslash is refused:
 * receivers disagree on what those mean.
 */
public final class CallbackPolicy {
  /** A URL reduced to what is compared: lower-case scheme and host, explicit port, normal path. */
  private record Origin(String scheme, String host, int port, String path) {
    static Origin of(URI uri) {
      var scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      var raw = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      return new Origin(
          scheme,
          uri.getHost().toLowerCase(Locale.ROOT),
          uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80,
          PathNormalizer.normalize(raw));
    }

    boolean covers(Origin candidate) {
      return scheme.equals(candidate.scheme)
          && host.equals(candidate.host)
          && port == candidate.port
          && underPath(path, candidate.path);
    }
  }

  private final List<Origin> allowed;

  public CallbackPolicy(List<String> prefixes) {
    var list = new ArrayList<Origin>();
    for (var p : prefixes) {
      try {
        var uri = new URI(p);
        if (uri.getHost() == null || !isHttp(uri) || uri.getRawUserInfo() != null) {
          throw new IllegalArgumentException(
              "a callback prefix is an http(s) URL with a host, got " + p);
        }
        list.add(Origin.of(uri));
      } catch (java.net.URISyntaxException | ProblemException e) {
        throw new IllegalArgumentException(
            "a callback prefix is an http(s) URL with a plain path, got " + p);
      }
    }
    this.allowed = List.copyOf(list);
  }

  /** Null when {@code url} may be called back; otherwise the problem to answer. */
  public Problem check(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      return refused("the callback URL is not a valid URL");
    }
    if (!uri.isAbsolute()
        || !isHttp(uri)
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawFragment() != null) {
      return refused(
          "the callback URL must be an absolute http(s) URL without user info or fragment");
    }
    Origin candidate;
    try {
      candidate = Origin.of(uri);
    } catch (ProblemException e) {
      return refused("the callback URL's path is not accepted: " + e.problem().detail());
    }
    for (var prefix : allowed) {
      if (prefix.covers(candidate)) {
        return null;
      }
    }
    return refused("the callback URL is not on this agent's allow-list");
  }

  private static boolean underPath(String p, String actual) {
    if (p.endsWith("/")) {
      return actual.startsWith(p) || actual.equals(p.substring(0, p.length() - 1));
    }
    return actual.equals(p) || actual.startsWith(p + "/");
  }

  private static boolean isHttp(URI uri) {
    var s = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return s.equals("http") || s.equals("https");
  }

  private static Problem refused(String detail) {
    return Problem.of("callback-not-allowed", "Callback URL not allowed", 400, detail);
  }
}
