package dev.crossgate.store.filter;

import dev.crossgate.change.Change;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.filter.FilterRule;
import dev.crossgate.filter.FilterSpec;
import dev.crossgate.filter.FilterValidator;
import dev.crossgate.id.Ids;
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
import java.time.Instant;
import java.util.List;

/** The filter table in the database, in evaluation order. Blocking: call from a worker thread. */
public final class FilterRepository {
  private final Database database;
  private final ChangeLog changeLog;
  private final Clock clock;

  public FilterRepository(Database database, ChangeLog changeLog, Clock clock) {
    this.database = database;
    this.changeLog = changeLog;
    this.clock = clock;
  }

  public FilterRule create(FilterSpec spec, String actor) {
    var rule = FilterValidator.validate(Ids.random("fl_"), spec, actor, clock.instant());
    return changeLog.write(actor, tx -> insert(tx, rule));
  }

  /** Creates {@code rule} (validated; its id is set here) inside an open change transaction. */
  public FilterRule create(ChangeLog.ChangeTransaction tx, FilterRule rule) throws SQLException {
    return insert(tx, withId(rule, Ids.random("fl_"), tx.actor(), clock.instant()));
  }

  /**
   * Replaces {@code existing} with {@code replacement} (validated; it keeps the existing id and
   * creation) inside an open change transaction.
   */
  public FilterRule replace(
      ChangeLog.ChangeTransaction tx, FilterRule existing, FilterRule replacement)
      throws SQLException {
    var stored =
        withRevision(
            withId(replacement, existing.id(), existing.createdBy(), existing.createdAt()),
            tx.nextRevision());
    updateRow(tx.connection(), stored);
    tx.record(
        Change.Op.UPDATE, Change.EntityType.FILTER, stored.id(), existing, stored, clock.instant());
    return stored;
  }

  public void delete(String id, String actor) {
    changeLog.write(actor, tx -> delete(tx, id));
  }

  /** Deletes the rule {@code id} inside an open change transaction; 404 when there is none. */
  public long delete(ChangeLog.ChangeTransaction tx, String id) throws SQLException {
    var existing =
        Sql.queryOne(
                tx.connection(),
                "SELECT body, revision FROM filters WHERE id = ?",
                FilterRepository::rule,
                id)
            .orElseThrow(
                () -> new ProblemException(Problem.notFound("no filter rule with id " + id)));
    Sql.update(tx.connection(), "DELETE FROM filters WHERE id = ?", id);
    return tx.record(
        Change.Op.DELETE, Change.EntityType.FILTER, id, existing, null, clock.instant());
  }

  private static FilterRule insert(ChangeLog.ChangeTransaction tx, FilterRule rule)
      throws SQLException {
    var stored = withRevision(rule, tx.nextRevision());
    insertRow(tx.connection(), stored);
    tx.record(
        Change.Op.INSERT, Change.EntityType.FILTER, stored.id(), null, stored, stored.createdAt());
    return stored;
  }

  private static void insertRow(Connection c, FilterRule rule) throws SQLException {
    Sql.update(
        c,
        "INSERT INTO filters (id, priority, body, revision, created_at) VALUES (?, ?, ?, ?, ?)",
        rule.id(),
        rule.priority(),
        Json.write(rule),
        rule.revision(),
        rule.createdAt());
  }

  private static void updateRow(Connection c, FilterRule rule) throws SQLException {
    Sql.update(
        c,
        "UPDATE filters SET priority = ?, body = ?, revision = ? WHERE id = ?",
        rule.priority(),
        Json.write(rule),
        rule.revision(),
        rule.id());
  }

  /** How a revert puts filter rules back (a configuration file's apply may update one in place). */
  public EntityRestorer<FilterRule> restorer() {
    return EntityRestorer.of(
        Change.EntityType.FILTER,
        FilterRule.class,
        (c, id) ->
            Sql.queryOne(
                c, "SELECT body, revision FROM filters WHERE id = ?", FilterRepository::rule, id),
        (c, id) -> Sql.update(c, "DELETE FROM filters WHERE id = ?", id),
        (c, rule, exists) -> {
          if (exists) {
            updateRow(c, rule);
          } else {
            insertRow(c, rule);
          }
        });
  }

  /** Every rule, in evaluation order ({@link GatewayConfig#EVALUATION_ORDER}). */
  public List<FilterRule> all() {
    return database.read(FilterRepository::all);
  }

  /** Every rule in evaluation order, read on {@code c} (e.g. inside a change transaction). */
  public static List<FilterRule> all(Connection c) throws SQLException {
    return Sql.query(c, "SELECT body, revision FROM filters", FilterRepository::rule).stream()
        .sorted(GatewayConfig.EVALUATION_ORDER)
        .toList();
  }

  private static FilterRule rule(ResultSet row) throws SQLException {
    return withRevision(
        Json.read(row.getString("body"), FilterRule.class), row.getLong("revision"));
  }

  private static FilterRule withId(FilterRule r, String id, String actor, Instant created) {
    return withServerFields(r, id, actor, created, r.revision());
  }

  private static FilterRule withRevision(FilterRule r, long revision) {
    return withServerFields(r, r.id(), r.createdBy(), r.createdAt(), revision);
  }

  private static FilterRule withServerFields(
      FilterRule r, String id, String actor, Instant created, long revision) {
    return new FilterRule(
        id,
        r.name(),
        r.priority(),
        r.kind(),
        r.value(),
        r.header(),
        r.status(),
        r.message(),
        r.enabled(),
        actor,
        created,
        revision,
        r.scope(),
        r.target());
  }
}
