package dev.crossgate.app;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A TCP port flag: 1-65535, or 0 for a free port the role picks and prints in its ready line. */
final class PortNumber implements ITypeConverter<Integer> {
  @Override
  public Integer convert(String value) {
    try {
      int port = Integer.parseInt(value.strip());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // answered below, as for a number out of range
    }
    throw new TypeConversionException(
        "'" + value + "' is not a port (1-65535, or 0 for any free one)");
  }
}
