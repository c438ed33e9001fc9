package dev.crossgate.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.chain.GatewayProblems;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.tenant.TokenIssuer;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Verifies a bearer JWT against the token issuers tenants registered, with Nimbus JOSE+JWT, in this
 * order: the token is a JWS (never {@code alg: none}, never encrypted); its algorithm is RS256,
 * ES256 or EdDSA (never HMAC: a key registered as public can never be used as a shared secret); its
 * {@code iss} is a registered issuer; a key of that issuer matching the header's {@code kid} and
 * algorithm exists (refetching the issuer's keys once, rate-limited, when not); the signature
 * verifies; {@code exp} is present and not past and {@code nbf} not future, within the issuer's
 * clock skew; and {@code aud} names one of the issuer's audiences. Claims are only believed after
 * the signature verified. A refusal is a 401 problem whose {@code check} says which step failed; no
 * part of the token is echoed.
 *
 * <p>Runs on the event loop: signature checks are cheap, key fetches are asynchronous.
 */
public final class TokenVerifier {
  /** The algorithms accepted, RFC 7518 section 3.1 and RFC 8037. */
  public static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.EdDSA);

  /** A key set larger than this is not searched key by key for a token without {@code kid}. */
  private static final int MAX_CANDIDATES = 8;

  private final IssuerKeys keys;
  private final Clock clock;

  /** A token that verified: whose issuer it is and what it claims. */
  public record Verified(TokenIssuer issuer, JWTClaimsSet claims) {}

  public TokenVerifier(IssuerKeys keys, Clock clock) {
    this.keys = keys;
    this.clock = clock;
  }

  /**
   * Whether {@code credential} has the shape of a JWS compact serialisation (three base64url
   * parts), so that it is worth verifying rather than being an opaque token meant for the upstream.
   */
  public static boolean looksLikeJwt(String credential) {
    int first = credential.indexOf('.');
    int second = first < 0 ? -1 : credential.indexOf('.', first + 1);
    return first > 0 && second > first && credential.indexOf('.', second + 1) < 0;
  }

  /**
   * Verifies {@code token} against {@code config}'s issuers; fails with a {@link ProblemException}
   * (401, {@code check} naming the failed step).
   */
  public Future<Verified> verify(String token, GatewayConfig config) {
    SignedJWT jwt;
    JWTClaimsSet unverified;
    try {
      var parsed = JWTParser.parse(token);
      if (parsed instanceof PlainJWT) {
        return refuse("algorithm", "unsigned tokens (alg none) are refused");
      }
      if (parsed instanceof EncryptedJWT || !(parsed instanceof SignedJWT signed)) {
        return refuse("algorithm", "encrypted tokens are not accepted; send a signed JWT");
      }
      jwt = signed;
      unverified = jwt.getJWTClaimsSet();
    } catch (java.text.ParseException | RuntimeException e) {
      return refuse("malformed", "the bearer token is not a well-formed JWT");
    }
    var algorithm = jwt.getHeader().getAlgorithm();
    if (!ALGORITHMS.contains(algorithm)) {
      return refuse(
          "algorithm",
          "the token's algorithm " + algorithm + " is not accepted; use RS256, ES256 or EdDSA");
    }
    var issuer =
        unverified.getIssuer() == null ? null : config.issuers().get(unverified.getIssuer());
    if (issuer == null) {
      return refuse("issuer", "the token's issuer is not registered by any tenant");
    }
    return keys.keys(issuer)
        .recover(TokenVerifier::unavailable)
        .compose(
            set -> {
              var candidates = candidates(set, jwt);
              if (!candidates.isEmpty()) {
                return Future.succeededFuture(candidates);
              }
              return keys.refreshed(issuer)
                  .recover(TokenVerifier::unavailable)
                  .compose(
                      fresh -> {
                        var found = fresh == null ? List.<JWK>of() : candidates(fresh, jwt);
                        return found.isEmpty()
                            ? refuse(
                                "unknown-key",
                                "no key of issuer "
                                    + issuer.id()
                                    + " matches the token's key id and algorithm")
                            : Future.succeededFuture(found);
                      });
            })
        .compose(found -> checked(issuer, jwt, found));
  }

  private static List<JWK> candidates(JWKSet set, SignedJWT jwt) {
    var matches = new JWKSelector(JWKMatcher.forJWSHeader(jwt.getHeader())).select(set);
    return matches.size() > MAX_CANDIDATES ? matches.subList(0, MAX_CANDIDATES) : matches;
  }

  private Future<Verified> checked(TokenIssuer issuer, SignedJWT jwt, List<JWK> candidates) {
    boolean verified = false;
    for (var key : candidates) {
      try {
        if (jwt.verify(verifier(key))) {
          verified = true;
          break;
        }
      } catch (JOSEException | IllegalStateException e) {
        // a key that cannot verify this algorithm: try the next
      }
    }
    if (!verified) {
      return refuse("signature", "the token's signature does not verify");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (java.text.ParseException e) {
      return refuse("malformed", "the token's claims are not a JSON object");
    }
    var now = clock.instant();
    var skew = Duration.ofSeconds(issuer.clockSkewSeconds());
    var exp = claims.getExpirationTime();
    if (exp == null) {
      return refuse("expired", "the token has no exp claim; tokens must expire");
    }
    if (now.isAfter(exp.toInstant().plus(skew))) {
      return refuse("expired", "the token expired at " + exp.toInstant());
    }
    var nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
      return refuse("not-yet-valid", "the token is not valid before " + nbf.toInstant());
    }
    var audiences = claims.getAudience();
    if (audiences == null || audiences.stream().noneMatch(issuer.audiences()::contains)) {
      return refuse(
          "audience", "the token's audience is none of those issuer " + issuer.id() + " accepts");
    }
    return Future.succeededFuture(new Verified(issuer, claims));
  }

  private static JWSVerifier verifier(JWK key) throws JOSEException {
    if (key instanceof RSAKey rsa) {
      return new RSASSAVerifier(rsa);
    }
    if (key instanceof ECKey ec) {
      return new ECDSAVerifier(ec);
    }
    if (key instanceof OctetKeyPair okp) {
      return new Ed25519Verifier(okp);
    }
    throw new JOSEException("no verifier for " + key.getKeyType());
  }

  static <T> Future<T> refuse(String check, String detail) {
    return Future.failedFuture(new ProblemException(GatewayProblems.invalidToken(check, detail)));
  }

  /** Turns a key fetch failure into the 401 a caller sees; the cause was logged. */
  private static <T> Future<T> unavailable(Throwable cause) {
    if (cause instanceof ProblemException) {
      return Future.failedFuture(cause);
    }
    return refuse(
        "keys-unavailable", "the issuer's keys cannot be fetched now; the token is not verified");
  }
}
