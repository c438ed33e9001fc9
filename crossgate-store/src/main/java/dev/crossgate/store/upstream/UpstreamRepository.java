package dev.crossgate.store.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.change.Change;
import dev.crossgate.json.Json;
import dev.crossgate.json.JsonMergePatch;
import dev.crossgate.json.JsonProblems;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.Database;
import dev.crossgate.store.revert.EntityRestorer;
import dev.crossgate.store.sql.Sql;
import dev.crossgate.upstream.Upstream;
import dev.crossgate.upstream.UpstreamSpec;
import dev.crossgate.upstream.UpstreamValidator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Upstream pools in the database, written with their change-log entry in one transaction as routes
 * are. A pool that routes still name cannot be deleted (409 naming them); routes name only pools
 * that exist ({@link #checkExists}). Blocking: call from a worker thread.
 */
public final class UpstreamRepository {
  private static final String COLUMNS = "body, revision";

  private final Database database;
  private final ChangeLog changeLog;
  private final Clock clock;

  public UpstreamRepository(Database database, ChangeLog changeLog, Clock clock) {
    this.database = database;
    this.changeLog = changeLog;
    this.clock = clock;
  }

  public Upstream create(UpstreamSpec spec, String actor) {
    var now = clock.instant();
    var upstream = UpstreamValidator.validate(spec.id(), spec, actor, now, now);
    return changeLog.write(actor, tx -> create(tx, upstream));
  }

  /** Creates {@code upstream} (validated) inside an open change transaction; 409 when it exists. */
  public Upstream create(ChangeLog.ChangeTransaction tx, Upstream upstream) throws SQLException {
    if (find(tx.connection(), upstream.id()).isPresent()) {
      throw new ProblemException(
          Problem.conflict(
              "upstream "
                  + upstream.id()
                  + " exists already; PUT /admin/upstreams/"
                  + upstream.id()
                  + " replaces it"));
    }
    var stored = withRevision(upstream, tx.nextRevision());
    writeRow(tx.connection(), stored, false);
    tx.record(
        Change.Op.INSERT,
        Change.EntityType.UPSTREAM,
        stored.id(),
        null,
        stored,
        stored.updatedAt());
    return stored;
  }

  /**
   * Replaces the upstream {@code id} with {@code spec}.
   *
   * @param ifMatch the revision the caller last saw (from the ETag), or null to overwrite
   */
  public Upstream replace(String id, UpstreamSpec spec, String actor, Long ifMatch) {
    return changeLog.write(
        actor,
        tx -> {
          var existing = lockExisting(tx.connection(), id, ifMatch);
          var upstream =
              UpstreamValidator.validate(
                  id, spec, existing.createdBy(), existing.createdAt(), clock.instant());
          return replace(tx, existing, upstream);
        });
  }

  /**
   * Replaces {@code existing} with {@code replacement} (validated; it keeps the existing creator
   * and creation time) inside an open change transaction.
   */
  public Upstream replace(ChangeLog.ChangeTransaction tx, Upstream existing, Upstream replacement)
      throws SQLException {
    var stored =
        replacement.withServerFields(
            existing.createdBy(), existing.createdAt(), clock.instant(), tx.nextRevision());
    writeRow(tx.connection(), stored, true);
    tx.record(
        Change.Op.UPDATE,
        Change.EntityType.UPSTREAM,
        existing.id(),
        existing,
        stored,
        stored.updatedAt());
    return stored;
  }

  /** Applies an RFC 7396 JSON merge patch to the upstream {@code id}. */
  public Upstream patch(String id, JsonNode mergePatch, String actor, Long ifMatch) {
    var current = get(id).orElseThrow(() -> notFound(id));
    JsonNode merged = JsonMergePatch.apply(Json.mapper().valueToTree(current), mergePatch);
    UpstreamSpec spec;
    try {
      spec = Json.mapper().treeToValue(merged, UpstreamSpec.class);
    } catch (JsonProcessingException e) {
      throw new ProblemException(JsonProblems.of(e));
    }
    return replace(id, spec, actor, ifMatch == null ? current.revision() : ifMatch);
  }

  /** Deletes the upstream {@code id}; refused with 409 while routes name it. */
  public void delete(String id, String actor, Long ifMatch) {
    changeLog.write(
        actor,
        tx -> {
          delete(tx, lockExisting(tx.connection(), id, ifMatch));
          return null;
        });
  }

  /**
   * Deletes {@code existing} inside an open change transaction; refused with 409 while routes (as
   * the transaction sees them) name it.
   */
  public void delete(ChangeLog.ChangeTransaction tx, Upstream existing) throws SQLException {
    var id = existing.id();
    var users =
        Sql.query(
            tx.connection(),
            "SELECT id FROM routes WHERE upstream_id = ? ORDER BY id",
            row -> row.getString("id"),
            id);
    if (!users.isEmpty()) {
      throw new ProblemException(
          Problem.conflict(
                  "upstream "
                      + id
                      + " is used by "
                      + users.size()
                      + " route(s): "
                      + String.join(", ", users)
                      + "; point them elsewhere first")
              .with("routes", users));
    }
    Sql.update(tx.connection(), "DELETE FROM upstreams WHERE id = ?", id);
    tx.record(Change.Op.DELETE, Change.EntityType.UPSTREAM, id, existing, null, clock.instant());
  }

  /** Every upstream, by id, as the open transaction on {@code c} sees them. */
  public static List<Upstream> all(Connection c) throws SQLException {
    return Sql.query(
        c, "SELECT " + COLUMNS + " FROM upstreams ORDER BY id", UpstreamRepository::upstream);
  }

  private static void writeRow(Connection c, Upstream upstream, boolean exists)
      throws SQLException {
    var sql =
        exists
            ? "UPDATE upstreams SET body = ?, revision = ?, created_at = ?, updated_at = ? WHERE id = ?"
            : "INSERT INTO upstreams (body, revision, created_at, updated_at, id)"
                + " VALUES (?, ?, ?, ?, ?)";
    Sql.update(
        c,
        sql,
        Json.write(upstream),
        upstream.revision(),
        upstream.createdAt(),
        upstream.updatedAt(),
        upstream.id());
  }

  /**
   * How a revert puts upstream pools back. Pools are restored before routes and removed after them
   * (the reverter's order), so a route never names a pool that is not there.
   */
  public EntityRestorer<Upstream> restorer() {
    return EntityRestorer.of(
        Change.EntityType.UPSTREAM,
        Upstream.class,
        UpstreamRepository::find,
        (c, id) -> Sql.update(c, "DELETE FROM upstreams WHERE id = ?", id),
        UpstreamRepository::writeRow);
  }

  public Optional<Upstream> get(String id) {
    return database.read(c -> find(c, id));
  }

  /** Every upstream, by id. */
  public List<Upstream> all() {
    return database.read(UpstreamRepository::all);
  }

  /**
   * Refuses (400, field {@code field}) a route naming an upstream that does not exist, inside the
   * route's write transaction: a route must not point at nothing.
   */
  public static void checkExists(Connection c, String id, String field) throws SQLException {
    if (id != null && !Sql.exists(c, "SELECT 1 FROM upstreams WHERE id = ?", id)) {
      throw new ProblemException(
          Problem.validation(
              List.of(
                  new FieldError(
                      field,
                      "there is no upstream " + id + "; create it first (/admin/upstreams)"))));
    }
  }

  private Upstream lockExisting(Connection c, String id, Long ifMatch) throws SQLException {
    var existing = find(c, id).orElseThrow(() -> notFound(id));
    ChangeLog.checkIfMatch("upstream", id, ifMatch, existing.revision());
    return existing;
  }

  private static ProblemException notFound(String id) {
    return new ProblemException(Problem.notFound("no upstream with id " + id));
  }

  private static Optional<Upstream> find(Connection c, String id) throws SQLException {
    return Sql.queryOne(
        c, "SELECT " + COLUMNS + " FROM upstreams WHERE id = ?", UpstreamRepository::upstream, id);
  }

  private static Upstream upstream(ResultSet row) throws SQLException {
    return withRevision(Json.read(row.getString("body"), Upstream.class), row.getLong("revision"));
  }

  private static Upstream withRevision(Upstream u, long revision) {
    return u.withServerFields(u.createdBy(), u.createdAt(), u.updatedAt(), revision);
  }
}
