package dev.crossgate.gateway.route;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.problem.Problem;
import dev.crossgate.route.Route;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;

/**
 * A route's CORS (Fetch standard, "CORS protocol"), right after the route match and before route
 * auth: a preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method})
 * for a route with {@code cors} is answered here, 204 with the {@code Access-Control-Allow-*}
 * headers, or 403 when the origin, method or a requested header is not allowed (a preflight carries
 * no credentials, so it must not reach auth). In the response phase an allowed origin gets {@code
 * Access-Control-Allow-Origin} (and credentials, exposed headers) on every answer, errors included,
 * so the page can read them. Routes without {@code cors} are untouched.
 */
public final class CorsStep implements Step {
  static final String REQUEST_METHOD = "Access-Control-Request-Method";
  private static final String REQUEST_HEADERS = "Access-Control-Request-Headers";
  private static final long DEFAULT_MAX_AGE = 600;

  /** Whether {@code request} is a CORS preflight. */
  public static boolean isPreflight(HttpServerRequest request) {
    return request.method() == HttpMethod.OPTIONS
        && request.headers().contains(HttpHeaders.ORIGIN)
        && request.headers().contains(REQUEST_METHOD);
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var cors = exchange.route().cors();
    var request = exchange.request();
    if (cors == null || !isPreflight(request)) {
      return next.proceed(exchange);
    }
    var refusal = refusal(cors, exchange.route().methods(), request);
    if (refusal != null) {
      exchange.reply(refusal);
      return Future.succeededFuture();
    }
    exchange.respond(204, preflightHeaders(cors, request), Buffer.buffer());
    return Future.succeededFuture();
  }

  /** The 204 answer's headers to an allowed preflight. */
  public static MultiMap preflightHeaders(Route.Cors cors, HttpServerRequest request) {
    var headers = MultiMap.caseInsensitiveMultiMap();
    allowOrigin(cors, request.getHeader(HttpHeaders.ORIGIN), headers);
    headers.set("Access-Control-Allow-Methods", request.getHeader(REQUEST_METHOD).trim());
    var asked = request.getHeader(REQUEST_HEADERS);
    if (asked != null && !asked.isBlank()) {
      headers.set("Access-Control-Allow-Headers", asked);
    }
    headers.set(
        "Access-Control-Max-Age",
        Long.toString(cors.maxAgeSeconds() == null ? DEFAULT_MAX_AGE : cors.maxAgeSeconds()));
    return headers;
  }

  /**
   * Adds to an answer's {@code headers} what lets a page of {@code origin} read it, when the origin
   * is allowed.
   */
  public static void allowActual(Route.Cors cors, String origin, MultiMap headers) {
    if (cors.allows(origin)) {
      allowOrigin(cors, origin, headers);
      if (!cors.exposeHeaders().isEmpty()) {
        headers.set("Access-Control-Expose-Headers", String.join(", ", cors.exposeHeaders()));
      }
    }
  }

  @Override
  public Future<Void> onResponse(Exchange exchange) {
    var route = exchange.route();
    var cors = route == null ? null : route.cors();
    if (cors != null && !isPreflight(exchange.request())) {
      allowActual(
          cors, exchange.request().getHeader(HttpHeaders.ORIGIN), exchange.responseHeaders());
    }
    return Future.succeededFuture();
  }

  /**
   * The 403 problem refusing a preflight, or null when it is allowed.
   *
   * @param methods the methods allowed when the policy names none (empty: any)
   */
  public static Problem refusal(
      Route.Cors cors, java.util.List<String> methods, HttpServerRequest request) {
    var why = why(cors, methods, request);
    return why == null ? null : Problem.forbidden("CORS preflight refused: " + why);
  }

  private static String why(
      Route.Cors cors, java.util.List<String> defaultMethods, HttpServerRequest request) {
    var origin = request.getHeader(HttpHeaders.ORIGIN);
    var method = request.getHeader(REQUEST_METHOD).trim();
    if (!cors.allows(origin)) {
      return "origin " + origin + " is not allowed";
    }
    var methods = cors.allowMethods().isEmpty() ? defaultMethods : cors.allowMethods();
    if (!methods.isEmpty() && !methods.contains(method.toUpperCase(Locale.ROOT))) {
      return "method " + method + " is not allowed";
    }
    var asked = request.getHeader(REQUEST_HEADERS);
    if (asked != null && !cors.allowHeaders().contains("*")) {
      for (var name : asked.split(",")) {
        var header = name.trim();
        if (!header.isEmpty()
            && cors.allowHeaders().stream()
                .noneMatch(allowed -> allowed.equalsIgnoreCase(header))) {
          return "header " + header + " is not allowed";
        }
      }
    }
    return null;
  }

  /** The origin itself (with {@code Vary: Origin}) unless any origin is allowed without cookies. */
  private static void allowOrigin(Route.Cors cors, String origin, MultiMap headers) {
    if (cors.allowOrigins().contains("*") && !cors.credentials()) {
      headers.set("Access-Control-Allow-Origin", "*");
      return;
    }
    headers.set("Access-Control-Allow-Origin", origin);
    headers.add(HttpHeaders.VARY, "Origin");
    if (cors.credentials()) {
      headers.set("Access-Control-Allow-Credentials", "true");
    }
  }
}
