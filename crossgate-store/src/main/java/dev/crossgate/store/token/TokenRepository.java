package dev.crossgate.store.token;

import dev.crossgate.auth.Secrets;
import dev.crossgate.id.Ids;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.Database;
import dev.crossgate.store.sql.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Admin API tokens, stored as SHA-256 hashes (tokens are 256-bit random, so a plain hash is not
 * brute-forceable). Not part of the change log: credentials of the control plane are not
 * configuration that gateway nodes need. Blocking: call from a worker thread.
 */
public final class TokenRepository {
  public static final String BOOTSTRAP = "bootstrap";
  private static final String COLUMNS = "id, name, role, created_at";

  private final Database database;
  private final Clock clock;

  public TokenRepository(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** A newly made token: the plaintext, shown once, and what is stored. */
  public record IssuedToken(String token, AdminToken stored) {}

  public static String newSecret() {
    return "cga_" + Ids.randomToken(32);
  }

  /** Makes {@code token} the bootstrap admin token (replacing an earlier bootstrap token). */
  public void setBootstrap(String token) {
    database.inTransaction(
        c -> {
          Sql.update(c, "DELETE FROM admin_tokens WHERE name = ?", BOOTSTRAP);
          insert(
              c,
              new AdminToken(Ids.random("tok_"), BOOTSTRAP, AdminToken.Role.ADMIN, clock.instant()),
              token);
          return null;
        });
  }

  public IssuedToken create(String name, AdminToken.Role role) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")) {
      throw new ProblemException(
          Problem.validation(
              List.of(
                  new FieldError(
                      "name", "is required: 1-128 letters, digits, '.', '_', '@' or '-'"))));
    }
    if (role == null) {
      throw new ProblemException(
          Problem.validation(List.of(new FieldError("role", "must be ADMIN or VIEWER"))));
    }
    var secret = newSecret();
    var stored = new AdminToken(Ids.random("tok_"), name, role, clock.instant());
    database.inTransaction(
        c -> {
          if (findBy(c, "name", name).isPresent()) {
            throw new ProblemException(
                Problem.conflict("a token named " + name + " exists already"));
          }
          insert(c, stored, secret);
          return null;
        });
    return new IssuedToken(secret, stored);
  }

  public boolean isEmpty() {
    return database.read(c -> Sql.queryLong(c, "SELECT COUNT(*) FROM admin_tokens") == 0);
  }

  public Optional<AdminToken> authenticate(String token) {
    return database.read(c -> findBy(c, "token_hash", Secrets.sha256Hex(token)));
  }

  public List<AdminToken> all() {
    return database.read(
        c ->
            Sql.query(
                c,
                "SELECT " + COLUMNS + " FROM admin_tokens ORDER BY name",
                TokenRepository::token));
  }

  public void delete(String id) {
    database.inTransaction(
        c -> {
          if (Sql.update(c, "DELETE FROM admin_tokens WHERE id = ?", id) == 0) {
            throw new ProblemException(Problem.notFound("no token with id " + id));
          }
          return null;
        });
  }

  private static void insert(java.sql.Connection c, AdminToken t, String secret)
      throws SQLException {
    Sql.update(
        c,
        "INSERT INTO admin_tokens (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        t.id(),
        t.name(),
        t.role(),
        Secrets.sha256Hex(secret),
        t.createdAt());
  }

  private static Optional<AdminToken> findBy(java.sql.Connection c, String column, String value)
      throws SQLException {
    return Sql.queryOne(
        c,
        "SELECT " + COLUMNS + " FROM admin_tokens WHERE " + column + " = ?",
        TokenRepository::token,
        value);
  }

  private static AdminToken token(ResultSet row) throws SQLException {
    return new AdminToken(
        row.getString("id"),
        row.getString("name"),
        AdminToken.Role.valueOf(row.getString("role")),
        Sql.instant(row, "created_at"));
  }
}
