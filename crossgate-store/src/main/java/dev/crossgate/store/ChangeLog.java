package dev.crossgate.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.change.Change;
import dev.crossgate.json.Json;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The change log (the seed's first modification log). Every configuration write runs in a
 * {@link ChangeTransaction}, which locks the single revision counter row first: revisions are
 * therefore gap-free (a rolled-back write rolls its revision back too) and appear in commit order,
 * so a reader that saw revision N will never later find a change below N.
 */
public final class ChangeLog {
  /** The PostgreSQL NOTIFY channel carrying each committed revision. */
  public static final String CHANNEL = "crossgate_changes";

  private final Database database;
  private final java.util.List<Runnable> commitListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  public ChangeLog(Database database) {
    this.database = database;
  }

  /** Runs {@code listener} after every committed write that logged a change, on the writer's thread. */
  public void onCommit(Runnable listener) {
    commitListeners.add(listener);
  }

  /** Runs {@code work} in one transaction holding the revision lock; see {@link ChangeTransaction}. */
  public <T> T write(String actor, ChangeWork<T> work) {
    var logged = new boolean[1];
    var result = database.inTransaction(c -> {
      try (var lock = c.prepareStatement("UPDATE revision_counter SET counter_value = counter_value WHERE id = 1")) {
        lock.executeUpdate();
      }
      long current;
      try (var read = c.prepareStatement("SELECT counter_value FROM revision_counter WHERE id = 1");
          var rs = read.executeQuery()) {
        rs.next();
        current = rs.getLong(1);
      }
      var tx = new ChangeTransaction(c, actor, current);
      var outcome = work.run(tx);
      if (database.isPostgres() && tx.revision > current) {
        // delivered by PostgreSQL at commit, to every control-plane instance listening
        try (var notify = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
          notify.setString(1, Long.toString(tx.revision));
          notify.execute();
        }
      }
      logged[0] = tx.revision > current;
      return outcome;
    });
    if (logged[0]) {
      commitListeners.forEach(Runnable::run);
    }
    return result;
  }

  /**
   * Removes changes older than the newest {@code keep} revisions. A node that has applied less
   * than {@link #oldestRetainedRevision()} - 1 can no longer get a delta and gets a snapshot.
   */
  public int prune(long keep) {
    return database.inTransaction(c -> {
      long latest;
      try (var ps = c.prepareStatement("SELECT counter_value FROM revision_counter WHERE id = 1");
          var rs = ps.executeQuery()) {
        rs.next();
        latest = rs.getLong(1);
      }
      try (var ps = c.prepareStatement("DELETE FROM change_log WHERE revision <= ?")) {
        ps.setLong(1, latest - keep);
        return ps.executeUpdate();
      }
    });
  }

  /** The oldest revision still in the log, or latest + 1 when the log is empty. */
  public long oldestRetainedRevision() {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT MIN(revision) FROM change_log"); var rs = ps.executeQuery()) {
        rs.next();
        long min = rs.getLong(1);
        return rs.wasNull() ? latestRevision() + 1 : min;
      }
    });
  }

  /** Changes with a revision above {@code revision}, oldest first, at most {@code limit}. */
  public List<Change> after(long revision, int limit) {
    return database.read(c -> {
      try (var ps = c.prepareStatement(
          "SELECT revision, op, entity_type, entity_id, body, actor, changed_at FROM change_log"
              + " WHERE revision > ? ORDER BY revision LIMIT ?")) {
        ps.setLong(1, revision);
        ps.setInt(2, limit);
        try (var rs = ps.executeQuery()) {
          var changes = new ArrayList<Change>();
          while (rs.next()) {
            var body = rs.getString(5);
            changes.add(new Change(rs.getLong(1), Change.Op.valueOf(rs.getString(2)),
                Change.EntityType.valueOf(rs.getString(3)), rs.getString(4), body == null ? null : parse(body),
                rs.getString(6), rs.getTimestamp(7).toInstant()));
          }
          return changes;
        }
      }
    });
  }

  /** The newest committed revision (0 for an empty log). */
  public long latestRevision() {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT counter_value FROM revision_counter WHERE id = 1");
          var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  private static JsonNode parse(String body) {
    try {
      return Json.mapper().readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("change log body is not JSON", e);
    }
  }

  /** Work inside a change transaction. */
  @FunctionalInterface
  public interface ChangeWork<T> {
    T run(ChangeTransaction tx) throws SQLException;
  }

  /**
   * An open configuration write. {@link #record} allocates the next revision and appends the
   * change row in the same transaction as the entity write.
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

    public long record(Change.Op op, Change.EntityType type, String entityId, Object body, Instant at)
        throws SQLException {
      revision++;
      try (var bump = connection.prepareStatement("UPDATE revision_counter SET counter_value = ? WHERE id = 1")) {
        bump.setLong(1, revision);
        bump.executeUpdate();
      }
      try (var ps = connection.prepareStatement(
          "INSERT INTO change_log (revision, op, entity_type, entity_id, body, actor, changed_at)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setLong(1, revision);
        ps.setString(2, op.name());
        ps.setString(3, type.name());
        ps.setString(4, entityId);
        ps.setString(5, body == null ? null : Json.write(body));
        ps.setString(6, actor);
        ps.setTimestamp(7, Timestamp.from(at));
        ps.executeUpdate();
      }
      return revision;
    }
  }
}
