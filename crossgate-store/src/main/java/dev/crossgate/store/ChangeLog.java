package dev.crossgate.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.change.Change;
import dev.crossgate.json.Json;
import dev.crossgate.store.sql.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The change log (the seed's first modification log). Every configuration write runs in a {@link
 * ChangeTransaction}, which locks the single revision counter row first: revisions are therefore
 * gap-free (a rolled-back write rolls its revision back too) and appear in commit order, so a
 * reader that saw revision N will never later find a change below N.
 */
public final class ChangeLog {
  /** The PostgreSQL NOTIFY channel carrying each committed revision. */
  public static final String CHANNEL = "crossgate_changes";

  private static final String COUNTER = "SELECT counter_value FROM revision_counter WHERE id = 1";

  /** The columns {@link #change} reads, for every query that answers changes. */
  private static final String COLUMNS =
      "revision, op, entity_type, entity_id, before_body, body, actor, changed_at";

  private final Database database;
  private final java.util.List<Runnable> commitListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public ChangeLog(Database database) {
    this.database = database;
  }

  /**
   * Runs {@code listener} after every committed write that logged a change, on the writer's thread.
   */
  public void onCommit(Runnable listener) {
    commitListeners.add(listener);
  }

  /**
   * Runs {@code work} in one transaction holding the revision lock; see {@link ChangeTransaction}.
   */
  public <T> T write(String actor, ChangeWork<T> work) {
    var logged = new boolean[1];
    var result =
        database.inTransaction(
            c -> {
              Sql.update(
                  c, "UPDATE revision_counter SET counter_value = counter_value WHERE id = 1");
              long current = Sql.queryLong(c, COUNTER);
              var tx = new ChangeTransaction(c, actor, current);
              var outcome = work.run(tx);
              logged[0] = tx.revision > current;
              if (logged[0]) {
                // once per transaction, not per change: the row is locked since the first UPDATE
                Sql.update(
                    c, "UPDATE revision_counter SET counter_value = ? WHERE id = 1", tx.revision);
              }
              if (database.isPostgres() && logged[0]) {
                // delivered by PostgreSQL at commit, to every control-plane instance listening
                Sql.exists(c, "SELECT pg_notify('" + CHANNEL + "', ?)", Long.toString(tx.revision));
              }
              return outcome;
            });
    if (logged[0]) {
      commitListeners.forEach(Runnable::run);
    }
    return result;
  }

  /**
   * Removes changes older than the newest {@code keep} revisions. A node that has applied less than
   * {@link #oldestRetainedRevision()} - 1 can no longer get a delta and gets a snapshot.
   */
  public int prune(long keep) {
    return database.inTransaction(
        c -> {
          long latest = Sql.queryLong(c, COUNTER);
          return Sql.update(c, "DELETE FROM change_log WHERE revision <= ?", latest - keep);
        });
  }

  /** The oldest revision still in the log, or latest + 1 when the log is empty. */
  public long oldestRetainedRevision() {
    return database.read(
        c -> {
          var oldest = oldestRetainedRevision(c);
          return oldest == null ? latestRevision(c) + 1 : oldest;
        });
  }

  /** Changes with a revision above {@code revision}, oldest first, at most {@code limit}. */
  public List<Change> after(long revision, int limit) {
    return database.read(
        c ->
            Sql.query(
                c,
                "SELECT "
                    + COLUMNS
                    + " FROM change_log WHERE revision > ? ORDER BY revision LIMIT ?",
                ChangeLog::change,
                revision,
                limit));
  }

  /** Every retained change up to and including {@code revision}, oldest first. */
  public List<Change> upTo(long revision) {
    return database.read(
        c ->
            Sql.query(
                c,
                "SELECT " + COLUMNS + " FROM change_log WHERE revision <= ? ORDER BY revision",
                ChangeLog::change,
                revision));
  }

  /** The newest committed revision (0 for an empty log). */
  public long latestRevision() {
    return database.read(ChangeLog::latestRevision);
  }

  /** The newest revision as {@code c} sees it. */
  public static long latestRevision(Connection c) throws SQLException {
    return Sql.queryLong(c, COUNTER);
  }

  /** The oldest revision still in the log as {@code c} sees it, or null when the log is empty. */
  public static Long oldestRetainedRevision(Connection c) throws SQLException {
    return Sql.queryOne(
            c,
            "SELECT MIN(revision) AS oldest FROM change_log",
            row -> Sql.nullableLong(row, "oldest"))
        .orElse(null);
  }

  /**
   * For every entity changed after {@code revision}, its first change after it (whose before-image
   * is the entity at {@code revision}), in revision order. Memory grows with the entities touched,
   * not with the changes.
   */
  public static List<Change> firstChangesAfter(Connection c, long revision) throws SQLException {
    return Sql.query(
        c,
        "SELECT "
            + COLUMNS
            + " FROM change_log c JOIN (SELECT MIN(revision) AS first FROM change_log"
            + " WHERE revision > ? GROUP BY entity_type, entity_id) f ON c.revision = f.first"
            + " ORDER BY c.revision",
        ChangeLog::change,
        revision);
  }

  private static Change change(ResultSet row) throws SQLException {
    return new Change(
        row.getLong("revision"),
        Change.Op.valueOf(row.getString("op")),
        Change.EntityType.valueOf(row.getString("entity_type")),
        row.getString("entity_id"),
        parse(row.getString("before_body")),
        parse(row.getString("body")),
        row.getString("actor"),
        Sql.instant(row, "changed_at"));
  }

  private static JsonNode parse(String body) {
    if (body == null) {
      return null;
    }
    try {
      return Json.mapper().readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("change log body is not JSON", e);
    }
  }

  /**
   * Refuses a write whose If-Match revision ({@code ifMatch}, null for none) is not the entity's
   * {@code current} one: 412, someone else changed it since the caller read it.
   */
  public static void checkIfMatch(String entity, String id, Long ifMatch, long current) {
    if (ifMatch != null && ifMatch != current) {
      throw new dev.crossgate.problem.ProblemException(
          dev.crossgate.problem.Problem.preconditionFailed(
              entity
                  + " "
                  + id
                  + " was changed by someone else (now at revision "
                  + current
                  + ", you sent "
                  + ifMatch
                  + "); reload it and apply your change again"));
    }
  }

  /** Work inside a change transaction. */
  @FunctionalInterface
  public interface ChangeWork<T> {
    T run(ChangeTransaction tx) throws SQLException;
  }

  /**
   * An open configuration write. {@link #record} allocates the next revision and appends the change
   * row in the same transaction as the entity write.
   */
  public static final class ChangeTransaction {
    private final Connection connection;
    private final String actor;
    private long revision;

    ChangeTransaction(Connection connection, String actor, long revision) {
      this.connection = connection;
      this.actor = actor;
      this.revision = revision;
    }

    public Connection connection() {
      return connection;
    }

    public String actor() {
      return actor;
    }

    /** The revision the next {@link #record} call will return. */
    public long nextRevision() {
      return revision + 1;
    }

    /**
     * Logs a change at the next revision.
     *
     * @param before the entity as it was (null for an INSERT)
     * @param after the entity as it is now (null for a DELETE)
     */
    public long record(
        Change.Op op,
        Change.EntityType type,
        String entityId,
        Object before,
        Object after,
        Instant at)
        throws SQLException {
      if ((before == null) != (op == Change.Op.INSERT)
          || (after == null) != (op == Change.Op.DELETE)) {
        throw new IllegalArgumentException(
            op
                + " of "
                + type
                + " "
                + entityId
                + " needs a before-image unless it is an INSERT"
                + " and an after-image unless it is a DELETE");
      }
      revision++;
      Sql.update(
          connection,
          "INSERT INTO change_log (revision, op, entity_type, entity_id, before_body, body, actor,"
              + " changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          revision,
          op,
          type,
          entityId,
          before == null ? null : Json.write(before),
          after == null ? null : Json.write(after),
          actor,
          at);
      return revision;
    }
  }
}
