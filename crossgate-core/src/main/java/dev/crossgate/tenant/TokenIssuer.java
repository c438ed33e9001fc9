package dev.crossgate.tenant;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A token issuer a tenant registered: a request carrying {@code Authorization: Bearer <JWT>} whose
 * {@code iss} is {@link #issuer()} and whose signature verifies against this issuer's keys is that
 * tenant's. An issuer URL belongs to one tenant at most, so the token names its tenant. Built only
 * by {@link TokenIssuerValidator} or the store, so every instance is valid.
 *
 * @param id {@code <tenantId>/<name>}, the caller's credential id and the change log's entity id
 * @param issuer the exact {@code iss} claim tokens carry
 * @param audiences a token's {@code aud} must name at least one of these
 * @param jwksUrl where the issuer publishes its keys (JWK Set), or null
 * @param keys the issuer's public keys as JWK objects, when given inline instead of {@code jwksUrl}
 * @param discover whether {@code jwksUrl} is read from the issuer's {@code
 *     /.well-known/openid-configuration} (its {@code jwks_uri}) rather than given
 * @param claimsToHeaders claim name → request header the upstream receives it in
 * @param clockSkewSeconds how far {@code exp} and {@code nbf} may be off this node's clock
 */
public record TokenIssuer(
    String id,
    String tenantId,
    String name,
    String issuer,
    List<String> audiences,
    String jwksUrl,
    List<Map<String, Object>> keys,
    boolean discover,
    Map<String, String> claimsToHeaders,
    int clockSkewSeconds,
    String createdBy,
    Instant createdAt,
    Instant updatedAt,
    long revision) {
  public static final int DEFAULT_CLOCK_SKEW_SECONDS = 60;

  public TokenIssuer {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(issuer, "issuer");
    id = id(tenantId, name);
    audiences = List.copyOf(audiences);
    keys =
        keys == null
            ? List.of()
            : keys.stream()
                .map(k -> java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(k)))
                .toList();
    // sorted: equal issuers are written, and so hashed, alike on every node
    claimsToHeaders =
        claimsToHeaders == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new TreeMap<>(claimsToHeaders));
  }

  public static String id(String tenantId, String name) {
    return tenantId + "/" + name;
  }

  /** True when the keys are given inline rather than fetched (a JWKS URL or discovery). */
  public boolean inlineKeys() {
    return !keys.isEmpty();
  }

  public TokenIssuer withServerFields(String actor, Instant created, Instant updated, long rev) {
    return new TokenIssuer(
        id,
        tenantId,
        name,
        issuer,
        audiences,
        jwksUrl,
        keys,
        discover,
        claimsToHeaders,
        clockSkewSeconds,
        actor,
        created,
        updated,
        rev);
  }
}
