package dev.crossgate.agent.transfer;

/**
 * A send that could not finish. {@code resumable} says whether running it again continues where it
 * stopped (network trouble, gateway down) or cannot succeed as is (rejected descriptor, source file
 * changed, whole-file digest mismatch).
 */
public final class TransferException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean resumable;

  public TransferException(String message, boolean resumable, Throwable cause) {
    super(message, cause);
    this.resumable = resumable;
  }

  public boolean resumable() {
    return resumable;
  }
}
