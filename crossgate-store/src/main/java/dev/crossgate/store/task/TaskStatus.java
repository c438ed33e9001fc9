package dev.crossgate.store.task;

/**
 * Where an async task stands. PENDING: stored, not yet handed to the upstream; RUNNING: the
 * upstream has it; DONE/FAILED: a result is stored; EXPIRED: its TTL passed and nobody collected it
 * (it is about to be removed with its data).
 */
public enum TaskStatus {
  PENDING,
  RUNNING,
  DONE,
  FAILED,
  EXPIRED;

  public boolean finished() {
    return this == DONE || this == FAILED || this == EXPIRED;
  }
}
