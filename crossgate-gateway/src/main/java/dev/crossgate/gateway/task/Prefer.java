package dev.crossgate.gateway.task;

import java.util.List;
import java.util.Locale;

/**
 * The {@code Prefer} preferences the gateway honours (RFC 7240): {@code respond-async} (section
 * 4.1) turns a sync call into a gateway-held task, {@code wait=N} (section 4.3) is how long the
 * caller is willing to wait for it before it gets the 202. Unknown preferences are ignored, as the
 * RFC requires.
 */
record Prefer(boolean respondAsync, int waitSeconds) {
  static final Prefer NONE = new Prefer(false, 0);
  private static final int MAX_WAIT_SECONDS = 600;

  static Prefer parse(List<String> headers) {
    boolean async = false;
    int wait = 0;
    for (var header : headers) {
      for (var token : header.split(",")) {
        var pref = token.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (pref.equals("respond-async")) {
          async = true;
        } else if (pref.startsWith("wait=")) {
          try {
            wait =
                Math.min(
                    MAX_WAIT_SECONDS,
                    Math.max(0, Integer.parseInt(pref.substring(5).replace("\"", ""))));
          } catch (NumberFormatException ignored) {
            // an unparsable preference is ignored (RFC 7240 section 2)
          }
        }
      }
    }
    return async || wait > 0 ? new Prefer(async, wait) : NONE;
  }
}
