package dev.crossgate.gateway.route;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.problem.Problem;
import dev.crossgate.route.RouteMatch;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;

/**
 * Matches the normalised path against the snapshot's {@link dev.crossgate.route.RouteTable} (host,
 * path, method, version from the path or {@code Accept-Version}). No route, or only a disabled one,
 * is 404, as is a path naming a version the source does not have ({@code version-not-found}); a
 * route that owns the path but not the method is 405 with {@code Allow} (RFC 9110 section 15.5.6).
 * The route's own body limit lowers the exchange's.
 */
public final class RouteStep implements Step {
  public static final String ACCEPT_VERSION = "Accept-Version";

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var request = exchange.request();
    var host =
        request.authority() == null
            ? request.headers().get(HttpHeaders.HOST)
            : request.authority().host();
    var routes = exchange.config().routes();
    var result =
        routes.match(
            host, exchange.path(), request.method().name(), request.headers().get(ACCEPT_VERSION));
    if (CorsStep.isPreflight(request)
        && !(result instanceof RouteMatch.Found found && found.route().cors() != null)) {
      // a CORS preflight is about the method it names: the route that method reaches answers it
      // (CorsStep), when that route has CORS; otherwise the OPTIONS request is routed as before
      var asked =
          routes.match(
              host,
              exchange.path(),
              request.getHeader(CorsStep.REQUEST_METHOD).trim().toUpperCase(java.util.Locale.ROOT),
              request.headers().get(ACCEPT_VERSION));
      if (asked instanceof RouteMatch.Found found && found.route().cors() != null) {
        result = asked;
      }
    }
    if (result instanceof RouteMatch.Found defaulted
        && defaulted.defaulted()
        && defaulted.route().split() != null) {
      // a canary: the default version hands part of the requests that named no version over
      var version = CanarySplit.version(defaulted.route(), request);
      if (!version.equals(defaulted.version())
          && routes.match(host, exchange.path(), request.method().name(), version)
              instanceof RouteMatch.Found chosen) {
        result = chosen;
      }
    }
    if (result instanceof RouteMatch.Found found) {
      exchange.match(found);
      var routeLimit = found.route().maxBodyBytes();
      if (routeLimit != null) {
        exchange.limitBody(routeLimit, null);
      }
      return next.proceed(exchange);
    }
    if (result instanceof RouteMatch.MethodNotAllowed refused) {
      exchange.reply(
          Problem.methodNotAllowed(request.method().name() + " is not allowed here")
              .with("allow", refused.allowed()));
      exchange
          .responseHeaders()
          .set(HttpHeaders.ALLOW, String.join(", ", new java.util.TreeSet<>(refused.allowed())));
      return Future.succeededFuture();
    }
    if (result instanceof RouteMatch.VersionNotFound unknown) {
      exchange.reply(Problem.versionNotFound(unknown.detail(), unknown.versions()));
      return Future.succeededFuture();
    }
    exchange.reply(Problem.notFound(((RouteMatch.NotFound) result).detail()));
    return Future.succeededFuture();
  }
}
