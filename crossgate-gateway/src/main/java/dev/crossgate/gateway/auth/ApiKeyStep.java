package dev.crossgate.gateway.auth;

import dev.crossgate.auth.Secrets;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.problem.Problem;
import dev.crossgate.route.Route;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.tenant.ApiKey;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes with {@code auth: KEY} require a caller key, as {@code X-Api-Key} or
 * {@code Authorization: Bearer}, whose SHA-256 is among the snapshot's API keys; otherwise 401
 * with {@code WWW-Authenticate} (RFC 9110 section 11.6.1). The key is a gateway credential, so
 * it is removed before the request goes upstream.
 *
 * <p>A request carrying the node's {@link InternalCaller} credential (the transfer endpoint
 * delivering a file to a route) acts as the tenant it names, on every route whatever its
 * {@code auth}; the credential is checked and removed here, the first step that sees a matched
 * route, so it never reaches a flow step or an upstream. A wrong or unknown credential is a 401
 * even on routes without keys: a caller guessing at it learns nothing and gets nothing through.
 */
public final class ApiKeyStep implements Step {
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyStep.class);
  public static final String API_KEY = "X-Api-Key";
  private static final String BEARER = "Bearer ";

  private final InternalCaller internal;

  /** A step that accepts no internal caller: any request presenting the credential is refused. */
  public ApiKeyStep() {
    this(null);
  }

  /** @param internal this node's credential for its own loopback requests, or null for none */
  public ApiKeyStep(InternalCaller internal) {
    this.internal = internal;
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var headers = exchange.request().headers();
    if (headers.contains(InternalCaller.CREDENTIAL) || headers.contains(InternalCaller.TENANT)) {
      return internalCall(exchange, next);
    }
    var route = exchange.route();
    if (route == null || route.auth() != Route.Auth.KEY) {
      return next.proceed(exchange);
    }
    var key = presentedKey(headers);
    if (key == null) {
      return unauthorized(exchange, "this route requires an API key (X-Api-Key or Authorization: Bearer)");
    }
    var apiKey = exchange.config().apiKeys().get(Secrets.sha256Hex(key));
    if (apiKey == null) {
      return unauthorized(exchange, "the API key is not valid");
    }
    exchange.caller(apiKey);
    if (headers.contains(API_KEY)) {
      headers.remove(API_KEY);
    } else {
      headers.remove(HttpHeaders.AUTHORIZATION);
    }
    return next.proceed(exchange);
  }

  private Future<Void> internalCall(Exchange exchange, Chain next) {
    var headers = exchange.request().headers();
    var presented = headers.get(InternalCaller.CREDENTIAL);
    var tenant = headers.get(InternalCaller.TENANT);
    headers.remove(InternalCaller.CREDENTIAL);
    headers.remove(InternalCaller.TENANT);
    if (internal == null || !internal.accepts(presented)) {
      LOG.warn("event=internal-credential-refused requestId={} client={}", exchange.requestId(), exchange.clientIp());
      return unauthorized(exchange, "the internal credential is not valid");
    }
    var caller = InternalCaller.callerFor(tenant, exchange.config());
    if (caller == null) {
      return unauthorized(exchange, "tenant " + tenant + " holds no API key");
    }
    exchange.caller(caller);
    // the internal request carries no key of its own; a stray one must not go upstream either
    headers.remove(API_KEY);
    return next.proceed(exchange);
  }

  /** The key the request presents, as {@code X-Api-Key} or {@code Authorization: Bearer}; null when none. */
  public static String presentedKey(MultiMap headers) {
    var key = headers.get(API_KEY);
    if (key == null) {
      var authorization = headers.get(HttpHeaders.AUTHORIZATION);
      if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        key = authorization.substring(BEARER.length()).trim();
      }
    }
    return key == null || key.isEmpty() ? null : key;
  }

  /** The accepted key behind the request's credentials, or null when it presents none or an unknown one. */
  public static ApiKey resolve(MultiMap headers, GatewayConfig config) {
    var key = presentedKey(headers);
    return key == null ? null : config.apiKeys().get(Secrets.sha256Hex(key));
  }

  private static Future<Void> unauthorized(Exchange exchange, String detail) {
    exchange.reply(Problem.unauthorized(detail));
    exchange.responseHeaders().set("WWW-Authenticate", "Bearer realm=\"crossgate\"");
    return Future.succeededFuture();
  }
}
