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
 *   <li>A bearer token that is not a key and has the shape of a JWT whose {@code iss} a tenant
 *       registered is verified by the {@link TokenVerifier} (asynchronously when the issuer's keys
 *       must be fetched): a valid one makes that tenant the caller ({@link Caller.Method#JWT}, with
 *       its {@code sub}), its claim headers ready for {@link RouteAuthStep}; a refused one leaves
 *       the request anonymous with the refusal recorded, which {@link RouteAuthStep} answers on
 *       routes that need a caller. The token stays in the request until the route is known (whether
 *       it is forwarded is the route's {@code forwardToken}).
 *   <li>A request carrying the node's {@link InternalCaller} credential acts as the tenant it
 *       names; the headers are checked and removed here, so they never reach a later step. A wrong
 *       credential is a 401 whatever the path: a caller guessing at it learns nothing.
 * </ul>
 */
public final class CallerStep implements Step {
  private static final Logger LOG = LoggerFactory.getLogger(CallerStep.class);

  /** The longest claim value written to a header; longer ones are left out. */
  static final int MAX_CLAIM_HEADER_CHARS = 1_024;

  private final InternalCaller internal;
  private final TenantInFlight inFlight;
  private final TokenVerifier tokens;

  /**
   * @param internal this node's credential for its own loopback requests, or null for none
   * @param inFlight the per-tenant bound on requests in flight (429 above it); the node's own
   *     loopback requests (transfer deliveries) are not counted, they already hold a request
   * @param tokens verifies bearer JWTs against the tenants' token issuers
   */
  public CallerStep(InternalCaller internal, TenantInFlight inFlight, TokenVerifier tokens) {
    this.internal = internal;
    this.inFlight = inFlight;
    this.tokens = tokens;
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
      if (presented.bearer()
          && !exchange.config().issuers().isEmpty()
          && TokenVerifier.looksLikeJwt(presented.key())) {
        return tokenCall(exchange, next, presented.key());
      }
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

  private Future<Void> tokenCall(Exchange exchange, Chain next, String token) {
    return tokens
        .verify(token, exchange.config())
        .transform(
            ar -> {
              if (ar.succeeded()) {
                var verified = ar.result();
                exchange.callerHeaders(claimHeaders(verified));
                return callAs(
                    exchange,
                    next,
                    Caller.of(verified.issuer(), verified.claims().getSubject()),
                    true);
              }
              if (ar.cause() instanceof dev.crossgate.problem.ProblemException refused) {
                exchange.tokenRejection(refused.problem());
              } else {
                LOG.warn(
                    "event=token-verification-failed requestId={} cause=\"{}\"",
                    exchange.requestId(),
                    ar.cause().toString());
                exchange.tokenRejection(
                    dev.crossgate.gateway.chain.GatewayProblems.invalidToken(
                        "keys-unavailable", "the token cannot be verified now"));
              }
              return next.proceed(exchange);
            });
  }

  /**
   * The issuer's {@code claimsToHeaders} filled from the verified claims: strings as they are,
   * numbers and booleans as JSON text, arrays of strings comma-joined, dates as epoch seconds. A
   * value with control characters, or longer than {@link #MAX_CLAIM_HEADER_CHARS}, is left out.
   */
  static java.util.Map<String, String> claimHeaders(TokenVerifier.Verified verified) {
    var out = new java.util.LinkedHashMap<String, String>();
    verified
        .issuer()
        .claimsToHeaders()
        .forEach(
            (claim, header) -> {
              var text = headerValue(verified.claims().getClaim(claim));
              if (text != null) {
                out.put(header, text);
              }
            });
    return out;
  }

  private static String headerValue(Object value) {
    String text;
    if (value == null) {
      return null;
    } else if (value instanceof java.util.Date date) {
      text = Long.toString(date.toInstant().getEpochSecond());
    } else if (value instanceof java.util.Collection<?> items) {
      text = String.join(",", items.stream().map(String::valueOf).toList());
    } else if (value instanceof String s) {
      text = s;
    } else if (value instanceof Number || value instanceof Boolean) {
      text = value.toString();
    } else {
      text = dev.crossgate.json.Json.write(value);
    }
    if (text.length() > MAX_CLAIM_HEADER_CHARS) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return null; // never a header injection
      }
    }
    return text;
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
      return unauthorized(exchange, "tenant " + tenant + " holds no API key or token issuer");
    }
    return callAs(exchange, next, caller, false);
  }

  static Future<Void> unauthorized(Exchange exchange, String detail) {
    exchange.reply(Problem.unauthorized(detail));
    return Future.succeededFuture();
  }

  /**
   * The one answer for a request that needs a caller and has none (a KEY route, an async task, a
   * built-in endpoint): it says whether a key was missing or not valid, or why a token was refused.
   */
  public static Problem noCaller(Exchange exchange) {
    if (exchange.tokenRejection() != null) {
      return exchange.tokenRejection();
    }
    return Problem.unauthorized(
        exchange.credentialRejected()
            ? "the API key is not valid"
            : "an API key is required (X-Api-Key or Authorization: Bearer)");
  }
}
