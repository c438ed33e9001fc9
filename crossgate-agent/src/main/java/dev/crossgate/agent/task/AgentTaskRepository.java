package dev.crossgate.agent.task;

import dev.crossgate.store.Database;
import dev.crossgate.store.sql.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The agent's local task table. Blocking: call from a worker thread. */
final class AgentTaskRepository {
  private static final String COLUMNS =
      "task_id, state, envelope, request_method, request_uri, request_host, request_type,"
          + " callback_url, webhook_id, gateway_task_id, task_status, result_status, result_type, attempts, deliveries,"
          + " last_error, next_at, created_at, updated_at";
  private static final int MAX_ERROR = 1000;

  private final Database database;

  AgentTaskRepository(Database database) {
    this.database = database;
  }

  void insert(AgentTask t, byte[] body) {
    database.inTransaction(
        c ->
            Sql.update(
                c,
                "INSERT INTO agent_tasks ("
                    + COLUMNS
                    + ", request_body)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                t.taskId(),
                t.state(),
                t.envelope(),
                t.requestMethod(),
                t.requestUri(),
                t.requestHost(),
                t.requestType(),
                t.callbackUrl(),
                t.webhookId(),
                t.gatewayTaskId(),
                t.taskStatus(),
                t.resultStatus(),
                t.resultType(),
                t.attempts(),
                t.deliveries(),
                t.lastError(),
                t.nextAt(),
                t.createdAt(),
                t.updatedAt(),
                body));
  }

  Optional<AgentTask> find(String id) {
    return database.read(
        c ->
            Sql.queryOne(
                c,
                "SELECT " + COLUMNS + " FROM agent_tasks WHERE task_id = ?",
                AgentTaskRepository::task,
                id));
  }

  /** Tasks with work to do (submit, poll, deliver, release) whose time has come, soonest first. */
  List<AgentTask> due(Instant now, int limit, Collection<String> busy) {
    var candidates =
        database.read(
            c ->
                Sql.query(
                    c,
                    "SELECT "
                        + COLUMNS
                        + " FROM agent_tasks"
                        + " WHERE state IN ('NEW', 'SUBMITTED', 'FINISHED', 'RESULT', 'DELIVERED') AND next_at <= ? ORDER BY next_at"
                        + " LIMIT ?",
                    AgentTaskRepository::task,
                    now,
                    limit + busy.size()));
    return candidates.stream().filter(t -> !busy.contains(t.taskId())).limit(limit).toList();
  }

  byte[] requestBody(String id) {
    return database.read(
        c ->
            Sql.queryOne(
                    c,
                    "SELECT request_body FROM agent_tasks WHERE task_id = ?",
                    row -> row.getBytes("request_body"),
                    id)
                .orElse(null));
  }

  byte[] resultBody(String id) {
    return database.read(
        c ->
            Sql.queryOne(
                    c,
                    "SELECT result_body FROM agent_tasks WHERE task_id = ?",
                    row -> row.getBytes("result_body"),
                    id)
                .orElse(null));
  }

  void submitted(String id, String gatewayTaskId, Instant nextAt, Instant now) {
    update(
        "UPDATE agent_tasks SET state = 'SUBMITTED', gateway_task_id = ?, attempts = 0, last_error = NULL,"
            + " next_at = ?, updated_at = ? WHERE task_id = ?",
        gatewayTaskId,
        nextAt,
        now,
        id);
  }

  /**
   * Schedules the next attempt of the task's stage {@code state} (its current one, or the next).
   */
  void later(
      String id,
      AgentTask.State state,
      int attempts,
      int deliveries,
      String error,
      Instant nextAt,
      Instant now) {
    update(
        "UPDATE agent_tasks SET state = ?, attempts = ?, deliveries = ?, last_error = ?, next_at = ?,"
            + " updated_at = ? WHERE task_id = ?",
        state,
        attempts,
        deliveries,
        trim(error),
        nextAt,
        now,
        id);
  }

  void result(String id, String taskStatus, int status, String type, byte[] body, Instant now) {
    update(
        "UPDATE agent_tasks SET state = 'RESULT', task_status = ?, result_status = ?, result_type = ?,"
            + " result_body = ?, attempts = 0, last_error = NULL, next_at = ?, updated_at = ? WHERE task_id = ?",
        taskStatus,
        status,
        type,
        body,
        now,
        now,
        id);
  }

  /** The callback took the result; the gateway's copy is released next. */
  void delivered(String id, Instant now) {
    update(
        "UPDATE agent_tasks SET state = 'DELIVERED', attempts = 0, last_error = NULL, next_at = ?, updated_at = ?"
            + " WHERE task_id = ?",
        now,
        now,
        id);
  }

  void state(String id, AgentTask.State state, String error, Instant now) {
    update(
        "UPDATE agent_tasks SET state = ?, last_error = ?, updated_at = ? WHERE task_id = ?",
        state,
        trim(error),
        now,
        id);
  }

  boolean delete(String id) {
    return database.inTransaction(
        c -> Sql.update(c, "DELETE FROM agent_tasks WHERE task_id = ?", id) == 1);
  }

  long unfinished() {
    return database.read(
        c ->
            Sql.queryLong(
                c,
                "SELECT COUNT(*) FROM agent_tasks"
                    + " WHERE state IN ('NEW', 'SUBMITTED', 'FINISHED', 'RESULT', 'DELIVERED')"));
  }

  private void update(String sql, Object... args) {
    database.inTransaction(c -> Sql.update(c, sql, args));
  }

  private static AgentTask task(ResultSet row) throws SQLException {
    return new AgentTask(
        row.getString("task_id"),
        AgentTask.State.valueOf(row.getString("state")),
        row.getString("envelope"),
        row.getString("request_method"),
        row.getString("request_uri"),
        row.getString("request_host"),
        row.getString("request_type"),
        row.getString("callback_url"),
        row.getString("webhook_id"),
        row.getString("gateway_task_id"),
        row.getString("task_status"),
        Sql.integer(row, "result_status"),
        row.getString("result_type"),
        row.getInt("attempts"),
        row.getInt("deliveries"),
        row.getString("last_error"),
        Sql.instant(row, "next_at"),
        Sql.instant(row, "created_at"),
        Sql.instant(row, "updated_at"));
  }

  private static String trim(String s) {
    return s == null || s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR);
  }
}
