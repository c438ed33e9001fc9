package dev.crossgate.store;

import java.sql.SQLException;

/** A database failure the caller cannot fix: rendered as 503, logged with its cause. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(SQLException cause) {
    super("database failure: " + cause.getMessage(), cause);
  }
}
