package dev.crossgate.store.tenant;

import dev.crossgate.change.Change;
import dev.crossgate.json.Json;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.Database;
import dev.crossgate.store.revert.EntityRestorer;
import dev.crossgate.store.sql.Sql;
import dev.crossgate.tenant.TokenIssuer;
import dev.crossgate.tenant.TokenIssuerSpec;
import dev.crossgate.tenant.TokenIssuerValidator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Token issuers tenants registered, written with their change-log entry in one transaction so that
 * gateway nodes receive them as they receive API keys. An issuer URL belongs to one tenant at most
 * (409 otherwise): a token must name exactly one tenant. Blocking: call from a worker thread.
 */
public final class TokenIssuerRepository {
  private static final String COLUMNS = "body, revision";

  /** Issuers one tenant may register: each is a key set every node may fetch and keep. */
  public static final int MAX_PER_TENANT = 16;

  private final Database database;
  private final ChangeLog changeLog;
  private final Clock clock;

  public TokenIssuerRepository(Database database, ChangeLog changeLog, Clock clock) {
    this.database = database;
    this.changeLog = changeLog;
    this.clock = clock;
  }

  /**
   * Creates or replaces the issuer {@code name} of {@code tenantId}: 400 naming every bad field,
   * 404 without such a tenant, 409 when another issuer (of any tenant) has the same issuer URL or
   * the tenant has {@link #MAX_PER_TENANT} already.
   *
   * @return the stored issuer and whether it was created
   */
  public Written put(String tenantId, String name, TokenIssuerSpec spec, String actor) {
    var now = clock.instant();
    var validated = TokenIssuerValidator.validate(tenantId, name, spec, actor, now, now);
    return changeLog.write(
        actor,
        tx -> {
          var c = tx.connection();
          if (!Sql.exists(c, "SELECT 1 FROM tenants WHERE id = ?", tenantId)) {
            throw new ProblemException(Problem.notFound("no tenant with id " + tenantId));
          }
          var owner =
              Sql.queryOne(
                  c,
                  "SELECT id FROM token_issuers WHERE issuer = ?",
                  row -> row.getString("id"),
                  validated.issuer());
          if (owner.isPresent() && !owner.get().equals(validated.id())) {
            throw new ProblemException(
                Problem.conflict(
                    "issuer "
                        + validated.issuer()
                        + " is registered already; a token must name one tenant"));
          }
          var existing = find(c, validated.id());
          if (existing.isEmpty()
              && Sql.queryLong(
                      c, "SELECT COUNT(*) FROM token_issuers WHERE tenant_id = ?", tenantId)
                  >= MAX_PER_TENANT) {
            throw new ProblemException(
                Problem.conflict(
                    "tenant "
                        + tenantId
                        + " has "
                        + MAX_PER_TENANT
                        + " token issuers, the most allowed; delete one first"));
          }
          var stored =
              existing
                  .map(
                      e ->
                          validated.withServerFields(
                              e.createdBy(), e.createdAt(), now, tx.nextRevision()))
                  .orElseGet(() -> validated.withServerFields(actor, now, now, tx.nextRevision()));
          writeRow(c, stored, existing.isPresent());
          tx.record(
              existing.isPresent() ? Change.Op.UPDATE : Change.Op.INSERT,
              Change.EntityType.ISSUER,
              stored.id(),
              existing.orElse(null),
              stored,
              now);
          return new Written(stored, existing.isEmpty());
        });
  }

  /** What {@link #put} stored, and whether it created the issuer (201) or replaced it (200). */
  public record Written(TokenIssuer issuer, boolean created) {}

  /** Removes the issuer: nodes stop accepting its tokens once they applied the change. */
  public void delete(String tenantId, String name, String actor) {
    var id = TokenIssuer.id(tenantId, name);
    changeLog.write(
        actor,
        tx -> {
          var existing =
              find(tx.connection(), id)
                  .orElseThrow(
                      () ->
                          new ProblemException(
                              Problem.notFound("tenant " + tenantId + " has no issuer " + name)));
          Sql.update(tx.connection(), "DELETE FROM token_issuers WHERE id = ?", id);
          return tx.record(
              Change.Op.DELETE, Change.EntityType.ISSUER, id, existing, null, clock.instant());
        });
  }

  public Optional<TokenIssuer> get(String tenantId, String name) {
    return database.read(c -> find(c, TokenIssuer.id(tenantId, name)));
  }

  public List<TokenIssuer> of(String tenantId) {
    return database.read(
        c ->
            Sql.query(
                c,
                "SELECT " + COLUMNS + " FROM token_issuers WHERE tenant_id = ? ORDER BY name",
                TokenIssuerRepository::issuer,
                tenantId));
  }

  public List<TokenIssuer> all() {
    return database.read(
        c ->
            Sql.query(
                c,
                "SELECT " + COLUMNS + " FROM token_issuers ORDER BY id",
                TokenIssuerRepository::issuer));
  }

  /**
   * How a revert puts issuers back: they hold public keys and URLs only, so any can be restored.
   * Written after tenants and removed before them (the reverter's order).
   */
  public EntityRestorer<TokenIssuer> restorer() {
    return EntityRestorer.of(
        Change.EntityType.ISSUER,
        TokenIssuer.class,
        TokenIssuerRepository::find,
        (c, id) -> Sql.update(c, "DELETE FROM token_issuers WHERE id = ?", id),
        TokenIssuerRepository::writeRow);
  }

  private static void writeRow(Connection c, TokenIssuer issuer, boolean exists)
      throws SQLException {
    var sql =
        exists
            ? "UPDATE token_issuers SET tenant_id = ?, name = ?, issuer = ?, body = ?, revision = ?,"
                + " created_at = ?, updated_at = ? WHERE id = ?"
            : "INSERT INTO token_issuers (tenant_id, name, issuer, body, revision, created_at,"
                + " updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    Sql.update(
        c,
        sql,
        issuer.tenantId(),
        issuer.name(),
        issuer.issuer(),
        Json.write(issuer),
        issuer.revision(),
        issuer.createdAt(),
        issuer.updatedAt(),
        issuer.id());
  }

  private static Optional<TokenIssuer> find(Connection c, String id) throws SQLException {
    return Sql.queryOne(
        c,
        "SELECT " + COLUMNS + " FROM token_issuers WHERE id = ?",
        TokenIssuerRepository::issuer,
        id);
  }

  private static TokenIssuer issuer(ResultSet row) throws SQLException {
    var i = Json.read(row.getString("body"), TokenIssuer.class);
    return i.withServerFields(i.createdBy(), i.createdAt(), i.updatedAt(), row.getLong("revision"));
  }
}
