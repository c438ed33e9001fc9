package dev.crossgate.store.route;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.change.Change;
import dev.crossgate.id.Ids;
import dev.crossgate.json.Json;
import dev.crossgate.json.JsonBinder;
import dev.crossgate.json.JsonMergePatch;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.route.RouteValidator;
import dev.crossgate.route.StoredSecrets;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.Database;
import dev.crossgate.store.Page;
import dev.crossgate.store.PageCursor;
import dev.crossgate.store.revert.EntityRestorer;
import dev.crossgate.store.sql.Sql;
import dev.crossgate.store.upstream.UpstreamRepository;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Routes in the database. Writes validate, check uniqueness under the change-log lock, write the
 * row and its change-log entry in one transaction. Blocking: call from a worker thread.
 *
 * <p>Uniqueness: two routes conflict when they share host, source path, version and path match and
 * their methods overlap (an empty method list is every method); a source has at most one default
 * version.
 */
public final class RouteRepository {
  private static final String COLUMNS = "body, revision";

  private final Database database;
  private final ChangeLog changeLog;
  private final Clock clock;
  private final Consumer<Route> onChange;

  /**
   * @param onChange called after each committed write with the route as it was before or after the
   *     change (both for an update), e.g. to invalidate caches; must not throw
   */
  public RouteRepository(
      Database database, ChangeLog changeLog, Clock clock, Consumer<Route> onChange) {
    this.database = database;
    this.changeLog = changeLog;
    this.clock = clock;
    this.onChange = onChange;
  }

  public Route create(RouteSpec spec, String actor) {
    var now = clock.instant();
    var route = RouteValidator.validate(Ids.random("rt_"), spec, actor, now, now);
    var stored = changeLog.write(actor, tx -> insert(tx, route));
    onChange.accept(stored);
    return stored;
  }

  /** Creates all routes in one transaction (one revision each); all or nothing. */
  public List<Route> createAll(List<RouteSpec> specs, String actor) {
    var now = clock.instant();
    var routes = new ArrayList<Route>(specs.size());
    var errors = new ArrayList<dev.crossgate.problem.FieldError>();
    for (int i = 0; i < specs.size(); i++) {
      if (specs.get(i) == null) {
        errors.add(
            new dev.crossgate.problem.FieldError(
                "[" + i + "]", "must be a route object, not null"));
        continue;
      }
      try {
        routes.add(RouteValidator.validate(Ids.random("rt_"), specs.get(i), actor, now, now));
      } catch (ProblemException e) {
        for (var fe : e.problem().errors()) {
          errors.add(
              new dev.crossgate.problem.FieldError("[" + i + "]." + fe.field(), fe.message()));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    var stored =
        changeLog.write(
            actor,
            tx -> {
              var out = new ArrayList<Route>(routes.size());
              for (var r : routes) {
                out.add(insert(tx, r));
              }
              return out;
            });
    stored.forEach(onChange);
    return stored;
  }

  private Route insert(ChangeLog.ChangeTransaction tx, Route route) throws SQLException {
    checkConflicts(tx.connection(), route);
    checkReferences(tx.connection(), route);
    var stored = withRevision(route, tx.nextRevision());
    writeRow(tx.connection(), stored, false);
    tx.record(
        Change.Op.INSERT, Change.EntityType.ROUTE, stored.id(), null, stored, stored.updatedAt());
    return stored;
  }

  /**
   * Replaces the route {@code id} with {@code spec}.
   *
   * @param ifMatch the revision the caller last saw (from the ETag), or null to overwrite
   */
  public Route replace(String id, RouteSpec spec, String actor, Long ifMatch) {
    var result =
        changeLog.write(
            actor,
            tx -> {
              var existing = lockExisting(tx.connection(), id, ifMatch);
              var route =
                  RouteValidator.validate(
                      id,
                      StoredSecrets.keepStored(spec, existing),
                      existing.createdBy(),
                      existing.createdAt(),
                      clock.instant());
              return new Route[] {existing, update(tx, existing, route)};
            });
    onChange.accept(result[0]);
    onChange.accept(result[1]);
    return result[1];
  }

  /**
   * Creates {@code route} (validated; its id, creator and times are set here) inside an open change
   * transaction. Call {@link #committed} with the result once the transaction committed.
   */
  public Route create(ChangeLog.ChangeTransaction tx, Route route) throws SQLException {
    var now = clock.instant();
    return insert(
        tx, route.withServerFields(Ids.random("rt_"), tx.actor(), now, now, route.revision()));
  }

  /**
   * Replaces {@code existing} with {@code replacement} (validated; it keeps the existing id,
   * creator and creation time) inside an open change transaction. Call {@link #committed} with both
   * once the transaction committed.
   */
  public Route replace(ChangeLog.ChangeTransaction tx, Route existing, Route replacement)
      throws SQLException {
    return update(
        tx,
        existing,
        replacement.withServerFields(
            existing.id(), existing.createdBy(), existing.createdAt(), clock.instant(), 0));
  }

  /** Deletes {@code existing} inside an open change transaction; then call {@link #committed}. */
  public void delete(ChangeLog.ChangeTransaction tx, Route existing) throws SQLException {
    Sql.update(tx.connection(), "DELETE FROM routes WHERE id = ?", existing.id());
    tx.record(
        Change.Op.DELETE, Change.EntityType.ROUTE, existing.id(), existing, null, clock.instant());
  }

  /** Tells the listeners (route caches) about routes a committed change transaction wrote. */
  public void committed(List<Route> written) {
    written.forEach(onChange);
  }

  private Route update(ChangeLog.ChangeTransaction tx, Route existing, Route route)
      throws SQLException {
    checkConflicts(tx.connection(), route);
    checkReferences(tx.connection(), route);
    var stored = withRevision(route, tx.nextRevision());
    writeRow(tx.connection(), stored, true);
    tx.record(
        Change.Op.UPDATE,
        Change.EntityType.ROUTE,
        stored.id(),
        existing,
        stored,
        stored.updatedAt());
    return stored;
  }

  /** Applies an RFC 7396 JSON merge patch to the route {@code id}. */
  public Route patch(String id, JsonNode mergePatch, String actor, Long ifMatch) {
    var current = get(id).orElseThrow(() -> notFound(id));
    JsonNode merged = JsonMergePatch.apply(Json.mapper().valueToTree(current), mergePatch);
    var spec = JsonBinder.bind(merged, RouteSpec.class).orThrow(RouteValidator::check);
    return replace(id, spec, actor, ifMatch == null ? current.revision() : ifMatch);
  }

  public void delete(String id, String actor, Long ifMatch) {
    var deleted =
        changeLog.write(
            actor,
            tx -> {
              var existing = lockExisting(tx.connection(), id, ifMatch);
              Sql.update(tx.connection(), "DELETE FROM routes WHERE id = ?", id);
              tx.record(
                  Change.Op.DELETE, Change.EntityType.ROUTE, id, existing, null, clock.instant());
              return existing;
            });
    onChange.accept(deleted);
  }

  /** The row of {@code route}: updated when {@code exists}, inserted otherwise. */
  private static void writeRow(Connection c, Route route, boolean exists) throws SQLException {
    var sql =
        exists
            ? "UPDATE routes SET service = ?, host_key = ?, source_path = ?, version = ?,"
                + " default_version = ?, enabled = ?, body = ?, revision = ?, created_at = ?,"
                + " updated_at = ?, upstream_id = ? WHERE id = ?"
            : "INSERT INTO routes (service, host_key, source_path, version, default_version,"
                + " enabled, body, revision, created_at, updated_at, upstream_id, id)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    Sql.update(
        c,
        sql,
        route.service(),
        route.hostKey(),
        route.sourcePath(),
        storedVersion(route),
        route.defaultVersion(),
        route.enabled(),
        Json.write(route),
        route.revision(),
        route.createdAt(),
        route.updatedAt(),
        route.upstream(),
        route.id());
  }

  /** How a revert puts routes back; the route cache hears of every route it changed. */
  public EntityRestorer<Route> restorer() {
    return EntityRestorer.of(
            Change.EntityType.ROUTE,
            Route.class,
            RouteRepository::find,
            (c, id) -> Sql.update(c, "DELETE FROM routes WHERE id = ?", id),
            RouteRepository::writeRow)
        .notifying(onChange);
  }

  public Optional<Route> get(String id) {
    return database.read(c -> find(c, id));
  }

  public Page<Route> list(RouteQuery query) {
    return database.read(
        c -> {
          var statement =
              Sql.statement("SELECT " + COLUMNS + " FROM routes WHERE 1 = 1")
                  .andEqual("service", query.service())
                  .andEqual("source_path", query.sourcePath())
                  .andEqual("version", query.version());
          if (query.search() != null) {
            var pattern = "%" + likeEscaped(query.search().toLowerCase(Locale.ROOT)) + "%";
            statement.append(
                " AND (LOWER(service) LIKE ? ESCAPE '!' OR LOWER(source_path) LIKE ? ESCAPE '!'"
                    + " OR LOWER(host_key) LIKE ? ESCAPE '!')",
                pattern,
                pattern,
                pattern);
          }
          var after = query.after();
          boolean byService = query.order() == RouteQuery.Order.SERVICE;
          if (after != null && byService) {
            // keyset paging on (service, source_path, id), written out for H2 and PostgreSQL alike
            statement.append(
                " AND (service > ? OR (service = ? AND (source_path > ?"
                    + " OR (source_path = ? AND id > ?))))",
                after.get(0),
                after.get(0),
                after.get(1),
                after.get(1),
                after.get(2));
          } else if (after != null) {
            statement.append(" AND id > ?", after.get(0));
          }
          statement.append(
              byService ? " ORDER BY service, source_path, id LIMIT ?" : " ORDER BY id LIMIT ?",
              query.limit() + 1);
          return Page.of(
              statement.query(c, RouteRepository::route),
              query.limit(),
              last ->
                  byService
                      ? PageCursor.encode(
                          RouteQuery.Order.SERVICE.cursorKind,
                          last.service(),
                          last.sourcePath(),
                          last.id())
                      : PageCursor.encode(RouteQuery.Order.ID.cursorKind, last.id()));
        });
  }

  /** {@code text} as a literal inside a LIKE pattern with {@code ESCAPE '!'}. */
  private static String likeEscaped(String text) {
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }

  /**
   * Enabled routes at exactly this host key and source path: the question {@code RouteSource} asks.
   */
  public List<Route> enabledAt(String hostKey, String sourcePath) {
    return database.read(
        c ->
            Sql.query(
                c,
                "SELECT "
                    + COLUMNS
                    + " FROM routes WHERE host_key = ? AND source_path = ? AND enabled = TRUE",
                RouteRepository::route,
                hostKey,
                sourcePath));
  }

  /** Every route, for building a snapshot. */
  public List<Route> all() {
    return database.read(RouteRepository::all);
  }

  /** Every route, read on {@code c} (e.g. inside a change transaction). */
  public static List<Route> all(Connection c) throws SQLException {
    return Sql.query(c, "SELECT " + COLUMNS + " FROM routes", RouteRepository::route);
  }

  private Route lockExisting(Connection c, String id, Long ifMatch) throws SQLException {
    var existing = find(c, id).orElseThrow(() -> notFound(id));
    ChangeLog.checkIfMatch("route", id, ifMatch, existing.revision());
    return existing;
  }

  private static ProblemException notFound(String id) {
    return new ProblemException(Problem.notFound("no route with id " + id));
  }

  /**
   * Refuses an upstream that does not exist, and a flow step naming a tenant's extension that is
   * not registered: a route must not depend on an id that another tenant could register later.
   * Steps without a tenant are resolved per caller at request time (the validator allows them on
   * KEY routes only).
   */
  private static void checkReferences(Connection c, Route route) throws SQLException {
    UpstreamRepository.checkExists(c, route.upstream(), "upstream");
    var errors = new ArrayList<dev.crossgate.problem.FieldError>();
    for (int i = 0; i < route.flow().size(); i++) {
      var ref = RouteValidator.extensionRef(route.flow().get(i));
      if (ref == null || ref.tenant() == null) {
        continue;
      }
      if (!Sql.exists(
          c, "SELECT 1 FROM extensions WHERE tenant_id = ? AND id = ?", ref.tenant(), ref.id())) {
        errors.add(
            new dev.crossgate.problem.FieldError(
                "flow[" + i + "]",
                "tenant "
                    + ref.tenant()
                    + " has no extension "
                    + ref.id()
                    + "; register it first"));
      }
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
  }

  private void checkConflicts(Connection c, Route route) throws SQLException {
    var neighbours =
        Sql.query(
            c,
            "SELECT " + COLUMNS + " FROM routes WHERE host_key = ? AND source_path = ?",
            RouteRepository::route,
            route.hostKey(),
            route.sourcePath());
    for (var other : neighbours) {
      if (other.id().equals(route.id())) {
        continue;
      }
      if (route.defaultVersion() && other.defaultVersion()) {
        throw conflict(
            other,
            "route "
                + other.id()
                + " (version "
                + other.version()
                + ") is already the default version of "
                + describeSource(route));
      }
      boolean sameVersion = java.util.Objects.equals(route.version(), other.version());
      if (sameVersion && route.pathMatch() == other.pathMatch() && methodsOverlap(route, other)) {
        throw conflict(
            other,
            "route "
                + other.id()
                + " already serves "
                + describeSource(route)
                + (route.version() == null ? "" : " version " + route.version())
                + " for methods "
                + overlap(route, other));
      }
    }
  }

  private static ProblemException conflict(Route other, String detail) {
    return new ProblemException(Problem.conflict(detail).with("conflictingRoute", other.id()));
  }

  private static String describeSource(Route r) {
    return (r.sourceHost() == null ? "" : r.sourceHost()) + r.sourcePath();
  }

  private static boolean methodsOverlap(Route a, Route b) {
    return a.methods().isEmpty()
        || b.methods().isEmpty()
        || a.methods().stream().anyMatch(b.methods()::contains);
  }

  private static Set<String> overlap(Route a, Route b) {
    if (a.methods().isEmpty()) {
      return b.methods().isEmpty() ? Set.of("*") : new TreeSet<>(b.methods());
    }
    var both = new TreeSet<>(a.methods());
    if (!b.methods().isEmpty()) {
      both.retainAll(b.methods());
    }
    return both;
  }

  private static Optional<Route> find(Connection c, String id) throws SQLException {
    return Sql.queryOne(
        c, "SELECT " + COLUMNS + " FROM routes WHERE id = ?", RouteRepository::route, id);
  }

  /** The version column is NOT NULL: an unversioned route stores "". */
  private static String storedVersion(Route r) {
    return r.version() == null ? "" : r.version();
  }

  private static Route route(ResultSet row) throws SQLException {
    return withRevision(Json.read(row.getString("body"), Route.class), row.getLong("revision"));
  }

  private static Route withRevision(Route r, long revision) {
    return r.withServerFields(r.id(), r.createdBy(), r.createdAt(), r.updatedAt(), revision);
  }
}
