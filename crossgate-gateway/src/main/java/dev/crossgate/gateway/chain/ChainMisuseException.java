package dev.crossgate.gateway.chain;

/** A step broke the {@link Step} contract: a bug in the step, answered with 500 and logged. */
public final class ChainMisuseException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public ChainMisuseException(String message) {
    super(message);
  }
}
