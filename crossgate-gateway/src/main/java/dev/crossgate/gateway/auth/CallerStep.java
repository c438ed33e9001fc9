package dev.crossgate.gateway.auth;

import dev.crossgate.auth.Caller;
import dev.crossgate.auth.PresentedKey;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.gateway.limit.TenantInFlight;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves who is calling, once per request, into the exchange's {@link Caller}: the one place on
 * the traffic port that reads credentials. It sits after the filter table and before the built-in
 * endpoints and routing, so {@code /_tasks}, {@code /_transfers}, {@code /_tus}, {@code
 * /_interfaces}, route auth, flows and async tasks all read the same answer.
 *
 * <ul>
 *   <li>An API key ({@link PresentedKey}: {@code X-Api-Key}, else {@code Authorization: Bearer})
 *       found in the snapshot becomes the caller. A key of a disabled tenant is refused here,
 *       whatever the request was for (403 {@code tenant-disabled}).
 *   <li>An unknown key leaves the request anonymous; {@link RouteAuthStep} and the endpoints that
 *       need a caller then answer 401 naming the bad key. On a route without auth it passes, as on
 *       Kong or APISIX routes without a key plugin.
 *   <li>Crossgate credentials never travel upstream: {@code X-Api-Key} is always removed, and
 *       {@code Authorization} when it carried a Crossgate key. A bearer token that is not one of
 *       ours belongs to the upstream and is left alone.
 *   <li>A verified TLS client certificate ({@link PeerCertificate}) that a tenant registered (by
 *       subject or SPKI fingerprint) makes that tenant the caller, before any API key is looked at:
 *       the handshake proved possession of its key. An unregistered one leaves the request to its
 *       API key, if any. A client's own {@code X-Client-Cert-Subject} is always removed.
 *   <li>A request carrying the node's {@link InternalCaller} credential acts as the tenant it
 *       names; the headers are checked and removed here, so they never reach a later step. A wrong
 *       credential is a 401 whatever the path: a caller guessing at it learns nothing.
 * </ul>
 */
public final class CallerStep implements Step {
  private static final Logger LOG = LoggerFactory.getLogger(CallerStep.class);

  private final InternalCaller internal;
  private final TenantInFlight inFlight;

  /**
   * @param internal this node's credential for its own loopback requests, or null for none
   * @param inFlight the per-tenant bound on requests in flight (429 above it); the node's own
   *     loopback requests (transfer deliveries) are not counted, they already hold a request
   */
  public CallerStep(InternalCaller internal, TenantInFlight inFlight) {
    this.internal = internal;
    this.inFlight = inFlight;
  }

  /** Without a per-tenant bound. */
  public CallerStep(InternalCaller internal) {
    this(internal, new TenantInFlight(0));
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var headers = exchange.request().headers();
    headers.remove(PeerCertificate.SUBJECT_HEADER);
    if (headers.contains(CrossgateHeaders.INTERNAL_CREDENTIAL)
        || headers.contains(CrossgateHeaders.INTERNAL_TENANT)) {
      return internalCall(exchange, next);
    }
    var presented =
        PresentedKey.of(
            headers.get(CrossgateHeaders.API_KEY), headers.get(HttpHeaders.AUTHORIZATION));
    headers.remove(CrossgateHeaders.API_KEY);
    var peer = PeerCertificate.of(exchange.request());
    var certificate = peer == null ? null : exchange.config().clientCertificate(peer);
    if (certificate != null) {
      if (presented != null
          && presented.bearer()
          && exchange.config().apiKeys().containsKey(presented.hash())) {
        headers.remove(HttpHeaders.AUTHORIZATION);
      }
      return callAs(exchange, next, Caller.of(certificate), true);
    }
    if (presented == null) {
      return next.proceed(exchange);
    }
    var key = exchange.config().apiKeys().get(presented.hash());
    if (key == null) {
      exchange.credentialRejected(true);
      return next.proceed(exchange);
    }
    if (presented.bearer()) {
      headers.remove(HttpHeaders.AUTHORIZATION);
    }
    return callAs(exchange, next, Caller.of(key), true);
  }

  /**
   * Proceeds as {@code caller}, unless its tenant is disabled (403 whatever the request was for)
   * or, when {@code counted}, already has its bound of requests in flight on this node (429).
   */
  private Future<Void> callAs(Exchange exchange, Chain next, Caller caller, boolean counted) {
    var tenant = caller.tenantId();
    if (exchange.config().tenantDisabled(tenant)) {
      exchange.reply(Problem.tenantDisabled(tenant));
      return Future.succeededFuture();
    }
    if (counted) {
      if (!inFlight.tryAcquire(tenant)) {
        exchange.reply(inFlight.overLimit(tenant));
        return Future.succeededFuture();
      }
      exchange.onComplete(ex -> inFlight.release(tenant));
    }
    exchange.caller(caller);
    return next.proceed(exchange);
  }

  private Future<Void> internalCall(Exchange exchange, Chain next) {
    var headers = exchange.request().headers();
    var presented = headers.get(CrossgateHeaders.INTERNAL_CREDENTIAL);
    var tenant = headers.get(CrossgateHeaders.INTERNAL_TENANT);
    headers.remove(CrossgateHeaders.INTERNAL_CREDENTIAL);
    headers.remove(CrossgateHeaders.INTERNAL_TENANT);
    // the internal request carries no key of its own; a stray one must not go upstream either
    headers.remove(CrossgateHeaders.API_KEY);
    if (internal == null || !internal.accepts(presented)) {
      LOG.warn(
          "event=internal-credential-refused requestId={} client={}",
          exchange.requestId(),
          exchange.clientIp());
      return unauthorized(exchange, "the internal credential is not valid");
    }
    var caller = InternalCaller.callerFor(tenant, exchange.config());
    if (caller == null) {
      return unauthorized(exchange, "tenant " + tenant + " holds no API key");
    }
    return callAs(exchange, next, caller, false);
  }

  static Future<Void> unauthorized(Exchange exchange, String detail) {
    exchange.reply(Problem.unauthorized(detail));
    return Future.succeededFuture();
  }

  /**
   * The one answer for a request that needs a caller and has none (a KEY route, an async task, a
   * built-in endpoint): it says whether a key was missing or not valid.
   */
  public static Problem noCaller(Exchange exchange) {
    return Problem.unauthorized(
        exchange.credentialRejected()
            ? "the API key is not valid"
            : "an API key is required (X-Api-Key or Authorization: Bearer)");
  }
}
