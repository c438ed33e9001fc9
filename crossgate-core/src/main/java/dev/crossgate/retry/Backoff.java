package dev.crossgate.retry;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before the next attempt of something that failed transiently: exponential
 * back-off with full jitter (a uniformly random delay between zero and {@code initial·2^attempt},
 * capped at {@code max}), so that many clients refused together do not come back together. When the
 * server said how long to wait ({@code Retry-After} on a 429 or 503, RFC 9110 section 10.2.3), that
 * wait is honoured, capped at {@code maxRetryAfter} so a hostile or mistaken server cannot park the
 * client for a day, plus up to one {@code initial} of jitter.
 *
 * <p>The randomness is injected: {@code random} returns a value in {@code [0, 1)}; tests pass a
 * constant. Immutable and thread-safe when {@code random} is.
 *
 * <p>Resilience4j's {@code IntervalFunction} was not used: its random back-off jitters around the
 * exponential value (not full jitter) and its randomness cannot be injected.
 */
public final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private final long maxRetryAfterMillis;
  private final DoubleSupplier random;

  private Backoff(Duration initial, Duration max, Duration maxRetryAfter, DoubleSupplier random) {
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
    this.maxRetryAfterMillis = maxRetryAfter.toMillis();
    this.random = Objects.requireNonNull(random, "random");
    if (initialMillis < 1 || maxMillis < initialMillis || maxRetryAfterMillis < 0) {
      throw new IllegalArgumentException(
          "back-off out of range: initial >= 1 ms, max >= initial, maxRetryAfter >= 0");
    }
  }

  /** With {@link ThreadLocalRandom} as the randomness. */
  public static Backoff of(Duration initial, Duration max, Duration maxRetryAfter) {
    return new Backoff(initial, max, maxRetryAfter, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** With injected randomness: {@code random} returns values in {@code [0, 1)}. */
  public static Backoff of(
      Duration initial, Duration max, Duration maxRetryAfter, DoubleSupplier random) {
    return new Backoff(initial, max, maxRetryAfter, random);
  }

  /**
   * The wait before attempt {@code attempt + 1}.
   *
   * @param attempt attempts made so far (0 before the first retry)
   */
  public Duration delay(int attempt) {
    long ceiling = Math.min(maxMillis, initialMillis << Math.min(Math.max(attempt, 0), 30));
    return Duration.ofMillis(scaled(ceiling));
  }

  /**
   * As {@link #delay(int)}, unless the server asked for a wait: then that wait (capped) plus up to
   * one {@code initial} of jitter.
   *
   * @param retryAfter the parsed {@code Retry-After}, null when the server gave none
   */
  public Duration delay(int attempt, Duration retryAfter) {
    if (retryAfter == null) {
      return delay(attempt);
    }
    long asked = Math.min(Math.max(retryAfter.toMillis(), 0), maxRetryAfterMillis);
    return Duration.ofMillis(asked + scaled(initialMillis));
  }

  private long scaled(long ceiling) {
    double r = random.getAsDouble();
    if (!(r >= 0 && r < 1)) {
      throw new IllegalStateException(
          "the back-off's randomness must return values in [0, 1), got " + r);
    }
    return (long) (r * (ceiling + 1));
  }

  /**
   * The wait a server asked for: its {@code Retry-After} when it answered 429 or 503, the two
   * statuses where the header means "come back later" (RFC 9110 section 10.2.3, RFC 6585 section
   * 4).
   *
   * @return the wait, or null for another status or an absent or unreadable header
   */
  public static Duration retryAfter(int status, String value, Instant now) {
    return status == 429 || status == 503 ? retryAfter(value, now) : null;
  }

  /**
   * Parses a {@code Retry-After} value (RFC 9110 section 10.2.3): {@code delay-seconds} or an
   * HTTP-date (IMF-fixdate; a date in the past is a wait of zero).
   *
   * @return the wait, or null when the value is absent or neither form (then it is ignored)
   */
  public static Duration retryAfter(String value, Instant now) {
    if (value == null) {
      return null;
    }
    var v = value.trim();
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // delay-seconds = 1*DIGIT; a huge value saturates rather than overflowing
      return v.length() > 12
          ? Duration.ofSeconds(999_999_999_999L)
          : Duration.ofSeconds(Long.parseLong(v));
    }
    try {
      var at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
