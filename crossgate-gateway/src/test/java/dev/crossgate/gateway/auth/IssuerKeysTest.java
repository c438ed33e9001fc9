package dev.crossgate.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.gateway.kit.TestTokens;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IssuerKeysTest {
  private static final TokenOptions OPTIONS =
      new TokenOptions(
          Duration.ofSeconds(60),
          Duration.ofHours(24),
          Duration.ofMinutes(10),
          Duration.ofSeconds(60),
          Duration.ofSeconds(5),
          65_536);

  @ParameterizedTest(name = "Cache-Control: {0} -> {1} s")
  @CsvSource(
      delimiter = '|',
      nullValues = "none",
      value = {
        "none | 600",
        "public, max-age=3600 | 3600",
        "max-age=\"120\" | 120",
        "max-age=5 | 60",
        "no-store | 60",
        "no-cache, max-age=3600 | 60",
        "max-age=31536000 | 86400",
        "max-age=99999999999999999999999 | 86400",
        "s-maxage=3600 | 600"
      })
  void aKeySetIsKeptForItsMaxAgeWithinTheBounds(String cacheControl, long seconds) {
    assertThat(IssuerKeys.keptFor(cacheControl, OPTIONS)).isEqualTo(Duration.ofSeconds(seconds));
  }

  /** Keys of an issuer nobody asks about for longer than the longest key lifetime are dropped. */
  @Test
  void anIssuerNobodyAsksAboutIsForgotten() {
    var vertx = Vertx.vertx();
    try {
      var now = new AtomicLong();
      var keys =
          new IssuerKeys(vertx, vertx.createHttpClient(), EgressPolicy.DEFAULT, OPTIONS, now::get);
      var used =
          TestTokens.inlineIssuer("acme", "login", "https://login.acme", TestTokens.ec("k1"));
      var deleted = TestTokens.inlineIssuer("acme", "old", "https://old.acme", TestTokens.ec("k2"));
      keys.keys(used);
      keys.keys(deleted);
      assertThat(keys.issuersHeld()).isEqualTo(2);

      // the used issuer is asked about every hour for a day; the deleted one never again
      for (int hour = 1; hour <= 25; hour++) {
        now.addAndGet(Duration.ofHours(1).toNanos());
        assertThat(keys.keys(used).succeeded()).isTrue();
      }

      assertThat(keys.issuersHeld()).isEqualTo(1);
    } finally {
      vertx.close();
    }
  }
}
