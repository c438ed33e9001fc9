package dev.crossgate.auth;

import dev.crossgate.tenant.ApiKey;
import java.util.Objects;

/**
 * Who is calling, resolved once per request before any endpoint or route step reads it: the tenant
 * a credential belongs to, which credential, and how it was presented. Every consumer on the
 * traffic port (routes, flows, tasks, transfers, interfaces) and the Admin API's tenant-scoped
 * resources reads this one value instead of parsing credentials itself.
 *
 * @param tenantId the tenant the caller acts for
 * @param credentialId the API key's id ({@code key_…}), the registered certificate's ({@code
 *     cert_…}), the token issuer's ({@code <tenant>/<name>}), or {@code internal} for the node
 *     itself
 * @param participant the participant the key was issued to, or null
 * @param method how the caller authenticated
 * @param subject the verified token's {@code sub} claim for a {@link Method#JWT} caller, else null
 */
public record Caller(
    String tenantId, String credentialId, String participant, Method method, String subject) {
  /** How a caller proved who it is. */
  public enum Method {
    /** An issued API key, as {@code X-Api-Key} or {@code Authorization: Bearer}. */
    API_KEY,
    /** The node's own loopback request acting for a tenant (a transfer delivered to a route). */
    INTERNAL,
    /** A TLS client certificate the tenant registered, verified against the gateway's client CA. */
    CLIENT_CERT,
    /** A JSON Web Token signed by a token issuer the tenant registered. */
    JWT
  }

  public Caller {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(method, "method");
  }

  public Caller(String tenantId, String credentialId, String participant, Method method) {
    this(tenantId, credentialId, participant, method, null);
  }

  /** The caller a verified token of {@code issuer} makes, {@code subject} its {@code sub}. */
  public static Caller of(dev.crossgate.tenant.TokenIssuer issuer, String subject) {
    return new Caller(issuer.tenantId(), issuer.id(), null, Method.JWT, subject);
  }

  public static Caller of(ApiKey key) {
    return new Caller(key.tenantId(), key.id(), key.participant(), Method.API_KEY);
  }

  public static Caller of(dev.crossgate.tenant.TenantCertificate certificate) {
    return new Caller(certificate.tenantId(), certificate.id(), null, Method.CLIENT_CERT);
  }

  public static Caller internal(String tenantId) {
    return new Caller(tenantId, "internal", null, Method.INTERNAL);
  }
}
