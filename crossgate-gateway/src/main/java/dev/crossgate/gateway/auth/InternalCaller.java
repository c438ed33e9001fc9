package dev.crossgate.gateway.auth;

import dev.crossgate.auth.Caller;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.http.CrossgateHeaders;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The credential with which a node's own components call its request chain as a tenant: the
 * transfer endpoint delivers an assembled file to a route path through a loopback request that
 * carries {@link CrossgateHeaders#INTERNAL_CREDENTIAL} and {@link
 * CrossgateHeaders#INTERNAL_TENANT}. The secret is 256 random bits made when the node starts; it is
 * never stored, logged or sent anywhere but to the node's own listener, and {@link CallerStep}
 * removes both headers before anything goes upstream. A request presenting a wrong secret is
 * refused (401) however it arrived.
 */
public final class InternalCaller {
  private static final int SECRET_BYTES = 32;

  private final byte[] secret;

  private InternalCaller(byte[] secret) {
    this.secret = secret;
  }

  /** A fresh credential from {@link SecureRandom}; one per gateway node. */
  public static InternalCaller random() {
    var bytes = new byte[SECRET_BYTES];
    new SecureRandom().nextBytes(bytes);
    return new InternalCaller(
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(bytes)
            .getBytes(StandardCharsets.US_ASCII));
  }

  /** Adds the credential and the tenant the request acts for to {@code headers}. */
  public void sign(MultiMap headers, String tenant) {
    headers.set(
        CrossgateHeaders.INTERNAL_CREDENTIAL, new String(secret, StandardCharsets.US_ASCII));
    headers.set(CrossgateHeaders.INTERNAL_TENANT, tenant);
  }

  /** True when {@code presented} is this node's secret; compared in constant time. */
  boolean accepts(String presented) {
    return presented != null
        && MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The caller a signed request acts as: {@code tenant}, provided the tenant still holds a
   * credential in the current snapshot — an API key, or a token issuer for tenants whose callers
   * present JWTs (a tenant whose keys and issuers are all gone no longer gets its files delivered);
   * null otherwise. The participant is unknown (transfers are owned by a tenant).
   */
  static Caller callerFor(String tenant, GatewayConfig config) {
    if (tenant == null || tenant.isEmpty()) {
      return null;
    }
    boolean holdsCredential =
        config.apiKeys().values().stream().anyMatch(key -> key.tenantId().equals(tenant))
            || config.issuers().values().stream()
                .anyMatch(issuer -> issuer.tenantId().equals(tenant));
    return holdsCredential ? Caller.internal(tenant) : null;
  }

  @Override
  public String toString() {
    return "InternalCaller[secret=redacted]";
  }
}
