package dev.crossgate.tenant;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * A client certificate registered to a tenant: a request whose TLS peer certificate matches is that
 * tenant's, as with an API key. It names the certificate by its subject or by the SHA-256 of its
 * public key (SPKI), never by the certificate itself, so a renewed certificate with the same key or
 * subject keeps working. The certificate must also verify against the gateway's client CA: matching
 * happens only after the handshake accepted it.
 *
 * @param kind what {@code value} is
 * @param value a distinguished name (RFC 4514, e.g. {@code CN=billing,O=Acme}) or 64 hex digits
 */
public record TenantCertificate(
    String id, String tenantId, Kind kind, String value, Instant createdAt) {
  /** How a registered certificate is recognised. */
  public enum Kind {
    /** By the certificate's subject distinguished name. */
    SUBJECT,
    /** By the SHA-256 of its SubjectPublicKeyInfo, as 64 lowercase hex digits. */
    SPKI_SHA256
  }

  public TenantCertificate {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(kind, "kind");
    value = normalized(kind, value);
  }

  /**
   * {@code value} in its stored form: a subject as RFC 2253 text, a fingerprint as lowercase hex
   * without separators.
   *
   * @throws IllegalArgumentException when it is neither a distinguished name nor 32 bytes of hex
   */
  public static String normalized(Kind kind, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("a certificate's value is required");
    }
    if (kind == Kind.SPKI_SHA256) {
      var hex = value.replace(":", "").trim().toLowerCase(Locale.ROOT);
      if (!hex.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(
            "an SPKI fingerprint is 64 hex digits (SHA-256), colons allowed");
      }
      return hex;
    }
    try {
      return new X500Principal(value).getName(X500Principal.RFC2253);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a distinguished name, e.g. CN=billing,O=Acme");
    }
  }

  /** The key this registration is found under in a node's configuration. */
  public String matchKey() {
    return kind == Kind.SPKI_SHA256
        ? "spki:" + value
        : "subject:" + new X500Principal(value).getName(X500Principal.CANONICAL);
  }

  /**
   * The keys a peer certificate can be registered under: its SPKI fingerprint first, then its
   * subject.
   */
  public static List<String> matchKeys(X509Certificate peer) {
    return List.of(
        "spki:" + spkiSha256(peer),
        "subject:" + peer.getSubjectX500Principal().getName(X500Principal.CANONICAL));
  }

  /** The SHA-256 of the certificate's SubjectPublicKeyInfo, lowercase hex. */
  public static String spkiSha256(X509Certificate certificate) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
