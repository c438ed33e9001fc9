package dev.crossgate.app;

import java.util.Locale;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A byte count on the command line: plain bytes ({@code 16777216}) or a whole number of binary
 * units ({@code 512KiB}, {@code 16MiB}, {@code 64GiB}, {@code 1TiB}). Decimal units (MB, GB) are
 * refused rather than guessed, so {@code 16MB} cannot silently mean 16,000,000 or 16 MiB.
 */
final class ByteSize implements ITypeConverter<Long> {
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,19})\\s*(B|KiB|MiB|GiB|TiB)?", Pattern.CASE_INSENSITIVE);

  @Override
  public Long convert(String value) {
    var m = SIZE.matcher(value.strip());
    if (!m.matches()) {
      throw new TypeConversionException(
          "'"
              + value
              + "' is not a size; use bytes or a number with KiB, MiB, GiB "
              + "or TiB, e.g. 16MiB");
    }
    int shift =
        switch (m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT)) {
          case "KIB" -> 10;
          case "MIB" -> 20;
          case "GIB" -> 30;
          case "TIB" -> 40;
          default -> 0;
        };
    long number;
    try {
      number = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is too large");
    }
    if (number <= 0) {
      throw new TypeConversionException("'" + value + "' must be positive");
    }
    if (number > Long.MAX_VALUE >> shift) {
      throw new TypeConversionException("'" + value + "' is too large");
    }
    return number << shift;
  }

  /** The same for flags held in an {@code int}: refused above 2 GiB - 1. */
  static final class Int implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      long bytes = new ByteSize().convert(value);
      if (bytes > Integer.MAX_VALUE) {
        throw new TypeConversionException("'" + value + "' is too large (at most 2GiB - 1 byte)");
      }
      return (int) bytes;
    }
  }
}
