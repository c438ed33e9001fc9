package dev.crossgate.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final Duration INITIAL = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofSeconds(10);
  private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  @Test
  void theCeilingDoublesWithEachAttemptUntilTheMaximum() {
    var highest = Backoff.of(INITIAL, MAX, MAX_RETRY_AFTER, () -> 0.999_999_999);

    var delays =
        List.of(
            highest.delay(0),
            highest.delay(1),
            highest.delay(2),
            highest.delay(6),
            highest.delay(7),
            highest.delay(1_000));

    assertThat(delays)
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(6_400),
            MAX,
            MAX);
  }

  @Test
  void fullJitterSpreadsTheDelayFromZeroToTheCeiling() {
    var lowest = Backoff.of(INITIAL, MAX, MAX_RETRY_AFTER, () -> 0.0);
    var half = Backoff.of(INITIAL, MAX, MAX_RETRY_AFTER, () -> 0.5);

    assertThat(lowest.delay(5)).isZero();
    assertThat(half.delay(3)).isEqualTo(Duration.ofMillis(400));
    assertThat(half.delay(50)).isEqualTo(Duration.ofMillis(5_000));
  }

  @Test
  void eachDelayDrawsFreshRandomness() {
    var draws = new ArrayDeque<>(List.of(0.25, 0.75));
    var backoff = Backoff.of(INITIAL, MAX, MAX_RETRY_AFTER, draws::removeFirst);

    assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void aServersRetryAfterIsHonouredPlusAtMostOneInitialOfJitter() {
    var lowest = Backoff.of(INITIAL, MAX, MAX_RETRY_AFTER, () -> 0.0);
    var highest = Backoff.of(INITIAL, MAX, MAX_RETRY_AFTER, () -> 0.999_999_999);

    assertThat(lowest.delay(0, Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    assertThat(highest.delay(0, Duration.ofSeconds(3))).isEqualTo(Duration.ofMillis(3_100));
    // a longer wait than the back-off's own maximum is still honoured: the server knows its limit
    assertThat(lowest.delay(0, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aRetryAfterBeyondTheCapIsCapped() {
    var lowest = Backoff.of(INITIAL, MAX, MAX_RETRY_AFTER, () -> 0.0);

    assertThat(lowest.delay(0, Duration.ofDays(1))).isEqualTo(MAX_RETRY_AFTER);
  }

  @Test
  void withoutARetryAfterTheExponentialDelayApplies() {
    var half = Backoff.of(INITIAL, MAX, MAX_RETRY_AFTER, () -> 0.5);

    assertThat(half.delay(3, null)).isEqualTo(half.delay(3));
  }

  @Test
  void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
    assertThat(Backoff.retryAfter("120", NOW)).isEqualTo(Duration.ofSeconds(120));
    assertThat(Backoff.retryAfter(" 0 ", NOW)).isZero();
    assertThat(Backoff.retryAfter("Wed, 02 Dec 2026 10:00:42 GMT", NOW))
        .isEqualTo(Duration.ofSeconds(42));
    assertThat(Backoff.retryAfter("Wed, 02 Dec 2026 09:00:00 GMT", NOW)).isZero();
    assertThat(Backoff.retryAfter("99999999999999999999", NOW)).isGreaterThan(Duration.ofDays(365));
  }

  @Test
  void retryAfterCountsOnlyOnA429OrA503() {
    assertThat(Backoff.retryAfter(429, "7", NOW)).isEqualTo(Duration.ofSeconds(7));
    assertThat(Backoff.retryAfter(503, "7", NOW)).isEqualTo(Duration.ofSeconds(7));
    assertThat(Backoff.retryAfter(504, "7", NOW)).isNull();
    assertThat(Backoff.retryAfter(301, "7", NOW)).isNull();
  }

  @Test
  void aMissingOrMalformedRetryAfterIsIgnored() {
    assertThat(Backoff.retryAfter(null, NOW)).isNull();
    assertThat(Backoff.retryAfter("", NOW)).isNull();
    assertThat(Backoff.retryAfter("-5", NOW)).isNull();
    assertThat(Backoff.retryAfter("1.5", NOW)).isNull();
    assertThat(Backoff.retryAfter("soon", NOW)).isNull();
  }

  @Test
  void randomnessOutsideTheUnitIntervalFailsLoudly() {
    var broken = Backoff.of(INITIAL, MAX, MAX_RETRY_AFTER, () -> 1.0);

    assertThatThrownBy(() -> broken.delay(0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aMaximumBelowTheInitialDelayIsRefused() {
    assertThatThrownBy(() -> Backoff.of(MAX, INITIAL, MAX_RETRY_AFTER))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
