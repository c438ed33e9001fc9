package dev.crossgate.auth;

/**
 * The API key a request presents, the one parser of it for every port: {@code X-Api-Key}, else
 * {@code Authorization: Bearer <key>} (RFC 6750 section 2.1). Which header carried it matters when
 * the key has to be removed before the request travels on: a bearer token that is not a Crossgate
 * key belongs to the upstream and is left alone.
 *
 * @param key the key as presented, trimmed, never empty
 * @param bearer true when it came in {@code Authorization}, false for {@code X-Api-Key}
 */
public record PresentedKey(String key, boolean bearer) {
  private static final String BEARER = "Bearer ";

  /** The key from the two header values (either may be null); null when neither carries one. */
  public static PresentedKey of(String apiKeyHeader, String authorizationHeader) {
    if (apiKeyHeader != null) {
      var key = apiKeyHeader.trim();
      return key.isEmpty() ? null : new PresentedKey(key, false);
    }
    if (authorizationHeader != null
        && authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      var key = authorizationHeader.substring(BEARER.length()).trim();
      return key.isEmpty() ? null : new PresentedKey(key, true);
    }
    return null;
  }

  /** The SHA-256 under which issued keys are stored and looked up. */
  public String hash() {
    return Secrets.sha256Hex(key);
  }

  @Override
  public String toString() {
    return "PresentedKey[redacted, bearer=" + bearer + "]";
  }
}
