package dev.crossgate.agent.task;

import dev.crossgate.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The agent's local task table. Blocking: call from a worker thread. */
final class AgentTaskRepository {
  private static final String COLUMNS = "task_id, state, envelope, request_method, request_uri, request_type,"
      + " callback_url, webhook_id, gateway_task_id, task_status, result_status, result_type, attempts, deliveries,"
      + " last_error, next_at, created_at, updated_at";
  private static final int MAX_ERROR = 1000;

  private final Database database;

  AgentTaskRepository(Database database) {
    this.database = database;
  }

  void insert(AgentTask t, byte[] body) {
    database.inTransaction(c -> {
      try (var ps = c.prepareStatement("INSERT INTO agent_tasks (" + COLUMNS + ", request_body)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, t.taskId());
        ps.setString(2, t.state().name());
        ps.setString(3, t.envelope());
        ps.setString(4, t.requestMethod());
        ps.setString(5, t.requestUri());
        ps.setString(6, t.requestType());
        ps.setString(7, t.callbackUrl());
        ps.setString(8, t.webhookId());
        ps.setString(9, t.gatewayTaskId());
        ps.setString(10, t.taskStatus());
        ps.setObject(11, t.resultStatus());
        ps.setString(12, t.resultType());
        ps.setInt(13, t.attempts());
        ps.setInt(14, t.deliveries());
        ps.setString(15, t.lastError());
        ps.setTimestamp(16, Timestamp.from(t.nextAt()));
        ps.setTimestamp(17, Timestamp.from(t.createdAt()));
        ps.setTimestamp(18, Timestamp.from(t.updatedAt()));
        ps.setBytes(19, body);
        ps.executeUpdate();
      }
      return null;
    });
  }

  Optional<AgentTask> find(String id) {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM agent_tasks WHERE task_id = ?")) {
        ps.setString(1, id);
        var rows = rows(ps);
        return rows.isEmpty() ? Optional.<AgentTask>empty() : Optional.of(rows.get(0));
      }
    });
  }

  /** Tasks with work to do (submit, poll, deliver, release) whose time has come, soonest first. */
  List<AgentTask> due(Instant now, int limit, Collection<String> busy) {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM agent_tasks"
          + " WHERE state IN ('NEW', 'SUBMITTED', 'FINISHED', 'RESULT', 'DELIVERED') AND next_at <= ? ORDER BY next_at LIMIT ?")) {
        ps.setTimestamp(1, Timestamp.from(now));
        ps.setInt(2, limit + busy.size());
        var out = new ArrayList<AgentTask>();
        for (var t : rows(ps)) {
          if (!busy.contains(t.taskId()) && out.size() < limit) {
            out.add(t);
          }
        }
        return out;
      }
    });
  }

  byte[] requestBody(String id) {
    return bytes("SELECT request_body FROM agent_tasks WHERE task_id = ?", id);
  }

  byte[] resultBody(String id) {
    return bytes("SELECT result_body FROM agent_tasks WHERE task_id = ?", id);
  }

  void submitted(String id, String gatewayTaskId, Instant nextAt, Instant now) {
    update("UPDATE agent_tasks SET state = 'SUBMITTED', gateway_task_id = ?, attempts = 0, last_error = NULL,"
        + " next_at = ?, updated_at = ? WHERE task_id = ?", gatewayTaskId, Timestamp.from(nextAt), Timestamp.from(now), id);
  }

  /** Schedules the next attempt of the task's stage {@code state} (its current one, or the next). */
  void later(String id, AgentTask.State state, int attempts, int deliveries, String error, Instant nextAt,
      Instant now) {
    update("UPDATE agent_tasks SET state = ?, attempts = ?, deliveries = ?, last_error = ?, next_at = ?,"
        + " updated_at = ? WHERE task_id = ?", state.name(), attempts, deliveries, trim(error), Timestamp.from(nextAt),
        Timestamp.from(now), id);
  }

  void result(String id, String taskStatus, int status, String type, byte[] body, Instant now) {
    update("UPDATE agent_tasks SET state = 'RESULT', task_status = ?, result_status = ?, result_type = ?,"
        + " result_body = ?, attempts = 0, last_error = NULL, next_at = ?, updated_at = ? WHERE task_id = ?",
        taskStatus, status, type, body, Timestamp.from(now), Timestamp.from(now), id);
  }

  /** The callback took the result; the gateway's copy is released next. */
  void delivered(String id, Instant now) {
    update("UPDATE agent_tasks SET state = 'DELIVERED', attempts = 0, last_error = NULL, next_at = ?, updated_at = ?"
        + " WHERE task_id = ?", Timestamp.from(now), Timestamp.from(now), id);
  }

  void state(String id, AgentTask.State state, String error, Instant now) {
    update("UPDATE agent_tasks SET state = ?, last_error = ?, updated_at = ? WHERE task_id = ?", state.name(),
        trim(error), Timestamp.from(now), id);
  }

  boolean delete(String id) {
    return database.inTransaction(c -> {
      try (var ps = c.prepareStatement("DELETE FROM agent_tasks WHERE task_id = ?")) {
        ps.setString(1, id);
        return ps.executeUpdate() == 1;
      }
    });
  }

  long unfinished() {
    return database.read(c -> {
      try (var ps = c.prepareStatement("SELECT COUNT(*) FROM agent_tasks WHERE state IN ('NEW', 'SUBMITTED', 'FINISHED', 'RESULT', 'DELIVERED')");
          var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  private void update(String sql, Object... args) {
    database.inTransaction(c -> {
      try (var ps = c.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          ps.setObject(i + 1, args[i]);
        }
        ps.executeUpdate();
      }
      return null;
    });
  }

  private byte[] bytes(String sql, String id) {
    return database.read(c -> {
      try (var ps = c.prepareStatement(sql)) {
        ps.setString(1, id);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? rs.getBytes(1) : null;
        }
      }
    });
  }

  private static List<AgentTask> rows(PreparedStatement ps) throws SQLException {
    try (var rs = ps.executeQuery()) {
      var out = new ArrayList<AgentTask>();
      while (rs.next()) {
        out.add(row(rs));
      }
      return out;
    }
  }

  private static AgentTask row(ResultSet rs) throws SQLException {
    int status = rs.getInt(11);
    Integer resultStatus = rs.wasNull() ? null : status;
    return new AgentTask(rs.getString(1), AgentTask.State.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4),
        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
        resultStatus, rs.getString(12), rs.getInt(13), rs.getInt(14), rs.getString(15),
        rs.getTimestamp(16).toInstant(), rs.getTimestamp(17).toInstant(), rs.getTimestamp(18).toInstant());
  }

  private static String trim(String s) {
    return s == null || s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR);
  }
}
