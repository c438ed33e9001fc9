package dev.crossgate.store.token;

import dev.crossgate.auth.Secrets;
import dev.crossgate.id.Ids;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Admin API tokens, stored as SHA-256 hashes (tokens are 256-bit random, so a plain hash is not
 * brute-forceable). Not part of the change log: credentials of the control plane are not
 * configuration that gateway nodes need. Blocking: call from a worker thread.
 */
public final class TokenRepository {
  public static final String BOOTSTRAP = "bootstrap";

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
    database.inTransaction(c -> {
      try (var del = c.prepareStatement("DELETE FROM admin_tokens WHERE name = ?")) {
        del.setString(1, BOOTSTRAP);
        del.executeUpdate();
      }
      insert(c, new AdminToken(Ids.random("tok_"), BOOTSTRAP, AdminToken.Role.ADMIN, clock.instant()), token);
      return null;
    });
  }

  public IssuedToken create(String name, AdminToken.Role role) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")) {
      throw new ProblemException(Problem.validation(List.of(new FieldError("name",
          "is required: 1-128 letters, digits, '.', '_', '@' or '-'"))));
    }
    if (role == null) {
      throw new ProblemException(Problem.validation(List.of(new FieldError("role", "must be ADMIN or VIEWER"))));
    }
    var secret = newSecret();
    var stored = new AdminToken(Ids.random("tok_"), name, role, clock.instant());
    database.inTransaction(c -> {
      if (findBy(c, "name", name).isPresent()) {
        throw new ProblemException(Problem.conflict("a token named " + name + " exists already"));
      }
      insert(c, stored, secret);
      return null;
    });
    return new IssuedToken(secret, stored);
  }

  public boolean isEmpty() {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT COUNT(*) FROM admin_tokens"); var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) == 0;
      }
    });
  }

  public Optional<AdminToken> authenticate(String token) {
    return database.read(c -> findBy(c, "token_hash", Secrets.sha256Hex(token)));
  }

  public List<AdminToken> all() {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT id, name, role, created_at FROM admin_tokens ORDER BY name")) {
        var out = new ArrayList<AdminToken>();
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(read(rs));
          }
        }
        return out;
      }
    });
  }

  public void delete(String id) {
    database.inTransaction(c -> {
      try (var ps = c.prepareStatement("DELETE FROM admin_tokens WHERE id = ?")) {
        ps.setString(1, id);
        if (ps.executeUpdate() == 0) {
          throw new ProblemException(Problem.notFound("no token with id " + id));
        }
      }
      return null;
    });
  }

  private static void insert(java.sql.Connection c, AdminToken t, String secret) throws SQLException {
    try (var ps = c.prepareStatement(
        "INSERT INTO admin_tokens (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, t.id());
      ps.setString(2, t.name());
      ps.setString(3, t.role().name());
      ps.setString(4, Secrets.sha256Hex(secret));
      ps.setTimestamp(5, Timestamp.from(t.createdAt()));
      ps.executeUpdate();
    }
  }

  private static Optional<AdminToken> findBy(java.sql.Connection c, String column, String value) throws SQLException {
    try (var ps = c.prepareStatement("SELECT id, name, role, created_at FROM admin_tokens WHERE " + column + " = ?")) {
      ps.setString(1, value);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private static AdminToken read(ResultSet rs) throws SQLException {
    return new AdminToken(rs.getString(1), rs.getString(2), AdminToken.Role.valueOf(rs.getString(3)),
        rs.getTimestamp(4).toInstant());
  }
}
