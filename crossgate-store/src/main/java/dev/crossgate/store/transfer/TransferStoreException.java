package dev.crossgate.store.transfer;

import java.sql.SQLException;

/** The transfer index could not be read or written; the cause is for the log only. */
public final class TransferStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TransferStoreException(String operation, SQLException cause) {
    super(operation + " failed: " + cause.getMessage(), cause);
  }
}
