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
import dev.crossgate.store.revert.EntityRestorer;
import dev.crossgate.store.sql.Sql;
import dev.crossgate.tenant.ApiKey;
import dev.crossgate.tenant.Tenant;
import dev.crossgate.tenant.TenantSpec;
import dev.crossgate.tenant.TenantValidator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Tenants and their API keys. A key is shown once at issue; only its SHA-256 is stored and logged
 * as a change (so gateway nodes can check keys without ever holding them). Blocking: call from a
 * worker thread.
 */
public final class TenantRepository {
  private static final String KEY_COLUMNS =
      "id, tenant_id, participant, key_hash, prefix, created_at";

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
    var valid = TenantValidator.validate(spec.id(), spec);
    return changeLog.write(actor, tx -> create(tx, valid));
  }

  /**
   * Creates the tenant {@code spec} (validated by {@link TenantValidator}) inside an open change
   * transaction; 409 when it exists.
   */
  public Tenant create(ChangeLog.ChangeTransaction tx, TenantSpec spec) throws SQLException {
    if (find(tx.connection(), spec.id()).isPresent()) {
      throw new ProblemException(Problem.conflict("tenant " + spec.id() + " exists already"));
    }
    var now = clock.instant();
    var tenant = TenantValidator.tenant(spec, now, now, tx.nextRevision());
    writeTenant(tx.connection(), tenant, false);
    tx.record(Change.Op.INSERT, Change.EntityType.TENANT, tenant.id(), null, tenant, now);
    return tenant;
  }

  public Tenant update(String id, TenantSpec spec, String actor) {
    var valid = TenantValidator.validate(id, spec);
    return changeLog.write(actor, tx -> update(tx, valid));
  }

  /**
   * Replaces the tenant {@code spec.id()} (validated by {@link TenantValidator}) inside an open
   * change transaction; 404 when there is none.
   */
  public Tenant update(ChangeLog.ChangeTransaction tx, TenantSpec spec) throws SQLException {
    var id = spec.id();
    var existing =
        find(tx.connection(), id)
            .orElseThrow(() -> new ProblemException(Problem.notFound("no tenant with id " + id)));
    var now = clock.instant();
    var tenant = TenantValidator.tenant(spec, existing.createdAt(), now, tx.nextRevision());
    writeTenant(tx.connection(), tenant, true);
    tx.record(Change.Op.UPDATE, Change.EntityType.TENANT, id, existing, tenant, now);
    return tenant;
  }

  private static void writeTenant(Connection c, Tenant tenant, boolean exists) throws SQLException {
    var sql =
        exists
            ? "UPDATE tenants SET body = ?, revision = ?, created_at = ?, updated_at = ? WHERE id = ?"
            : "INSERT INTO tenants (body, revision, created_at, updated_at, id)"
                + " VALUES (?, ?, ?, ?, ?)";
    Sql.update(
        c,
        sql,
        Json.write(tenant),
        tenant.revision(),
        tenant.createdAt(),
        tenant.updatedAt(),
        tenant.id());
  }

  private static void insertKey(Connection c, ApiKey key) throws SQLException {
    Sql.update(
        c,
        "INSERT INTO api_keys (id, tenant_id, participant, key_hash, prefix, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?)",
        key.id(),
        key.tenantId(),
        key.participant(),
        key.keyHash(),
        key.prefix(),
        key.createdAt());
  }

  /**
   * How a revert puts tenants back. A tenant created since is removed (its keys, certificates and
   * extensions, created since too, are removed before it).
   */
  public EntityRestorer<Tenant> tenantRestorer() {
    return EntityRestorer.of(
        Change.EntityType.TENANT,
        Tenant.class,
        TenantRepository::find,
        (c, id) -> Sql.update(c, "DELETE FROM tenants WHERE id = ?", id),
        TenantRepository::writeTenant);
  }

  /**
   * How a revert puts API keys back: a key issued since is revoked; a key revoked since is refused.
   * Its holder still has it and its hash is logged, but revocation is final: a key revoked because
   * it leaked must not come back with an unrelated revert. Issue a new key instead. Keys never
   * change in place, so the only write a revert could make is that refused one.
   */
  public EntityRestorer<ApiKey> keyRestorer() {
    return EntityRestorer.of(
            Change.EntityType.API_KEY,
            ApiKey.class,
            (c, id) ->
                Sql.queryOne(
                    c,
                    "SELECT " + KEY_COLUMNS + " FROM api_keys WHERE id = ?",
                    TenantRepository::apiKey,
                    id),
            (c, id) -> Sql.update(c, "DELETE FROM api_keys WHERE id = ?", id),
            (c, key, exists) -> insertKey(c, key))
        .refusing(
            (current, target) ->
                current == null && target != null
                    ? "the API key was revoked since; revocation is final (issue a new key)"
                    : null);
  }

  public Optional<Tenant> get(String id) {
    return database.read(c -> find(c, id));
  }

  public List<Tenant> all() {
    return database.read(TenantRepository::all);
  }

  /** Every tenant by id, read on {@code c} (e.g. inside a change transaction). */
  public static List<Tenant> all(Connection c) throws SQLException {
    return Sql.query(c, "SELECT body, revision FROM tenants ORDER BY id", TenantRepository::tenant);
  }

  /** Issues a new 256-bit key for {@code tenantId}, optionally bound to a participant. */
  public IssuedKey issueKey(String tenantId, String participant, String actor) {
    if (participant != null && (participant.isBlank() || participant.length() > 128)) {
      throw new ProblemException(
          Problem.validation(
              List.of(new FieldError("participant", "must be 1-128 characters when given"))));
    }
    var key = "cg_" + Ids.randomToken(32);
    // a column keeps microseconds: logged with more, the key would hash differently when read back
    var now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    return changeLog.write(
        actor,
        tx -> {
          if (find(tx.connection(), tenantId).isEmpty()) {
            throw new ProblemException(Problem.notFound("no tenant with id " + tenantId));
          }
          var apiKey =
              new ApiKey(
                  Ids.random("key_"),
                  tenantId,
                  participant,
                  Secrets.sha256Hex(key),
                  key.substring(0, 8),
                  now);
          insertKey(tx.connection(), apiKey);
          tx.record(Change.Op.INSERT, Change.EntityType.API_KEY, apiKey.id(), null, apiKey, now);
          return new IssuedKey(key, apiKey);
        });
  }

  /** Revokes a key: gateway nodes stop accepting it once they applied the change. */
  public void revokeKey(String tenantId, String keyId, String actor) {
    changeLog.write(
        actor,
        tx -> {
          var existing =
              Sql.queryOne(
                      tx.connection(),
                      "SELECT " + KEY_COLUMNS + " FROM api_keys WHERE id = ? AND tenant_id = ?",
                      TenantRepository::apiKey,
                      keyId,
                      tenantId)
                  .orElseThrow(
                      () ->
                          new ProblemException(
                              Problem.notFound("tenant " + tenantId + " has no key " + keyId)));
          Sql.update(tx.connection(), "DELETE FROM api_keys WHERE id = ?", keyId);
          return tx.record(
              Change.Op.DELETE, Change.EntityType.API_KEY, keyId, existing, null, clock.instant());
        });
  }

  public List<ApiKey> keys(String tenantId) {
    return database.read(
        c ->
            Sql.query(
                c,
                "SELECT "
                    + KEY_COLUMNS
                    + " FROM api_keys WHERE tenant_id = ?"
                    + " ORDER BY created_at",
                TenantRepository::apiKey,
                tenantId));
  }

  public List<ApiKey> allKeys() {
    return database.read(
        c -> Sql.query(c, "SELECT " + KEY_COLUMNS + " FROM api_keys", TenantRepository::apiKey));
  }

  private static ApiKey apiKey(ResultSet row) throws SQLException {
    return new ApiKey(
        row.getString("id"),
        row.getString("tenant_id"),
        row.getString("participant"),
        row.getString("key_hash"),
        row.getString("prefix"),
        Sql.instant(row, "created_at"));
  }

  private static Optional<Tenant> find(Connection c, String id) throws SQLException {
    return Sql.queryOne(c, "SELECT body FROM tenants WHERE id = ?", TenantRepository::tenant, id);
  }

  private static Tenant tenant(ResultSet row) throws SQLException {
    return Json.read(row.getString("body"), Tenant.class);
  }
}
