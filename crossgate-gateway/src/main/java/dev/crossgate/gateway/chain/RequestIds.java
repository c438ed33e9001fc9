package dev.crossgate.gateway.chain;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The one owner of a node's request ids (traffic port and node admin port): the caller's
 * {@code X-Request-Id} when it is short and harmless in logs and headers, else 128 random bits as
 * hex. An id is for correlation, not a secret, so {@link ThreadLocalRandom} is enough.
 */
public final class RequestIds {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private RequestIds() {}

  /** {@code given} (the caller's header value, may be null) when safe to echo, else a new id. */
  public static String fromHeader(String given) {
    return given != null && SAFE.matcher(given).matches() ? given : newId();
  }

  public static String newId() {
    var random = ThreadLocalRandom.current();
    return toHex(random.nextLong()) + toHex(random.nextLong());
  }

  private static String toHex(long v) {
    var s = Long.toHexString(v);
    return s.length() == 16 ? s : "0".repeat(16 - s.length()) + s;
  }
}
