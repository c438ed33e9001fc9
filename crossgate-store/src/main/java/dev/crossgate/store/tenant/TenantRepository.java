package dev.crossgate.store.tenant;

import dev.crossgate.auth.Secrets;
import dev.crossgate.change.Change;
import dev.crossgate.id.Ids;
import dev.crossgate.json.Json;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.Database;
import dev.crossgate.tenant.ApiKey;
import dev.crossgate.tenant.Tenant;
import dev.crossgate.tenant.TenantSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Tenants and their API keys. A key is shown once at issue; only its SHA-256 is stored and
 * logged as a change (so gateway nodes can check keys without ever holding them).
 * Blocking: call from a worker thread.
 */
public final class TenantRepository {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private final Database database;
  private final ChangeLog changeLog;
  private final Clock clock;

  public TenantRepository(Database database, ChangeLog changeLog, Clock clock) {
    this.database = database;
    this.changeLog = changeLog;
    this.clock = clock;
  }

  /** An issued key: the plaintext, shown once, and what is stored. */
  public record IssuedKey(String key, ApiKey apiKey) {}

  public Tenant create(TenantSpec spec, String actor) {
    var errors = new ArrayList<FieldError>();
    if (spec.id() == null || !ID.matcher(spec.id()).matches()) {
      errors.add(new FieldError("id", "is required: 1-63 lowercase letters, digits or '-'"));
    }
    checkName(spec, errors);
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    var now = clock.instant();
    return changeLog.write(actor, tx -> {
      if (find(tx.connection(), spec.id()).isPresent()) {
        throw new ProblemException(Problem.conflict("tenant " + spec.id() + " exists already"));
      }
      var tenant = new Tenant(spec.id(), spec.name().trim(), !Boolean.FALSE.equals(spec.enabled()), now, now,
          tx.nextRevision());
      try (var ps = tx.connection().prepareStatement(
          "INSERT INTO tenants (id, body, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, tenant.id());
        ps.setString(2, Json.write(tenant));
        ps.setLong(3, tenant.revision());
        ps.setTimestamp(4, Timestamp.from(now));
        ps.setTimestamp(5, Timestamp.from(now));
        ps.executeUpdate();
      }
      tx.record(Change.Op.INSERT, Change.EntityType.TENANT, tenant.id(), tenant, now);
      return tenant;
    });
  }

  public Tenant update(String id, TenantSpec spec, String actor) {
    var errors = new ArrayList<FieldError>();
    if (spec.id() != null && !spec.id().equals(id)) {
      errors.add(new FieldError("id", "does not match the tenant addressed (" + id + ")"));
    }
    checkName(spec, errors);
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    return changeLog.write(actor, tx -> {
      var existing = find(tx.connection(), id)
          .orElseThrow(() -> new ProblemException(Problem.notFound("no tenant with id " + id)));
      var now = clock.instant();
      var tenant = new Tenant(id, spec.name().trim(), !Boolean.FALSE.equals(spec.enabled()), existing.createdAt(), now,
          tx.nextRevision());
      try (var ps = tx.connection().prepareStatement(
          "UPDATE tenants SET body = ?, revision = ?, updated_at = ? WHERE id = ?")) {
        ps.setString(1, Json.write(tenant));
        ps.setLong(2, tenant.revision());
        ps.setTimestamp(3, Timestamp.from(now));
        ps.setString(4, id);
        ps.executeUpdate();
      }
      tx.record(Change.Op.UPDATE, Change.EntityType.TENANT, id, tenant, now);
      return tenant;
    });
  }

  private static void checkName(TenantSpec spec, List<FieldError> errors) {
    if (spec.name() == null || spec.name().isBlank() || spec.name().length() > 200) {
      errors.add(new FieldError("name", "is required, at most 200 characters"));
    }
  }

  public Optional<Tenant> get(String id) {
    return database.read(c -> find(c, id));
  }

  public List<Tenant> all() {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT body, revision FROM tenants ORDER BY id");
          var rs = ps.executeQuery()) {
        var out = new ArrayList<Tenant>();
        while (rs.next()) {
          out.add(Json.read(rs.getString(1), Tenant.class));
        }
        return out;
      }
    });
  }

  /** Issues a new 256-bit key for {@code tenantId}, optionally bound to a participant. */
  public IssuedKey issueKey(String tenantId, String participant, String actor) {
    if (participant != null && (participant.isBlank() || participant.length() > 128)) {
      throw new ProblemException(Problem.validation(
          List.of(new FieldError("participant", "must be 1-128 characters when given"))));
    }
    var key = "cg_" + Ids.randomToken(32);
    var now = clock.instant();
    return changeLog.write(actor, tx -> {
      if (find(tx.connection(), tenantId).isEmpty()) {
        throw new ProblemException(Problem.notFound("no tenant with id " + tenantId));
      }
      var apiKey = new ApiKey(Ids.random("key_"), tenantId, participant, Secrets.sha256Hex(key), key.substring(0, 8),
          now);
      try (var ps = tx.connection().prepareStatement(
          "INSERT INTO api_keys (id, tenant_id, participant, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, apiKey.id());
        ps.setString(2, tenantId);
        ps.setString(3, participant);
        ps.setString(4, apiKey.keyHash());
        ps.setString(5, apiKey.prefix());
        ps.setTimestamp(6, Timestamp.from(now));
        ps.executeUpdate();
      }
      tx.record(Change.Op.INSERT, Change.EntityType.API_KEY, apiKey.id(), apiKey, now);
      return new IssuedKey(key, apiKey);
    });
  }

  /** Revokes a key: gateway nodes stop accepting it once they applied the change. */
  public void revokeKey(String tenantId, String keyId, String actor) {
    changeLog.write(actor, tx -> {
      try (var ps = tx.connection().prepareStatement("DELETE FROM api_keys WHERE id = ? AND tenant_id = ?")) {
        ps.setString(1, keyId);
        ps.setString(2, tenantId);
        if (ps.executeUpdate() == 0) {
          throw new ProblemException(Problem.notFound("tenant " + tenantId + " has no key " + keyId));
        }
      }
      return tx.record(Change.Op.DELETE, Change.EntityType.API_KEY, keyId, null, clock.instant());
    });
  }

  public List<ApiKey> keys(String tenantId) {
    return database.read(c -> queryKeys(c, "SELECT id, tenant_id, participant, key_hash, prefix, created_at"
        + " FROM api_keys WHERE tenant_id = ? ORDER BY created_at", tenantId));
  }

  public List<ApiKey> allKeys() {
    return database.read(c -> queryKeys(c, "SELECT id, tenant_id, participant, key_hash, prefix, created_at"
        + " FROM api_keys", null));
  }

  private static List<ApiKey> queryKeys(Connection c, String sql, String arg) throws SQLException {
    try (var ps = c.prepareStatement(sql)) {
      if (arg != null) {
        ps.setString(1, arg);
      }
      try (var rs = ps.executeQuery()) {
        var out = new ArrayList<ApiKey>();
        while (rs.next()) {
          out.add(new ApiKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              rs.getTimestamp(6).toInstant()));
        }
        return out;
      }
    }
  }

  private static Optional<Tenant> find(Connection c, String id) throws SQLException {
    try (var ps = c.prepareStatement("SELECT body FROM tenants WHERE id = ?")) {
      ps.setString(1, id);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(Json.read(rs.getString(1), Tenant.class)) : Optional.empty();
      }
    }
  }
}
