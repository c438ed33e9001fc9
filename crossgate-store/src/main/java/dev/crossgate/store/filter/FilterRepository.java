package dev.crossgate.store.filter;

import dev.crossgate.change.Change;
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
    return changeLog.write(
        actor,
        tx -> {
          var stored = withRevision(rule, tx.nextRevision());
          insertRow(tx.connection(), stored);
          tx.record(
              Change.Op.INSERT,
              Change.EntityType.FILTER,
              stored.id(),
              null,
              stored,
              stored.createdAt());
          return stored;
        });
  }

  public void delete(String id, String actor) {
    changeLog.write(
        actor,
        tx -> {
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
        });
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

  /** How a revert puts filter rules back (rules never change in place: a write is an insert). */
  public EntityRestorer<FilterRule> restorer() {
    return EntityRestorer.of(
        Change.EntityType.FILTER,
        FilterRule.class,
        (c, id) ->
            Sql.queryOne(
                c, "SELECT body, revision FROM filters WHERE id = ?", FilterRepository::rule, id),
        (c, id) -> Sql.update(c, "DELETE FROM filters WHERE id = ?", id),
        (c, rule, exists) -> insertRow(c, rule));
  }

  /** Every rule, in evaluation order (priority, then id). */
  public List<FilterRule> all() {
    return database.read(
        c ->
            Sql.query(
                c,
                "SELECT body, revision FROM filters ORDER BY priority, id",
                FilterRepository::rule));
  }

  private static FilterRule rule(ResultSet row) throws SQLException {
    return withRevision(
        Json.read(row.getString("body"), FilterRule.class), row.getLong("revision"));
  }

  private static FilterRule withRevision(FilterRule r, long revision) {
    return new FilterRule(
        r.id(),
        r.name(),
        r.priority(),
        r.kind(),
        r.value(),
        r.header(),
        r.status(),
        r.message(),
        r.enabled(),
        r.createdBy(),
        r.createdAt(),
        revision);
  }
}
