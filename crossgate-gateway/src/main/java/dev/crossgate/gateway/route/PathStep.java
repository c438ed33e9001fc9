package dev.crossgate.gateway.route;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.route.PathNormalizer;
import io.vertx.core.Future;

/**
 * Normalises the request path ({@link PathNormalizer}: RFC 3986 dot segments, unreserved
 * percent-decoding; encoded slashes, {@code ;} path parameters and {@code #} refused with 400, so
 * {@code /shop/v1/..;/admin} never reaches a servlet upstream that would read it as {@code /admin})
 * and strips the mode marker, so that the filter table, the route match and the upstream all see
 * the one canonical spelling of the path.
 */
public final class PathStep implements Step {
  private final GatewayOptions.Markers markers;

  public PathStep(GatewayOptions.Markers markers) {
    this.markers = markers;
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var path = PathNormalizer.normalize(exchange.request().path());
    if (isUnder(path, markers.sync())) {
      exchange.marker(Exchange.Marker.SYNC);
      path = strip(path, markers.sync());
    } else if (isUnder(path, markers.async())) {
      exchange.marker(Exchange.Marker.ASYNC);
      path = strip(path, markers.async());
    }
    exchange.path(path);
    return next.proceed(exchange);
  }

  private static boolean isUnder(String path, String marker) {
    return path.startsWith(marker)
        && (path.length() == marker.length() || path.charAt(marker.length()) == '/');
  }

  private static String strip(String path, String marker) {
    return path.length() == marker.length() ? "/" : path.substring(marker.length());
  }
}
