package dev.crossgate.store.tenant;

import dev.crossgate.change.Change;
import dev.crossgate.id.Ids;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.Database;
import dev.crossgate.store.revert.EntityRestorer;
import dev.crossgate.tenant.TenantCertificate;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Client certificates registered to tenants, logged as changes so that gateway nodes receive them
 * like API keys. A certificate (by subject or by public key) belongs to one tenant at most.
 * Blocking: call from a worker thread.
 */
public final class TenantCertificateRepository {
  private static final String COLUMNS = "id, tenant_id, kind, cert_value, created_at";

  private final Database database;
  private final ChangeLog changeLog;
  private final Clock clock;

  public TenantCertificateRepository(Database database, ChangeLog changeLog, Clock clock) {
    this.database = database;
    this.changeLog = changeLog;
    this.clock = clock;
  }

  /**
   * Registers a certificate subject or SPKI fingerprint for {@code tenantId}: 400 when the value is
   * not one, 404 without such a tenant, 409 when it is registered already (to any tenant).
   */
  public TenantCertificate register(String tenantId, String kind, String value, String actor) {
    if (kind == null || !isKind(kind)) {
      throw invalid("kind", "is SUBJECT or SPKI_SHA256");
    }
    TenantCertificate certificate;
    // createdAt in microseconds, as the column keeps it: the logged image and the row hash alike
    try {
      certificate =
          new TenantCertificate(
              Ids.random("cert_"),
              tenantId,
              TenantCertificate.Kind.valueOf(kind),
              value,
              clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    } catch (IllegalArgumentException e) {
      throw invalid("value", e.getMessage());
    }
    return changeLog.write(
        actor,
        tx -> {
          try (var ps = tx.connection().prepareStatement("SELECT 1 FROM tenants WHERE id = ?")) {
            ps.setString(1, tenantId);
            try (var rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw new ProblemException(Problem.notFound("no tenant with id " + tenantId));
              }
            }
          }
          try (var ps =
              tx.connection()
                  .prepareStatement(
                      "SELECT tenant_id FROM tenant_certificates WHERE match_key = ?")) {
            ps.setString(1, certificate.matchKey());
            try (var rs = ps.executeQuery()) {
              if (rs.next()) {
                throw new ProblemException(
                    Problem.conflict("this certificate is registered already"));
              }
            }
          }
          insert(tx.connection(), certificate);
          tx.record(
              Change.Op.INSERT,
              Change.EntityType.CLIENT_CERT,
              certificate.id(),
              null,
              certificate,
              certificate.createdAt());
          return certificate;
        });
  }

  /**
   * Removes a registration: nodes stop mapping the certificate to the tenant once they applied it.
   */
  public void remove(String tenantId, String certificateId, String actor) {
    changeLog.write(
        actor,
        tx -> {
          var existing =
              query(
                      tx.connection(),
                      "SELECT " + COLUMNS + " FROM tenant_certificates WHERE id = ?",
                      certificateId)
                  .stream()
                  .filter(c -> c.tenantId().equals(tenantId))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new ProblemException(
                              Problem.notFound(
                                  "tenant " + tenantId + " has no certificate " + certificateId)));
          try (var ps =
              tx.connection().prepareStatement("DELETE FROM tenant_certificates WHERE id = ?")) {
            ps.setString(1, certificateId);
            ps.executeUpdate();
          }
          return tx.record(
              Change.Op.DELETE,
              Change.EntityType.CLIENT_CERT,
              certificateId,
              existing,
              null,
              clock.instant());
        });
  }

  private static void insert(Connection c, TenantCertificate certificate) throws SQLException {
    try (var ps =
        c.prepareStatement(
            "INSERT INTO tenant_certificates ("
                + COLUMNS
                + ", match_key) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, certificate.id());
      ps.setString(2, certificate.tenantId());
      ps.setString(3, certificate.kind().name());
      ps.setString(4, certificate.value());
      ps.setTimestamp(5, Timestamp.from(certificate.createdAt()));
      ps.setString(6, certificate.matchKey());
      ps.executeUpdate();
    }
  }

  /**
   * How a revert puts registrations back: a subject or fingerprint is no secret, so any can be
   * restored. Registrations never change in place: a write is an insert.
   */
  public EntityRestorer<TenantCertificate> restorer() {
    return EntityRestorer.of(
        Change.EntityType.CLIENT_CERT,
        TenantCertificate.class,
        (c, id) ->
            query(c, "SELECT " + COLUMNS + " FROM tenant_certificates WHERE id = ?", id).stream()
                .findFirst(),
        (c, id) -> {
          try (var ps = c.prepareStatement("DELETE FROM tenant_certificates WHERE id = ?")) {
            ps.setString(1, id);
            ps.executeUpdate();
          }
        },
        (c, certificate, exists) -> insert(c, certificate));
  }

  public List<TenantCertificate> of(String tenantId) {
    return database.read(
        c ->
            query(
                c,
                "SELECT "
                    + COLUMNS
                    + " FROM tenant_certificates WHERE tenant_id = ?"
                    + " ORDER BY created_at, id",
                tenantId));
  }

  public List<TenantCertificate> all() {
    return database.read(c -> query(c, "SELECT " + COLUMNS + " FROM tenant_certificates", null));
  }

  private static ProblemException invalid(String field, String message) {
    return new ProblemException(Problem.validation(List.of(new FieldError(field, message))));
  }

  private static boolean isKind(String kind) {
    for (var k : TenantCertificate.Kind.values()) {
      if (k.name().equals(kind)) {
        return true;
      }
    }
    return false;
  }

  private static List<TenantCertificate> query(Connection c, String sql, String arg)
      throws SQLException {
    try (var ps = c.prepareStatement(sql)) {
      if (arg != null) {
        ps.setString(1, arg);
      }
      try (var rs = ps.executeQuery()) {
        var out = new ArrayList<TenantCertificate>();
        while (rs.next()) {
          out.add(
              new TenantCertificate(
                  rs.getString(1),
                  rs.getString(2),
                  TenantCertificate.Kind.valueOf(rs.getString(3)),
                  rs.getString(4),
                  rs.getTimestamp(5).toInstant()));
        }
        return out;
      }
    }
  }
}
