package dev.crossgate.store.task;

import dev.crossgate.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Async tasks in the database, shared by every gateway node. State changes are conditional
 * updates ({@code WHERE status IN (...)}), so two nodes racing to store a result for one task
 * cannot both win: the loser sees {@code false} and answers 409. Blocking: call from a worker.
 */
public final class TaskRepository {
  private static final String COLUMNS = "task_id, owner, route_id, execution, status, secret_hash, envelope,"
      + " request_method, request_uri, request_type, result_status, result_type, result_size, result_blob, error,"
      + " created_at, updated_at, finished_at, expires_at, client_task_id";
  private static final int MAX_ERROR = 1000;

  private final Database database;

  public TaskRepository(Database database) {
    this.database = database;
  }

  public void insert(TaskRecord t, byte[] requestBody) {
    database.inTransaction(c -> {
      try (var ps = c.prepareStatement("INSERT INTO tasks (" + COLUMNS + ", request_body)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, t.taskId());
        ps.setString(2, t.owner());
        ps.setString(3, t.routeId());
        ps.setString(4, t.execution());
        ps.setString(5, t.status().name());
        ps.setString(6, t.secretHash());
        ps.setString(7, t.envelope());
        ps.setString(8, t.requestMethod());
        ps.setString(9, t.requestUri());
        ps.setString(10, t.requestType());
        setInt(ps, 11, t.resultStatus());
        ps.setString(12, t.resultType());
        setLong(ps, 13, t.resultSize());
        ps.setString(14, t.resultBlob());
        ps.setString(15, trim(t.error()));
        ps.setTimestamp(16, Timestamp.from(t.createdAt()));
        ps.setTimestamp(17, Timestamp.from(t.updatedAt()));
        ps.setTimestamp(18, t.finishedAt() == null ? null : Timestamp.from(t.finishedAt()));
        ps.setTimestamp(19, Timestamp.from(t.expiresAt()));
        ps.setString(20, t.clientTaskId());
        ps.setBytes(21, requestBody);
        ps.executeUpdate();
      }
      return null;
    });
  }

  public Optional<TaskRecord> find(String taskId) {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM tasks WHERE task_id = ?")) {
        ps.setString(1, taskId);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
      }
    });
  }

  /** The task a client already created under its own id, if any. */
  public Optional<TaskRecord> findByClientTaskId(String owner, String clientTaskId) {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM tasks WHERE owner = ? AND client_task_id = ?")) {
        ps.setString(1, owner);
        ps.setString(2, clientTaskId);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
      }
    });
  }

  /** The request body the task was created with (null when it had none). */
  public byte[] requestBody(String taskId) {
    return bytes("SELECT request_body FROM tasks WHERE task_id = ?", taskId);
  }

  /** The inline result bytes (null when there are none, or when the result is in a blob). */
  public byte[] resultBody(String taskId) {
    return bytes("SELECT result_body FROM tasks WHERE task_id = ?", taskId);
  }

  /** PENDING → RUNNING once the upstream accepted the task; false when it is no longer pending. */
  public boolean markRunning(String taskId, Instant now) {
    return update("UPDATE tasks SET status = 'RUNNING', updated_at = ? WHERE task_id = ? AND status = 'PENDING'",
        now, taskId);
  }

  /**
   * Stores the result and finishes the task, only if it is not finished yet: false means another
   * result won (or the task is gone), and nothing was changed.
   */
  public boolean finish(String taskId, TaskResult result, Instant now) {
    return database.inTransaction(c -> {
      try (var ps = c.prepareStatement("UPDATE tasks SET status = ?, result_status = ?, result_type = ?,"
          + " result_size = ?, result_body = ?, result_blob = ?, error = ?, updated_at = ?, finished_at = ?"
          + " WHERE task_id = ? AND status IN ('PENDING', 'RUNNING')")) {
        ps.setString(1, result.status().name());
        ps.setInt(2, result.httpStatus());
        ps.setString(3, result.contentType());
        ps.setLong(4, result.size());
        ps.setBytes(5, result.inline());
        ps.setString(6, result.blob());
        ps.setString(7, trim(result.error()));
        ps.setTimestamp(8, Timestamp.from(now));
        ps.setTimestamp(9, Timestamp.from(now));
        ps.setString(10, taskId);
        return ps.executeUpdate() == 1;
      }
    });
  }

  /** Removes the task with its inline data; returns what was removed, so the caller can drop its blob. */
  public Optional<TaskRecord> delete(String taskId) {
    return database.inTransaction(c -> {
      TaskRecord found;
      try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM tasks WHERE task_id = ? FOR UPDATE")) {
        ps.setString(1, taskId);
        try (var rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.<TaskRecord>empty();
          }
          found = row(rs);
        }
      }
      try (var ps = c.prepareStatement("DELETE FROM tasks WHERE task_id = ?")) {
        ps.setString(1, taskId);
        ps.executeUpdate();
      }
      return Optional.of(found);
    });
  }

  /** Tasks whose TTL passed before {@code now}, oldest first, at most {@code limit}. */
  public List<TaskRecord> expired(Instant now, int limit) {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM tasks WHERE expires_at < ?"
          + " ORDER BY expires_at LIMIT ?")) {
        ps.setTimestamp(1, Timestamp.from(now));
        ps.setInt(2, limit);
        return rows(ps);
      }
    });
  }

  /** Newest first; {@code owner} and {@code status} filter when not null. */
  public List<TaskRecord> list(String owner, TaskStatus status, int limit, int offset) {
    return database.read(c -> {
      var sql = new StringBuilder("SELECT " + COLUMNS + " FROM tasks WHERE 1 = 1");
      if (owner != null) {
        sql.append(" AND owner = ?");
      }
      if (status != null) {
        sql.append(" AND status = ?");
      }
      sql.append(" ORDER BY created_at DESC, task_id LIMIT ? OFFSET ?");
      try (var ps = c.prepareStatement(sql.toString())) {
        int i = 1;
        if (owner != null) {
          ps.setString(i++, owner);
        }
        if (status != null) {
          ps.setString(i++, status.name());
        }
        ps.setInt(i++, limit);
        ps.setInt(i, offset);
        return rows(ps);
      }
    });
  }

  public long count() {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT COUNT(*) FROM tasks"); var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  private boolean update(String sql, Instant now, String taskId) {
    return database.inTransaction(c -> {
      try (var ps = c.prepareStatement(sql)) {
        ps.setTimestamp(1, Timestamp.from(now));
        ps.setString(2, taskId);
        return ps.executeUpdate() == 1;
      }
    });
  }

  private byte[] bytes(String sql, String taskId) {
    return database.read(c -> {
      try (var ps = c.prepareStatement(sql)) {
        ps.setString(1, taskId);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? rs.getBytes(1) : null;
        }
      }
    });
  }

  private static List<TaskRecord> rows(PreparedStatement ps) throws SQLException {
    try (var rs = ps.executeQuery()) {
      var out = new ArrayList<TaskRecord>();
      while (rs.next()) {
        out.add(row(rs));
      }
      return out;
    }
  }

  private static TaskRecord row(ResultSet rs) throws SQLException {
    int resultStatus = rs.getInt(11);
    Integer status = rs.wasNull() ? null : resultStatus;
    long resultSize = rs.getLong(13);
    Long size = rs.wasNull() ? null : resultSize;
    var finished = rs.getTimestamp(18);
    return new TaskRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
        TaskStatus.valueOf(rs.getString(5)), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
        rs.getString(10), status, rs.getString(12), size, rs.getString(14), rs.getString(15),
        rs.getTimestamp(16).toInstant(), rs.getTimestamp(17).toInstant(), finished == null ? null : finished.toInstant(),
        rs.getTimestamp(19).toInstant(), rs.getString(20));
  }

  private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setInt(i, v);
    }
  }

  private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, v);
    }
  }

  private static String trim(String s) {
    return s == null || s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR);
  }
}
