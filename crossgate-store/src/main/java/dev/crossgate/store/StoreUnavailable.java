package dev.crossgate.store;

import dev.crossgate.problem.Problem;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;

/**
 * The one mapping of "the database cannot be reached now" to an answer, for every server: a 503
 * {@code store-unavailable} problem with {@code Retry-After}, instead of a 500 and an ERROR stack
 * trace per request while PostgreSQL is down or restarting.
 */
public final class StoreUnavailable {
  /** Seconds a client is asked to wait: about what a PostgreSQL restart or fail-over takes. */
  public static final int RETRY_AFTER_SECONDS = 5;

  private StoreUnavailable() {}

  /**
   * The 503 problem when {@code failure} (or a cause of it) is a connection failure: SQLState class
   * 08 (connection exception, SQL:2016 and PostgreSQL appendix A), PostgreSQL's 57P01..57P03 (the
   * server shutting down, crashed, or not yet accepting connections), or the pool giving up waiting
   * for a connection ({@link SQLTransientConnectionException}, HikariCP's timeout); else empty.
   */
  public static Optional<Problem> problemFor(Throwable failure) {
    for (var t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || (t instanceof SQLException sql && connectionState(sql))) {
        return Optional.of(
            Problem.of(
                    "store-unavailable",
                    "Store unavailable",
                    503,
                    "the database is not reachable; try again shortly")
                .with("retryAfter", RETRY_AFTER_SECONDS));
      }
    }
    return Optional.empty();
  }

  private static boolean connectionState(SQLException e) {
    var state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.matches("57P0[123]"));
  }
}
