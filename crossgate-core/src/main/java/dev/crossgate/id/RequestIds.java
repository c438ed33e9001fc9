package dev.crossgate.id;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The one request id of every Crossgate server (Admin API, node admin port, traffic port,
 * transfers, agent): the value in {@code X-Request-Id}, in a problem's {@code requestId} and in the
 * access log line is the same. A caller's own id is kept when it is safe to echo and log.
 */
public final class RequestIds {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private RequestIds() {}

  /**
   * The caller's id when it is safe to echo (letters, digits, {@code ._:-}, at most 128), else a
   * new one.
   */
  public static String accept(String given) {
    return given != null && SAFE.matcher(given).matches() ? given : next();
  }

  /**
   * 128 random bits as 32 hex digits; a correlation id, not a secret, so ThreadLocalRandom is
   * enough.
   */
  public static String next() {
    var random = ThreadLocalRandom.current();
    return hex(random.nextLong()) + hex(random.nextLong());
  }

  private static String hex(long v) {
    var s = Long.toHexString(v);
    return s.length() == 16 ? s : "0".repeat(16 - s.length()) + s;
  }
}
