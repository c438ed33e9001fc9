package dev.crossgate.agent.callback;

import dev.crossgate.problem.Problem;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which callback URLs the agent will POST results to: only those under an operator-given prefix
 * (same scheme, host and port; path under the prefix's path). A caller-supplied URL is otherwise
 * a server-side request forgery vector (the agent sits inside the caller's network and would
 * reach any internal host for them), so everything else is refused before the task is accepted.
 */
public final class CallbackPolicy {
  private final List<URI> allowed;

  public CallbackPolicy(List<String> prefixes) {
    var list = new ArrayList<URI>();
    for (var p : prefixes) {
      var uri = URI.create(p).normalize();
      if (uri.getHost() == null || !isHttp(uri)) {
        throw new IllegalArgumentException("a callback prefix is an http(s) URL with a host, got " + p);
      }
      list.add(uri);
    }
    this.allowed = List.copyOf(list);
  }

  /** Null when {@code url} may be called back; otherwise the problem to answer. */
  public Problem check(String url) {
    URI uri;
    try {
      uri = new URI(url).normalize();
    } catch (java.net.URISyntaxException e) {
      return refused("the callback URL is not a valid URL");
    }
    if (!uri.isAbsolute() || !isHttp(uri) || uri.getHost() == null || uri.getRawUserInfo() != null
        || uri.getRawFragment() != null) {
      return refused("the callback URL must be an absolute http(s) URL without user info or fragment");
    }
    for (var prefix : allowed) {
      if (prefix.getScheme().equalsIgnoreCase(uri.getScheme())
          && prefix.getHost().equalsIgnoreCase(uri.getHost())
          && port(prefix) == port(uri)
          && underPath(prefix.getRawPath(), uri.getRawPath())) {
        return null;
      }
    }
    return refused("the callback URL is not on this agent's allow-list");
  }

  private static boolean underPath(String prefix, String path) {
    var p = prefix == null || prefix.isEmpty() ? "/" : prefix;
    var actual = path == null || path.isEmpty() ? "/" : path;
    if (p.endsWith("/")) {
      return actual.startsWith(p) || actual.equals(p.substring(0, p.length() - 1));
    }
    return actual.equals(p) || actual.startsWith(p + "/");
  }

  private static boolean isHttp(URI uri) {
    var s = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return s.equals("http") || s.equals("https");
  }

  private static int port(URI uri) {
    return uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  private static Problem refused(String detail) {
    return Problem.of("callback-not-allowed", "Callback URL not allowed", 400, detail);
  }
}
