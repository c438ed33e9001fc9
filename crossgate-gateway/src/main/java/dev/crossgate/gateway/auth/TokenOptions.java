package dev.crossgate.gateway.auth;

import java.time.Duration;

/**
 * How a node keeps token issuers' keys (JWK Sets). Clock skew is per issuer ({@code
 * clockSkewSeconds}); these bounds are the node's.
 *
 * @param minKeyCache the shortest a fetched key set is kept, whatever its {@code Cache-Control}
 *     says ({@code no-store} included): an issuer cannot make every request a fetch
 * @param maxKeyCache the longest a fetched key set is kept, whatever its {@code max-age} says
 * @param defaultKeyCache how long a key set without {@code max-age} is kept (held within the
 *     bounds)
 * @param unknownKeyRefresh a token naming a {@code kid} the cached set lacks refetches the set at
 *     most once per this interval per issuer (a failed fetch counts too)
 * @param fetchTimeout connect and idle timeout of a key set or discovery fetch
 * @param maxKeySetBytes the largest key set or discovery document read
 */
public record TokenOptions(
    Duration minKeyCache,
    Duration maxKeyCache,
    Duration defaultKeyCache,
    Duration unknownKeyRefresh,
    Duration fetchTimeout,
    int maxKeySetBytes) {

  public TokenOptions {
    if (minKeyCache.isNegative() || maxKeyCache.compareTo(minKeyCache) < 0) {
      throw new IllegalArgumentException("the key cache bounds need 0 <= min <= max");
    }
    if (unknownKeyRefresh.isNegative() || fetchTimeout.isNegative() || fetchTimeout.isZero()) {
      throw new IllegalArgumentException("the refresh interval and fetch timeout must be positive");
    }
    defaultKeyCache =
        defaultKeyCache.compareTo(minKeyCache) < 0
            ? minKeyCache
            : defaultKeyCache.compareTo(maxKeyCache) > 0 ? maxKeyCache : defaultKeyCache;
    if (maxKeySetBytes < 1_024) {
      throw new IllegalArgumentException("maxKeySetBytes must be at least 1024");
    }
  }

  public static TokenOptions defaults() {
    return new TokenOptions(
        Duration.ofSeconds(60),
        Duration.ofHours(24),
        Duration.ofMinutes(10),
        Duration.ofSeconds(60),
        Duration.ofSeconds(5),
        256 * 1_024);
  }
}
