package dev.crossgate.store.extension;

import dev.crossgate.change.Change;
import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ExtensionSpec;
import dev.crossgate.extension.ExtensionValidator;
import dev.crossgate.json.Json;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.Database;
import dev.crossgate.store.revert.EntityRestorer;
import dev.crossgate.store.sql.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tenants' extension registry. Every write is one change-log entry of type EXTENSION whose
 * entity id is {@code tenant/id} and whose body is the {@link Extension}, so nodes receive registry
 * changes the way they receive routes. Blocking: call from a worker thread.
 */
public final class ExtensionRepository {
  private final Database database;
  private final ChangeLog changeLog;
  private final Clock clock;

  public ExtensionRepository(Database database, ChangeLog changeLog, Clock clock) {
    this.database = database;
    this.changeLog = changeLog;
    this.clock = clock;
  }

  /**
   * Checks what cannot be checked from the spec alone (artifact content); throws a
   * ProblemException.
   */
  @FunctionalInterface
  public interface ArtifactVerifier {
    void verify(Extension extension);
  }

  /**
   * Registers or replaces extension {@code id} of {@code tenant}. The spec is validated against the
   * tenant's registry before {@code verifier} runs (it may fetch artifacts, so it runs outside the
   * transaction) and again inside the transaction, where writes are serialised, so two concurrent
   * writes cannot close a dependency cycle together.
   */
  public Extension put(
      String tenant, String id, ExtensionSpec spec, String actor, ArtifactVerifier verifier) {
    var now = clock.instant();
    var checked =
        ExtensionValidator.validate(
            tenant, id, spec, database.read(c -> registered(c, tenant, id)), now);
    verifier.verify(checked);
    return changeLog.write(actor, tx -> put(tx, tenant, id, spec));
  }

  /**
   * Registers or replaces extension {@code id} of {@code tenant} inside an open change transaction,
   * validated against the tenant's registry as it is in that transaction. The caller has run the
   * {@link ArtifactVerifier} on it first.
   */
  public Extension put(ChangeLog.ChangeTransaction tx, String tenant, String id, ExtensionSpec spec)
      throws SQLException {
    var now = clock.instant();
    var c = tx.connection();
    if (!tenantExists(c, tenant)) {
      throw new ProblemException(Problem.notFound("no tenant with id " + tenant));
    }
    var existing = find(c, tenant, id);
    var validated = ExtensionValidator.validate(tenant, id, spec, registered(c, tenant, id), now);
    var created = existing.map(Extension::createdAt).orElse(now);
    var extension =
        new Extension(
            tenant,
            id,
            validated.point(),
            validated.endpoint(),
            validated.protocol(),
            validated.connection(),
            validated.timeoutMs(),
            validated.failurePolicy(),
            validated.defaultResponse(),
            validated.versions(),
            validated.dependsOn(),
            validated.allowCallerVersion(),
            created,
            now,
            tx.nextRevision());
    writeRow(c, extension, existing.isPresent());
    tx.record(
        existing.isPresent() ? Change.Op.UPDATE : Change.Op.INSERT,
        Change.EntityType.EXTENSION,
        extension.key(),
        existing.orElse(null),
        extension,
        now);
    return extension;
  }

  /**
   * Names an uploaded module as the artifact of {@code version}: one change-log entry, like any
   * registry write, so nodes learn the digest and fetch the module from the control plane. 404 when
   * the extension or the version is not registered.
   */
  public Extension hostModule(
      String tenant, String id, String version, String sha256, String actor) {
    return changeLog.write(
        actor,
        tx -> {
          var existing =
              find(tx.connection(), tenant, id)
                  .orElseThrow(
                      () ->
                          new ProblemException(
                              Problem.notFound("tenant " + tenant + " has no extension " + id)));
          if (existing.version(version) == null) {
            throw new ProblemException(
                Problem.notFound(
                    "extension "
                        + id
                        + " has no version "
                        + version
                        + "; list it in the extension's versions first"));
          }
          var versions =
              existing.versions().stream()
                  .map(
                      v ->
                          v.version().equals(version)
                              ? new Extension.Version(
                                  v.version(), v.weight(), Extension.Artifact.hosted(sha256))
                              : v)
                  .toList();
          return put(tx, tenant, id, ExtensionSpec.of(existing, versions));
        });
  }

  /** Removes an extension; refused (409) while another extension of the tenant depends on it. */
  public void delete(String tenant, String id, String actor) {
    changeLog.write(
        actor,
        tx -> {
          delete(tx, tenant, id);
          return null;
        });
  }

  /** Removes an extension inside an open change transaction; 409 while another depends on it. */
  public void delete(ChangeLog.ChangeTransaction tx, String tenant, String id) throws SQLException {
    var c = tx.connection();
    var existing =
        find(c, tenant, id)
            .orElseThrow(
                () ->
                    new ProblemException(
                        Problem.notFound("tenant " + tenant + " has no extension " + id)));
    var dependents =
        registered(c, tenant, id).values().stream()
            .filter(e -> e.dependsOn().contains(id))
            .map(Extension::id)
            .sorted()
            .toList();
    if (!dependents.isEmpty()) {
      throw new ProblemException(
          Problem.conflict("extension " + id + " is a dependency of " + dependents)
              .with("dependents", dependents));
    }
    Sql.update(c, "DELETE FROM extensions WHERE tenant_id = ? AND id = ?", tenant, id);
    tx.record(
        Change.Op.DELETE,
        Change.EntityType.EXTENSION,
        Extension.key(tenant, id),
        existing,
        null,
        clock.instant());
  }

  private static void writeRow(Connection c, Extension extension, boolean exists)
      throws SQLException {
    var sql =
        exists
            ? "UPDATE extensions SET body = ?, revision = ?, created_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?"
            : "INSERT INTO extensions (body, revision, created_at, updated_at, tenant_id, id) VALUES (?, ?, ?, ?, ?, ?)";
    Sql.update(
        c,
        sql,
        Json.write(extension),
        extension.revision(),
        extension.createdAt(),
        extension.updatedAt(),
        extension.tenant(),
        extension.id());
  }

  /** How a revert puts registry entries back; entity ids are {@code tenant/id}. */
  public EntityRestorer<Extension> restorer() {
    return EntityRestorer.of(
        Change.EntityType.EXTENSION,
        Extension.class,
        (c, key) -> find(c, tenantOf(key), idOf(key)),
        (c, key) ->
            Sql.update(
                c,
                "DELETE FROM extensions WHERE tenant_id = ? AND id = ?",
                tenantOf(key),
                idOf(key)),
        ExtensionRepository::writeRow);
  }

  private static String tenantOf(String key) {
    return key.substring(0, key.indexOf('/'));
  }

  private static String idOf(String key) {
    return key.substring(key.indexOf('/') + 1);
  }

  public Optional<Extension> get(String tenant, String id) {
    return database.read(c -> find(c, tenant, id));
  }

  public List<Extension> ofTenant(String tenant) {
    return database.read(c -> ofTenant(c, tenant));
  }

  public List<Extension> all() {
    return database.read(ExtensionRepository::all);
  }

  /** Every extension by tenant and id, read on {@code c} (e.g. inside a change transaction). */
  public static List<Extension> all(Connection c) throws SQLException {
    return Sql.query(
        c, "SELECT body FROM extensions ORDER BY tenant_id, id", ExtensionRepository::extension);
  }

  /** The tenant's extensions by id, without {@code except}. */
  private static Map<String, Extension> registered(Connection c, String tenant, String except)
      throws SQLException {
    var out = new LinkedHashMap<String, Extension>();
    for (var e : ofTenant(c, tenant)) {
      if (!e.id().equals(except)) {
        out.put(e.id(), e);
      }
    }
    return out;
  }

  private static Optional<Extension> find(Connection c, String tenant, String id)
      throws SQLException {
    return Sql.queryOne(
        c,
        "SELECT body FROM extensions WHERE tenant_id = ? AND id = ?",
        ExtensionRepository::extension,
        tenant,
        id);
  }

  private static boolean tenantExists(Connection c, String tenant) throws SQLException {
    return Sql.exists(c, "SELECT 1 FROM tenants WHERE id = ?", tenant);
  }

  private static List<Extension> ofTenant(Connection c, String tenant) throws SQLException {
    return Sql.query(
        c,
        "SELECT body FROM extensions WHERE tenant_id = ? ORDER BY id",
        ExtensionRepository::extension,
        tenant);
  }

  private static Extension extension(ResultSet row) throws SQLException {
    return Json.read(row.getString("body"), Extension.class);
  }
}
