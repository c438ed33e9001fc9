package dev.crossgate.store.token;

import dev.crossgate.auth.Secrets;
import dev.crossgate.change.Change;
import dev.crossgate.id.Ids;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.Database;
import dev.crossgate.store.sql.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Admin API tokens, stored as SHA-256 hashes (tokens are 256-bit random, so a plain hash is not
 * brute-forceable). Issuing and revoking one is logged in the change log as an {@code ADMIN_TOKEN}
 * audit entry (id, name, role, time: never the token or its hash); credentials of the control plane
 * are not configuration, so those entries never travel to gateway nodes. The bootstrap token is not
 * logged (see {@link #setBootstrap}). Blocking: call from a worker thread.
 */
public final class TokenRepository {
  public static final String BOOTSTRAP = "bootstrap";

  private static final String COLUMNS = "id, name, role, created_at";

  private final Database database;
  private final ChangeLog changeLog;
  private final Clock clock;

  public TokenRepository(Database database, ChangeLog changeLog, Clock clock) {
    this.database = database;
    this.changeLog = changeLog;
    this.clock = clock;
  }

  /** A newly made token: the plaintext, shown once, and what is stored. */
  public record IssuedToken(String token, AdminToken stored) {}

  public static String newSecret() {
    return "cga_" + Ids.randomToken(32);
  }

  /**
   * Makes {@code token} the bootstrap admin token (replacing an earlier bootstrap token). Not an
   * audit entry: it is the operator's start-up setting ({@code --admin-token} or the token
   * generated on first start), applied again at every start.
   */
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

  public IssuedToken create(String name, AdminToken.Role role, String actor) {
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
    changeLog.write(
        actor,
        tx -> {
          if (findBy(tx.connection(), "name", name).isPresent()) {
            throw new ProblemException(
                Problem.conflict("a token named " + name + " exists already"));
          }
          insert(tx.connection(), stored, secret);
          return log(tx, Change.Op.INSERT, null, stored);
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

  /** Revokes the token {@code id}: it no longer authenticates once the caches forgot it. */
  public void delete(String id, String actor) {
    changeLog.write(
        actor,
        tx -> {
          var existing =
              findBy(tx.connection(), "id", id)
                  .orElseThrow(
                      () -> new ProblemException(Problem.notFound("no token with id " + id)));
          Sql.update(tx.connection(), "DELETE FROM admin_tokens WHERE id = ?", id);
          return log(tx, Change.Op.DELETE, existing, null);
        });
  }

  private long log(
      ChangeLog.ChangeTransaction tx, Change.Op op, AdminToken before, AdminToken after)
      throws SQLException {
    var token = after == null ? before : after;
    return tx.record(op, Change.EntityType.ADMIN_TOKEN, token.id(), before, after, clock.instant());
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
