package dev.crossgate.gateway.extension;

/**
 * Why one extension call failed. The message is safe to show to the caller (it names the
 * extension's behaviour, never an internal cause); the kind labels metrics.
 */
final class ExtensionFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  enum Kind {
    TIMEOUT,
    ERROR_STATUS,
    UNREACHABLE,
    BAD_REPLY,
    TRAP,
    TOO_LARGE,
    CIRCUIT_OPEN,
    VERSION_UNAVAILABLE,
    BUSY
  }

  private final Kind kind;

  ExtensionFailure(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  Kind kind() {
    return kind;
  }

  String label() {
    return kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
