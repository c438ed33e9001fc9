package dev.crossgate.transfer;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where an assembled file goes: an absolute http(s) URL (posted there directly), or a path on this
 * gateway, such as {@code /sync/orders/v1/import} or {@code /async/reports/v1/ingest}, that goes
 * through the gateway's own request chain as the transfer's tenant. A path is accepted only in the
 * canonical spelling the chain matches (no dot segments, no empty segments), so what the operator
 * reads on the transfer is what the route table sees.
 */
final class TransferTarget {
  static final int MAX_LENGTH = 2048;

  private TransferTarget() {}

  /** True for a gateway path target (validated by {@link #problem}). */
  static boolean isPath(String target) {
    return target.startsWith("/");
  }

  /** Why {@code target} cannot be a transfer target, or null when it can. */
  static String problem(String target) {
    if (target.length() > MAX_LENGTH) {
      return "must be at most " + MAX_LENGTH + " characters";
    }
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= 0x20 || c == 0x7f) {
        return "must not contain spaces or control characters";
      }
    }
    if (!isPath(target)) {
      return isHttpUrl(target)
          ? null
          : "must be an absolute http or https URL, or a gateway path starting with / (a route's path)";
    }
    URI uri;
    try {
      uri = new URI(target);
    } catch (URISyntaxException e) {
      return "is not a valid path: " + e.getReason();
    }
    if (uri.getRawFragment() != null) {
      return "must not have a fragment";
    }
    var path = uri.getRawPath();
    if (path.startsWith("//") || path.contains("//")) {
      return "must not contain empty segments (//)";
    }
    for (var segment : path.substring(1).split("/", -1)) {
      var decoded = segment.replace("%2e", ".").replace("%2E", ".");
      if (decoded.equals(".") || decoded.equals("..")) {
        return "must not contain . or .. segments";
      }
    }
    // the gateway's built-in endpoints (/_transfers, /_tasks…) are served before routing and
    // before the credential check: a delivery must name a route
    if (path.startsWith("/_")) {
      return "must name a route, not a built-in /_ endpoint";
    }
    return null;
  }

  private static boolean isHttpUrl(String value) {
    try {
      var uri = new URI(value);
      return uri.isAbsolute()
          && uri.getHost() != null
          && ("http".equalsIgnoreCase(uri.getScheme())
              || "https".equalsIgnoreCase(uri.getScheme()));
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
