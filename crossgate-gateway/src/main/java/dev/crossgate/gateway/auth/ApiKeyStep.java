package dev.crossgate.gateway.auth;

import dev.crossgate.auth.Secrets;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.problem.Problem;
import dev.crossgate.route.Route;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;

/**
 * Routes with {@code auth: KEY} require a caller key, as {@code X-Api-Key} or
 * {@code Authorization: Bearer}, whose SHA-256 is among the snapshot's API keys; otherwise 401
 * with {@code WWW-Authenticate} (RFC 9110 section 11.6.1). The key is a gateway credential, so
 * it is removed before the request goes upstream.
 */
public final class ApiKeyStep implements Step {
  public static final String API_KEY = "X-Api-Key";
  private static final String BEARER = "Bearer ";

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    if (route == null || route.auth() != Route.Auth.KEY) {
      return next.proceed(exchange);
    }
    var headers = exchange.request().headers();
    var key = headers.get(API_KEY);
    boolean fromAuthorization = false;
    if (key == null) {
      var authorization = headers.get(HttpHeaders.AUTHORIZATION);
      if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        key = authorization.substring(BEARER.length()).trim();
        fromAuthorization = true;
      }
    }
    if (key == null || key.isEmpty()) {
      return unauthorized(exchange, "this route requires an API key (X-Api-Key or Authorization: Bearer)");
    }
    var apiKey = exchange.config().apiKeys().get(Secrets.sha256Hex(key));
    if (apiKey == null) {
      return unauthorized(exchange, "the API key is not valid");
    }
    exchange.caller(apiKey);
    headers.remove(API_KEY);
    if (fromAuthorization) {
      headers.remove(HttpHeaders.AUTHORIZATION);
    }
    return next.proceed(exchange);
  }

  private static Future<Void> unauthorized(Exchange exchange, String detail) {
    exchange.reply(Problem.unauthorized(detail));
    exchange.responseHeaders().set("WWW-Authenticate", "Bearer realm=\"crossgate\"");
    return Future.succeededFuture();
  }
}
