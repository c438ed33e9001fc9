package dev.crossgate.digest;

import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9530 {@code Content-Digest} / {@code Repr-Digest} value: an RFC 8941 dictionary whose
 * members are byte sequences, e.g. {@code sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:}.
 * Unknown algorithms are ignored as RFC 9530 section 2 asks, but a field that names only unknown
 * ones is rejected: nothing could be verified.
 */
public record DigestField(DigestAlgorithm algorithm, byte[] value) {

  /** Picks {@code preferred} when the field carries it, else any other supported algorithm. */
  public static DigestField parse(String fieldName, String header, DigestAlgorithm preferred) {
    if (header == null || header.isBlank()) {
      throw new ProblemException(digestRequired(fieldName));
    }
    Map<DigestAlgorithm, byte[]> known = new LinkedHashMap<>();
    var unknown = new StringBuilder();
    for (var member : header.split(",")) {
      var m = member.trim();
      int eq = m.indexOf('=');
      if (eq <= 0) {
        throw new ProblemException(malformed(fieldName, header));
      }
      var key = m.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT);
      var raw = m.substring(eq + 1).trim();
      var params = raw.indexOf(';');
      if (params >= 0) {
        raw = raw.substring(0, params);
      }
      if (raw.length() < 2 || raw.charAt(0) != ':' || raw.charAt(raw.length() - 1) != ':') {
        throw new ProblemException(malformed(fieldName, header));
      }
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(raw.substring(1, raw.length() - 1));
      } catch (IllegalArgumentException e) {
        throw new ProblemException(malformed(fieldName, header));
      }
      var algorithm = DigestAlgorithm.byFieldName(key);
      if (algorithm.isPresent()) {
        known.put(algorithm.get(), bytes);
      } else {
        unknown.append(unknown.length() == 0 ? "" : ", ").append(key);
      }
    }
    if (known.isEmpty()) {
      throw new ProblemException(unsupportedDigest(fieldName, unknown.toString()));
    }
    var chosen = known.containsKey(preferred) ? preferred : known.keySet().iterator().next();
    return new DigestField(chosen, known.get(chosen));
  }

  /** Parses a value stored by {@link #toString()}. */
  public static DigestField stored(String value) {
    return parse("stored digest", value, DigestAlgorithm.SHA_256);
  }

  public boolean matches(byte[] computed) {
    return java.security.MessageDigest.isEqual(value, computed);
  }

  /** The field value, e.g. {@code sha-256=:…:}. */
  @Override
  public String toString() {
    return format(algorithm, value);
  }

  public static String format(DigestAlgorithm algorithm, byte[] value) {
    return algorithm.fieldName() + "=:" + Base64.getEncoder().encodeToString(value) + ":";
  }

  static Problem digestRequired(String fieldName) {
    return Problem.of(
        "digest-required",
        "Digest required",
        400,
        fieldName + " is required, e.g. " + fieldName + ": sha-256=:base64:");
  }

  static Problem unsupportedDigest(String fieldName, String names) {
    return Problem.of(
            "unsupported-digest",
            "Unsupported digest algorithm",
            400,
            fieldName + " names no supported algorithm (" + names + "); use sha-256 or crc32c")
        .with("supported", java.util.List.of("sha-256", "crc32c"));
  }

  private static Problem malformed(String fieldName, String header) {
    return Problem.badRequest(
        fieldName
            + " is not an RFC 9530 dictionary of byte sequences: "
            + (header.length() > 100 ? header.substring(0, 100) + "…" : header));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DigestField d
        && d.algorithm == algorithm
        && java.util.Arrays.equals(d.value, value);
  }

  @Override
  public int hashCode() {
    return algorithm.hashCode() * 31 + java.util.Arrays.hashCode(value);
  }
}
