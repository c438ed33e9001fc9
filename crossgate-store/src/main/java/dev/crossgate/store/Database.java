package dev.crossgate.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.crossgate.store.sql.Sql;
import java.nio.file.Path;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration database: a HikariCP pool over embedded H2 (file, the default) or PostgreSQL,
 * migrated by Flyway on open. Every method blocks: call it from a worker thread, never from an
 * event loop.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource pool;
  private final boolean postgres;

  private Database(HikariDataSource pool, boolean postgres) {
    this.pool = pool;
    this.postgres = postgres;
  }

  /**
   * The default store: an H2 database file under {@code dataDir}. {@code WRITE_DELAY=0} writes
   * every commit to the file at once (H2 otherwise batches for up to 500 ms), so what was
   * acknowledged (a config change, a task answered 202) survives a kill -9 of the process.
   */
  public static String h2Url(Path dataDir) {
    return h2Url(dataDir, "crossgate");
  }

  /** An H2 database file {@code name} under {@code dataDir}, with the same durability. */
  public static String h2Url(Path dataDir, String name) {
    return "jdbc:h2:file:"
        + dataDir.toAbsolutePath().resolve(name)
        + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
  }

  /** Opens the pool and migrates the schema; user and password may be null (taken from the URL). */
  public static Database open(String jdbcUrl, String user, String password, int poolSize) {
    return open(jdbcUrl, user, password, poolSize, "classpath:db/migration");
  }

  /**
   * Opens a pool over a database with its own schema: the agent keeps its local tasks in an H2 file
   * migrated from {@code classpath:db/agent}, not the gateway's tables.
   */
  public static Database open(
      String jdbcUrl, String user, String password, int poolSize, String migrations) {
    var config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    if (user != null) {
      config.setUsername(user);
    }
    if (password != null) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(poolSize);
    config.setPoolName("crossgate-db");
    config.setConnectionTimeout(10_000);
    config.setAutoCommit(true);
    var pool = new HikariDataSource(config);
    try {
      var result = Flyway.configure().dataSource(pool).locations(migrations).load().migrate();
      LOG.info(
          "database ready url={} migrations={} schemaVersion={}",
          redact(jdbcUrl),
          result.migrationsExecuted,
          result.targetSchemaVersion);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return new Database(pool, jdbcUrl.startsWith("jdbc:postgresql:"));
  }

  public DataSource dataSource() {
    return pool;
  }

  public boolean isPostgres() {
    return postgres;
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
   */
  public <T> T inTransaction(Sql.Work<T> work) {
    try (var c = pool.getConnection()) {
      return Sql.inTransaction(c, work);
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  /** Runs read-only {@code work} on a pooled connection in auto-commit mode. */
  public <T> T read(Sql.Work<T> work) {
    try (var c = pool.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
