package dev.crossgate.app;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a role keeps its database (DESIGN.md "Contracts": {@code --db JDBC_URL}, default an H2 file
 * in the data dir): the control plane's configuration, a gateway node's tasks.
 */
final class DatabaseFlags {
  @Option(
      names = "--db",
      description =
          "JDBC URL of the database, e.g. "
              + "jdbc:postgresql://127.0.0.1:5432/crossgate (default: an H2 file in the data dir). Gateway nodes keep "
              + "their async tasks there; nodes that share it answer each other's polls.")
  String db;

  @Option(names = "--db-user", description = "Database user (default: from the URL).")
  String dbUser;

  @Option(
      names = "--db-password",
      description = "Database password (or env CROSSGATE_DB_PASSWORD).",
      defaultValue = "${env:CROSSGATE_DB_PASSWORD}")
  String dbPassword;

  String url(Path dataDir) {
    return db == null ? dev.crossgate.store.Database.h2Url(dataDir) : db;
  }

  String password() {
    return dbPassword == null || dbPassword.isBlank() ? null : dbPassword;
  }
}
