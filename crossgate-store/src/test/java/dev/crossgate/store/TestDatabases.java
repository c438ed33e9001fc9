package dev.crossgate.store;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;

/**
 * Databases for tests: a private in-memory H2, or a freshly created PostgreSQL database on the
 * machine's server (env {@code CROSSGATE_TEST_PG}, default {@code 127.0.0.1:5432} as user postgres)
 * that {@link Handle#close()} drops. A missing PostgreSQL fails the test: the suite is meant to run
 * against the real server, never to skip it silently.
 */
public final class TestDatabases {
  private TestDatabases() {}

  /** An open database and how to get rid of it. */
  public record Handle(Database database, String url, Runnable dropper) implements AutoCloseable {
    @Override
    public void close() {
      database.close();
      dropper.run();
    }
  }

  public static String pgHostPort() {
    var env = System.getenv("CROSSGATE_TEST_PG");
    return env == null || env.isBlank() ? "127.0.0.1:5432" : env;
  }

  public static Handle h2() {
    var url =
        "jdbc:h2:mem:cg_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
    return new Handle(Database.open(url, "sa", "", 8), url, () -> dropH2(url));
  }

  public static Handle postgres() {
    return postgres(pgHostPort());
  }

  /** A fresh database on the server at {@code hostPort} (e.g. a {@link PrivatePostgres}). */
  public static Handle postgres(String hostPort) {
    var name =
        "crossgate_test_"
            + UUID.randomUUID()
                .toString()
                .replace("-", "")
                .substring(0, 16)
                .toLowerCase(Locale.ROOT);
    var admin = "jdbc:postgresql://" + hostPort + "/postgres";
    execute(admin, "CREATE DATABASE " + name);
    var url = "jdbc:postgresql://" + hostPort + "/" + name;
    try {
      return new Handle(
          Database.open(url, "postgres", null, 12),
          url,
          () -> execute(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
    } catch (RuntimeException e) {
      execute(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      throw e;
    }
  }

  /** Opens the named kind: "h2" or "postgres" (for parameterised tests). */
  public static Handle open(String kind) {
    return switch (kind) {
      case "h2" -> h2();
      case "postgres" -> postgres();
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static void execute(String url, String sql) {
    try (var c = DriverManager.getConnection(url, "postgres", null);
        var s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "PostgreSQL is required for this test at "
              + pgHostPort()
              + " (start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): "
              + e.getMessage(),
          e);
    }
  }

  private static void dropH2(String url) {
    try (var c = DriverManager.getConnection(url, "sa", "");
        var s = c.createStatement()) {
      s.execute("SHUTDOWN");
    } catch (SQLException ignored) {
      // already gone
    }
  }
}
