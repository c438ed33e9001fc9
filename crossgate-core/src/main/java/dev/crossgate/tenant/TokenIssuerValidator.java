package dev.crossgate.tenant;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.crossgate.egress.EgressUrl;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a {@link TokenIssuerSpec} into a {@link TokenIssuer}, or fails with every invalid field
 * named at once (a 400 {@code validation} problem), as {@code UpstreamValidator} does for
 * upstreams. Inline keys are parsed with Nimbus JOSE+JWT and must be public RSA, EC P-256 or
 * Ed25519 keys: symmetric ({@code oct}) keys and private key material are refused, so an HMAC token
 * can never be verified with anything a tenant registered.
 */
public final class TokenIssuerValidator {
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  public static final int MAX_AUDIENCES = 16;
  public static final int MAX_KEYS = 32;
  public static final int MAX_CLAIM_HEADERS = 16;
  public static final int MAX_CLOCK_SKEW_SECONDS = 300;
  private static final int MAX_URL = 512;
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");
  private static final Pattern CLAIM_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  /**
   * Headers a claim may not be written to: HTTP framing and routing, Crossgate's own credentials
   * and control headers, and the forwarding headers upstreams trust.
   */
  private static final Set<String> RESERVED_HEADERS =
      Set.of(
          "host",
          "authorization",
          "proxy-authorization",
          "content-length",
          "transfer-encoding",
          "connection",
          "upgrade",
          "te",
          "trailer",
          "keep-alive",
          "cookie",
          "x-api-key",
          "forwarded",
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-proto",
          "x-client-cert-subject");

  private TokenIssuerValidator() {}

  /**
   * Validates {@code spec} for the issuer {@code name} of tenant {@code tenantId}.
   *
   * @throws ProblemException a 400 validation problem listing every invalid field
   */
  public static TokenIssuer validate(
      String tenantId,
      String name,
      TokenIssuerSpec spec,
      String actor,
      Instant createdAt,
      Instant now) {
    var errors = new ArrayList<FieldError>();
    if (name == null || !NAME.matcher(name).matches()) {
      errors.add(
          new FieldError(
              "name",
              "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"));
    } else if (spec.name() != null && !spec.name().equals(name)) {
      errors.add(new FieldError("name", "does not match the issuer addressed (" + name + ")"));
    }
    var fields = fields(errors, spec);
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    return new TokenIssuer(
        null,
        tenantId,
        name,
        fields.issuer(),
        fields.audiences(),
        fields.jwksUrl(),
        fields.keys(),
        fields.discover(),
        fields.claimsToHeaders(),
        fields.clockSkewSeconds(),
        actor,
        createdAt,
        now,
        0);
  }

  /**
   * Every invalid field of {@code spec} (not its name, which the path gives): for {@code
   * JsonBinder}, which reports these beside the fields that did not bind.
   */
  public static List<FieldError> check(TokenIssuerSpec spec) {
    var errors = new ArrayList<FieldError>();
    fields(errors, spec);
    return errors;
  }

  /** The fields of a spec as an issuer holds them. */
  private record Fields(
      String issuer,
      List<String> audiences,
      String jwksUrl,
      List<Map<String, Object>> keys,
      boolean discover,
      Map<String, String> claimsToHeaders,
      int clockSkewSeconds) {}

  private static Fields fields(List<FieldError> errors, TokenIssuerSpec spec) {
    var issuer = url(errors, "issuer", spec.issuer(), true);
    var audiences = audiences(errors, spec.audiences());
    var jwksUrl = url(errors, "jwksUrl", spec.jwksUrl(), false);
    var keys = keys(errors, spec.keys());
    boolean discover = Boolean.TRUE.equals(spec.discover());
    boolean jwksGiven = spec.jwksUrl() != null && !spec.jwksUrl().isBlank();
    boolean keysGiven = spec.keys() != null && !spec.keys().isEmpty();
    int sources = (jwksGiven ? 1 : 0) + (keysGiven ? 1 : 0) + (discover ? 1 : 0);
    if (sources == 0) {
      errors.add(
          new FieldError(
              "jwksUrl",
              "one of jwksUrl, keys or discover: true is required (where the issuer's keys are)"));
    } else if (sources > 1) {
      errors.add(new FieldError("jwksUrl", "give only one of jwksUrl, keys and discover: true"));
    }
    var claims = claimsToHeaders(errors, spec.claimsToHeaders());
    int skew = TokenIssuer.DEFAULT_CLOCK_SKEW_SECONDS;
    if (spec.clockSkewSeconds() != null) {
      skew = spec.clockSkewSeconds();
      if (skew < 0 || skew > MAX_CLOCK_SKEW_SECONDS) {
        errors.add(
            new FieldError("clockSkewSeconds", "must be between 0 and " + MAX_CLOCK_SKEW_SECONDS));
      }
    }
    return new Fields(issuer, audiences, jwksUrl, keys, discover, claims, skew);
  }

  private static String url(List<FieldError> errors, String field, String raw, boolean required) {
    if (raw == null || raw.isBlank()) {
      if (required) {
        errors.add(new FieldError(field, "is required: an absolute https URL"));
      }
      return null;
    }
    if (raw.length() > MAX_URL) {
      errors.add(new FieldError(field, "must be at most " + MAX_URL + " characters"));
      return null;
    }
    try {
      EgressUrl.parse(raw);
    } catch (IllegalArgumentException e) {
      errors.add(new FieldError(field, "must be an absolute http(s) URL with a host"));
      return null;
    }
    return raw;
  }

  private static List<String> audiences(List<FieldError> errors, List<String> raw) {
    if (raw == null || raw.isEmpty()) {
      errors.add(
          new FieldError("audiences", "is required: the aud values tokens for Crossgate carry"));
      return List.of();
    }
    if (raw.size() > MAX_AUDIENCES) {
      errors.add(new FieldError("audiences", "must list at most " + MAX_AUDIENCES));
      return List.of();
    }
    for (int i = 0; i < raw.size(); i++) {
      var a = raw.get(i);
      if (a == null || a.isBlank() || a.length() > 256) {
        errors.add(new FieldError("audiences[" + i + "]", "must be 1-256 characters"));
      }
    }
    return raw;
  }

  private static List<Map<String, Object>> keys(
      List<FieldError> errors, List<Map<String, Object>> raw) {
    if (raw == null || raw.isEmpty()) {
      return List.of();
    }
    if (raw.size() > MAX_KEYS) {
      errors.add(new FieldError("keys", "must list at most " + MAX_KEYS + " keys"));
      return List.of();
    }
    var out = new ArrayList<Map<String, Object>>();
    var kids = new HashSet<String>();
    for (int i = 0; i < raw.size(); i++) {
      var at = "keys[" + i + "]";
      JWK jwk;
      try {
        jwk = JWK.parse(raw.get(i) == null ? Map.of() : raw.get(i));
      } catch (java.text.ParseException | RuntimeException e) {
        errors.add(new FieldError(at, "is not a JWK (RFC 7517) object"));
        continue;
      }
      var problem = unusable(jwk);
      if (problem != null) {
        errors.add(new FieldError(at, problem));
        continue;
      }
      if (jwk.getKeyID() != null && !kids.add(jwk.getKeyID())) {
        errors.add(new FieldError(at + ".kid", "'" + jwk.getKeyID() + "' is listed twice"));
        continue;
      }
      out.add(new LinkedHashMap<>(jwk.toPublicJWK().toJSONObject()));
    }
    return out;
  }

  /** Why {@code jwk} cannot verify tokens here, or null when it can. */
  public static String unusable(JWK jwk) {
    if (jwk.isPrivate()) {
      return "contains private key material: register the public key only";
    }
    var type = jwk.getKeyType();
    if (KeyType.RSA.equals(type)) {
      return null;
    }
    if (KeyType.EC.equals(type)) {
      return Curve.P_256.equals(((ECKey) jwk).getCurve()) ? null : "EC keys must be on P-256";
    }
    if (KeyType.OKP.equals(type)) {
      return Curve.Ed25519.equals(((OctetKeyPair) jwk).getCurve())
          ? null
          : "OKP keys must be Ed25519";
    }
    return "must be an RSA, EC (P-256) or OKP (Ed25519) public key; symmetric keys are refused";
  }

  private static Map<String, String> claimsToHeaders(
      List<FieldError> errors, Map<String, String> raw) {
    if (raw == null || raw.isEmpty()) {
      return Map.of();
    }
    if (raw.size() > MAX_CLAIM_HEADERS) {
      errors.add(
          new FieldError("claimsToHeaders", "must map at most " + MAX_CLAIM_HEADERS + " claims"));
      return Map.of();
    }
    var headers = new HashSet<String>();
    for (var e : raw.entrySet()) {
      var at = "claimsToHeaders." + e.getKey();
      if (!CLAIM_NAME.matcher(e.getKey()).matches()) {
        errors.add(
            new FieldError(at, "a claim name is 1-64 letters, digits, '_', '.', ':' or '-'"));
      }
      var header = e.getValue();
      if (header == null || !HEADER_NAME.matcher(header).matches()) {
        errors.add(new FieldError(at, "must be an HTTP header name"));
        continue;
      }
      var lower = header.toLowerCase(Locale.ROOT);
      if (RESERVED_HEADERS.contains(lower) || lower.startsWith("x-crossgate-")) {
        errors.add(new FieldError(at, "'" + header + "' is reserved; choose another header"));
      } else if (!headers.add(lower)) {
        errors.add(new FieldError(at, "'" + header + "' is the header of another claim"));
      }
    }
    return raw;
  }
}
