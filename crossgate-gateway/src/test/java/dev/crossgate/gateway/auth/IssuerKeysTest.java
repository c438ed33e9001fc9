package dev.crossgate.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
}
