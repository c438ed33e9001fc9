package dev.crossgate.app;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A duration on the command line, the way operators write it ({@code 500ms}, {@code 30s}, {@code
 * 24h}, {@code 1h30m}, {@code 7d}) or as ISO-8601 ({@code PT30S}). Registered for every {@link
 * Duration} flag by {@link Crossgate#commandLine}.
 */
final class DurationValue implements ITypeConverter<Duration> {
  private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
  private static final Pattern WHOLE = Pattern.compile("(?:\\d{1,12}(?:ms|s|m|h|d))+");

  @Override
  public Duration convert(String value) {
    var text = value.strip();
    if (text.regionMatches(true, 0, "P", 0, 1) || text.startsWith("-P")) {
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw refused(value);
      }
    }
    if (!WHOLE.matcher(text).matches()) {
      throw refused(value);
    }
    var total = Duration.ZERO;
    var parts = PART.matcher(text);
    while (parts.find()) {
      long n = Long.parseLong(parts.group(1));
      total =
          total.plus(
              switch (parts.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
    }
    return total;
  }

  private static TypeConversionException refused(String value) {
    return new TypeConversionException(
        "'" + value + "' is not a duration; use e.g. 500ms, 30s, 5m, 24h, 1h30m or ISO-8601 PT30S");
  }
}
