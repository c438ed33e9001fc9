package dev.crossgate.gateway.route;

import dev.crossgate.route.Route;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses the version a request that named none goes to, by the weights of the default version's
 * {@code split}. A caller with the route's sticky key (a header or a cookie) always lands in the
 * same bucket, so it never flips between versions while the split stays as it is; others are split
 * at random.
 */
final class CanarySplit {
  private CanarySplit() {}

  static String version(Route route, HttpServerRequest request) {
    var split = route.split();
    int total = 0;
    for (var s : split) {
      total += s.weight();
    }
    var key = stickyValue(route.stickyKey(), request);
    int bucket;
    if (key == null) {
      bucket = ThreadLocalRandom.current().nextInt(total);
    } else {
      int h = key.hashCode() * 0x9E3779B9; // spread similar keys (u1, u2, …) over the buckets
      bucket = Math.floorMod(h ^ (h >>> 16), total);
    }
    for (var s : split) {
      bucket -= s.weight();
      if (bucket < 0) {
        return s.version();
      }
    }
    return route.version();
  }

  private static String stickyValue(String stickyKey, HttpServerRequest request) {
    if (stickyKey == null) {
      return null;
    }
    if (stickyKey.startsWith("header:")) {
      return request.getHeader(stickyKey.substring("header:".length()));
    }
    Cookie cookie = request.getCookie(stickyKey.substring("cookie:".length()));
    return cookie == null ? null : cookie.getValue();
  }
}
