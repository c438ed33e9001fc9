package dev.crossgate.ratelimit;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.Objects;

/**
 * A rate-limit policy on a route: {@code limit} requests per {@code window} for each {@link Scope}
 * key, at most {@code burst} of them at once. Enforced as a token bucket that holds {@code burst}
 * tokens and refills {@code limit} tokens per window, so callers may spend a burst and then the
 * steady rate. Built only by {@link RateLimitValidator} or from stored JSON, so every instance is
 * valid.
 */
public record RateLimit(Scope scope, long limit, Window window, long burst) {

  /** What one counter is kept for. */
  public enum Scope {
    /** The calling tenant (requests without a caller are counted by client IP). */
    TENANT,
    /** The route as a whole, every caller together. */
    ROUTE,
    /**
     * The calling credential: one API key or registered certificate (requests without a caller are
     * counted by client IP).
     */
    CALLER,
    /** The client's IP address (behind trusted proxies, the forwarded one). */
    CLIENT_IP
  }

  /** The windows a limit is stated in, written {@code 1s}, {@code 1m}, {@code 1h}. */
  public enum Window {
    SECOND("1s", Duration.ofSeconds(1)),
    MINUTE("1m", Duration.ofMinutes(1)),
    HOUR("1h", Duration.ofHours(1));

    private final String text;
    private final Duration length;

    Window(String text, Duration length) {
      this.text = text;
      this.length = length;
    }

    @JsonValue
    public String text() {
      return text;
    }

    public Duration length() {
      return length;
    }

    /** The window written as {@code text}, or null when it is not one. */
    @JsonCreator
    public static Window parse(String text) {
      for (var w : values()) {
        if (w.text.equals(text)) {
          return w;
        }
      }
      return null;
    }
  }

  /** A policy as an operator submits it; {@link RateLimitValidator} names every bad field. */
  public record Spec(String scope, Long limit, String window, Long burst) {}

  public RateLimit {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(window, "window");
    if (limit < 1 || burst < 1) {
      throw new IllegalArgumentException("a rate limit needs limit >= 1 and burst >= 1");
    }
  }

  /** Tokens added per second. */
  public double perSecond() {
    return (double) limit / window.length().toSeconds();
  }

  /**
   * This policy as an item of the {@code RateLimit-Policy} field (draft-ietf-httpapi-ratelimit-
   * headers-07 section 4): the quota and its window in seconds, e.g. {@code 100;w=60}, with the
   * burst as an extension parameter when it differs from the quota.
   */
  public String policyItem() {
    var item = limit + ";w=" + window.length().toSeconds();
    return burst == limit ? item : item + ";burst=" + burst;
  }
}
