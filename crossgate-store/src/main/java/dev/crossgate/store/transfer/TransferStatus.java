package dev.crossgate.store.transfer;

/** Where a transfer is in its life: accepting chunks, verified and delivered, or given up. */
public enum TransferStatus {
  /**
   * Accepting chunks; also the state a transfer returns to when delivery fails and may be retried.
   */
  OPEN,
  /** Held while one caller verifies and delivers; other end notifications get 409 meanwhile. */
  COMPLETING,
  /** Verified and delivered (or kept, when it has no target) until it expires. */
  COMPLETED,
  /**
   * Verification failed; {@code failure} says why. Data is released, the row stays until it
   * expires.
   */
  FAILED
}
