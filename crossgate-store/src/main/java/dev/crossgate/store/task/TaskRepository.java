package dev.crossgate.store.task;

import dev.crossgate.store.Database;
import dev.crossgate.store.Page;
import dev.crossgate.store.sql.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * Async tasks in the database, shared by every gateway node. State changes are conditional updates
 * ({@code WHERE status IN (...)}), so two nodes racing to store a result for one task cannot both
 * win: the loser sees {@code false} and answers 409. Blocking: call from a worker.
 */
public final class TaskRepository {
  private static final String COLUMNS =
      "task_id, owner, route_id, execution, status, secret_hash, envelope,"
          + " request_method, request_uri, request_type, result_status, result_type, result_size, result_blob, error,"
          + " created_at, updated_at, finished_at, expires_at, client_task_id";
  private static final int MAX_ERROR = 1000;
  private static final String INSERT =
      "INSERT INTO tasks ("
          + COLUMNS
          + ", request_body, request_blob,"
          + " request_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String MARK_RUNNING =
      "UPDATE tasks SET status = 'RUNNING', updated_at = ? WHERE task_id = ? AND status = 'PENDING'";

  private final Database database;

  public TaskRepository(Database database) {
    this.database = database;
  }

  public void insert(TaskRecord t, TaskRequestBody body) {
    database.inTransaction(
        c -> {
          insert(c, t, body);
          return null;
        });
  }

  /**
   * Inserts on {@code c}, in the caller's transaction: a node's group commit stores many tasks
   * under one commit. Throws on the unique index of a client's task id.
   */
  public void insert(Connection c, TaskRecord t, TaskRequestBody body) throws SQLException {
    Sql.update(c, INSERT, insertParams(t, body).toArray());
    var added = new Counts(t.owner());
    added.add(t, body);
    added.apply(c);
  }

  /** A task to insert with its request body. */
  public record NewTask(TaskRecord task, TaskRequestBody body) {}

  /**
   * Inserts {@code tasks} on {@code c} as one batch (one round trip to PostgreSQL), and adds them
   * to their owners' counters with one update per owner instead of one per task. Throws on the
   * unique index of a client's task id, failing the whole batch: tasks that carry one go through
   * {@link #insert(Connection, TaskRecord, TaskRequestBody)}.
   */
  public void insertAll(Connection c, List<NewTask> tasks) throws SQLException {
    var rows = new ArrayList<List<Object>>(tasks.size());
    var counts = new LinkedHashMap<String, Counts>();
    for (var t : tasks) {
      rows.add(insertParams(t.task(), t.body()));
      counts.computeIfAbsent(t.task().owner(), Counts::new).add(t.task(), t.body());
    }
    Sql.updateBatch(c, INSERT, rows);
    for (var owner : counts.values()) {
      owner.apply(c);
    }
  }

  private static List<Object> insertParams(TaskRecord t, TaskRequestBody body) {
    return Arrays.asList(
        t.taskId(),
        t.owner(),
        t.routeId(),
        t.execution(),
        t.status(),
        t.secretHash(),
        t.envelope(),
        t.requestMethod(),
        t.requestUri(),
        t.requestType(),
        t.resultStatus(),
        t.resultType(),
        t.resultSize(),
        t.resultBlob(),
        trim(t.error()),
        t.createdAt(),
        t.updatedAt(),
        t.finishedAt(),
        t.expiresAt(),
        t.clientTaskId(),
        body.inline(),
        body.blob(),
        body.size());
  }

  /** What new tasks add to one owner's counters. */
  private final class Counts {
    private final String owner;
    private long pendingTasks;
    private long pendingBytes;
    private long resultBytes;

    Counts(String owner) {
      this.owner = owner;
    }

    void add(TaskRecord t, TaskRequestBody body) {
      if (!t.status().finished()) {
        pendingTasks++;
        pendingBytes += body.size();
      } else {
        resultBytes += t.resultSize() == null ? 0 : t.resultSize();
      }
    }

    void apply(Connection c) throws SQLException {
      count(c, owner, pendingTasks, pendingBytes, resultBytes);
    }
  }

  public Optional<TaskRecord> find(String taskId) {
    return database.read(
        c ->
            Sql.queryOne(
                c,
                "SELECT " + COLUMNS + " FROM tasks WHERE task_id = ?",
                TaskRepository::task,
                taskId));
  }

  /** The task a client already created under its own id, if any. */
  public Optional<TaskRecord> findByClientTaskId(String owner, String clientTaskId) {
    return database.read(c -> findByClientTaskId(c, owner, clientTaskId));
  }

  /** As above on {@code c}: inside a transaction it also sees that transaction's own inserts. */
  public Optional<TaskRecord> findByClientTaskId(Connection c, String owner, String clientTaskId)
      throws SQLException {
    return Sql.queryOne(
        c,
        "SELECT " + COLUMNS + " FROM tasks WHERE owner = ? AND client_task_id = ?",
        TaskRepository::task,
        owner,
        clientTaskId);
  }

  /**
   * What {@code owner} holds by the counters kept with every insert, finish and delete: one
   * primary-key read, and never less than {@link #usage} (rows that expired but are not swept yet
   * still count), so a task within these figures is within its quotas.
   */
  public TaskUsage countedUsage(Connection c, String owner) throws SQLException {
    return Sql.queryOne(
            c,
            "SELECT pending_tasks, pending_bytes, result_bytes FROM task_usage WHERE owner = ?",
            row ->
                new TaskUsage(
                    row.getLong("pending_tasks"),
                    row.getLong("pending_bytes"),
                    row.getLong("result_bytes")),
            owner)
        .orElse(new TaskUsage(0, 0, 0));
  }

  /**
   * What {@code owner} holds in unexpired tasks at {@code now}, the figures its quotas bound: a sum
   * over the tenant's rows, on {@code c}.
   */
  public TaskUsage usage(Connection c, String owner, Instant now) throws SQLException {
    return Sql.queryOne(
            c,
            "SELECT"
                + " COALESCE(SUM(CASE WHEN status IN ('PENDING', 'RUNNING') THEN 1 ELSE 0 END), 0) AS pending_tasks,"
                + " COALESCE(SUM(CASE WHEN status IN ('PENDING', 'RUNNING') THEN request_size END), 0)"
                + " AS pending_bytes,"
                + " COALESCE(SUM(CASE WHEN status NOT IN ('PENDING', 'RUNNING') THEN result_size END), 0) AS result_bytes"
                + " FROM tasks WHERE owner = ? AND expires_at > ?",
            row ->
                new TaskUsage(
                    row.getLong("pending_tasks"),
                    row.getLong("pending_bytes"),
                    row.getLong("result_bytes")),
            owner,
            now)
        .orElseThrow();
  }

  /** Where the request body the task was created with is (null when the task is gone). */
  public TaskRequestBody requestBody(String taskId) {
    return database.read(
        c ->
            Sql.queryOne(
                    c,
                    "SELECT request_body, request_blob, request_size FROM tasks"
                        + " WHERE task_id = ?",
                    row ->
                        new TaskRequestBody(
                            row.getBytes("request_body"),
                            row.getString("request_blob"),
                            row.getLong("request_size")),
                    taskId)
                .orElse(null));
  }

  /** The inline result bytes (null when there are none, or when the result is in a blob). */
  public byte[] resultBody(String taskId) {
    return database.read(
        c ->
            Sql.queryOne(
                    c,
                    "SELECT result_body FROM tasks WHERE task_id = ?",
                    row -> row.getBytes("result_body"),
                    taskId)
                .orElse(null));
  }

  /** PENDING → RUNNING once the upstream accepted the task; false when it is no longer pending. */
  public boolean markRunning(String taskId, Instant now) {
    return database.inTransaction(c -> markRunning(c, List.of(new RunningMark(taskId, now)))[0]);
  }

  /** A PENDING → RUNNING mark: the task and when its upstream accepted it. */
  public record RunningMark(String taskId, Instant at) {}

  /**
   * Marks many tasks RUNNING on {@code c} as one batch (one round trip to PostgreSQL); for each, in
   * order, false when it was no longer pending.
   */
  public boolean[] markRunning(Connection c, List<RunningMark> marks) throws SQLException {
    var rows = new ArrayList<List<Object>>(marks.size());
    for (var m : marks) {
      rows.add(List.of(m.at(), m.taskId()));
    }
    var changed = Sql.updateBatch(c, MARK_RUNNING, rows);
    var marked = new boolean[changed.length];
    for (int i = 0; i < changed.length; i++) {
      marked[i] = changed[i] == 1;
    }
    return marked;
  }

  /**
   * Stores the result and finishes the task, only if it is not finished yet: false means another
   * result won (or the task is gone), and nothing was changed.
   */
  public boolean finish(String taskId, TaskResult result, Instant now) {
    return database.inTransaction(c -> finish(c, taskId, result, now));
  }

  /** As above on {@code c}, in the caller's transaction (a node's group commit). */
  public boolean finish(Connection c, String taskId, TaskResult result, Instant now)
      throws SQLException {
    var finished =
        Sql.update(
                c,
                "UPDATE tasks SET status = ?, result_status = ?,"
                    + " result_type = ?, result_size = ?, result_body = ?, result_blob = ?, error = ?, updated_at = ?,"
                    + " finished_at = ? WHERE task_id = ? AND status IN ('PENDING', 'RUNNING')",
                result.status(),
                result.httpStatus(),
                result.contentType(),
                result.size(),
                result.inline(),
                result.blob(),
                trim(result.error()),
                now,
                now,
                taskId)
            == 1;
    if (finished) {
      var held = held(c, taskId);
      count(c, held.owner(), -1, -held.requestSize(), result.size());
    }
    return finished;
  }

  /**
   * Removes the task with its inline data; returns what was removed, so the caller can drop its
   * blob.
   */
  public Optional<TaskRecord> delete(String taskId) {
    return database.inTransaction(
        c -> {
          var found =
              Sql.queryOne(
                  c,
                  "SELECT " + COLUMNS + " FROM tasks WHERE task_id = ? FOR UPDATE",
                  TaskRepository::task,
                  taskId);
          if (found.isPresent()) {
            var held = held(c, taskId);
            Sql.update(c, "DELETE FROM tasks WHERE task_id = ?", taskId);
            var task = found.get();
            if (!task.status().finished()) {
              count(c, task.owner(), -1, -held.requestSize(), 0);
            } else {
              count(c, task.owner(), 0, 0, task.resultSize() == null ? 0 : -task.resultSize());
            }
          }
          return found;
        });
  }

  /** Tasks whose TTL passed before {@code now}, oldest first, at most {@code limit}. */
  public List<TaskRecord> expired(Instant now, int limit) {
    return database.read(
        c ->
            Sql.query(
                c,
                "SELECT "
                    + COLUMNS
                    + " FROM tasks WHERE expires_at < ?"
                    + " ORDER BY expires_at LIMIT ?",
                TaskRepository::task,
                now,
                limit));
  }

  /**
   * One page of tasks, newest first with ties broken by task id. Keyset paging: a page starts after
   * the (created_at, task_id) of the previous one, so tasks created or deleted meanwhile neither
   * shift a task onto two pages nor hide one.
   */
  public Page<TaskRecord> list(TaskQuery query) {
    var statement =
        Sql.statement("SELECT " + COLUMNS + " FROM tasks WHERE 1 = 1")
            .andEqual("owner", query.owner())
            .andEqual("status", query.status());
    var after = query.after();
    if (after != null) {
      statement.append(
          " AND (created_at < ? OR (created_at = ? AND task_id > ?))",
          after.createdAt(),
          after.createdAt(),
          after.taskId());
    }
    statement.append(" ORDER BY created_at DESC, task_id LIMIT ?", query.limit() + 1);
    return database.read(
        c ->
            Page.of(
                statement.query(c, TaskRepository::task), query.limit(), TaskQuery::cursorAfter));
  }

  public long count() {
    return database.read(c -> Sql.queryLong(c, "SELECT COUNT(*) FROM tasks"));
  }

  private static TaskRecord task(ResultSet row) throws SQLException {
    return new TaskRecord(
        row.getString("task_id"),
        row.getString("owner"),
        row.getString("route_id"),
        row.getString("execution"),
        TaskStatus.valueOf(row.getString("status")),
        row.getString("secret_hash"),
        row.getString("envelope"),
        row.getString("request_method"),
        row.getString("request_uri"),
        row.getString("request_type"),
        Sql.integer(row, "result_status"),
        row.getString("result_type"),
        Sql.nullableLong(row, "result_size"),
        row.getString("result_blob"),
        row.getString("error"),
        Sql.instant(row, "created_at"),
        Sql.instant(row, "updated_at"),
        Sql.instant(row, "finished_at"),
        Sql.instant(row, "expires_at"),
        row.getString("client_task_id"));
  }

  /** The owner of a task and the size of the request body it holds. */
  private record Held(String owner, long requestSize) {}

  private static Held held(Connection c, String taskId) throws SQLException {
    return Sql.queryOne(
            c,
            "SELECT owner, request_size FROM tasks WHERE task_id = ?",
            row -> new Held(row.getString("owner"), row.getLong("request_size")),
            taskId)
        .orElseThrow();
  }

  /** Adds to {@code owner}'s counters, creating its row on its first task. */
  private void count(
      Connection c, String owner, long pendingTasks, long pendingBytes, long resultBytes)
      throws SQLException {
    if (database.isPostgres()) {
      // nodes sharing the database may create a tenant's row at once: the upsert waits for the
      // other insert and adds to its row instead of failing on the key
      Sql.update(
          c,
          "INSERT INTO task_usage AS u (owner, pending_tasks, pending_bytes, result_bytes)"
              + " VALUES (?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET"
              + " pending_tasks = u.pending_tasks + EXCLUDED.pending_tasks,"
              + " pending_bytes = u.pending_bytes + EXCLUDED.pending_bytes,"
              + " result_bytes = u.result_bytes + EXCLUDED.result_bytes",
          owner,
          pendingTasks,
          pendingBytes,
          resultBytes);
      return;
    }
    // the embedded store has one process writing it
    if (Sql.update(
            c,
            "UPDATE task_usage SET pending_tasks = pending_tasks + ?,"
                + " pending_bytes = pending_bytes + ?, result_bytes = result_bytes + ?"
                + " WHERE owner = ?",
            pendingTasks,
            pendingBytes,
            resultBytes,
            owner)
        == 0) {
      Sql.update(
          c,
          "INSERT INTO task_usage (owner, pending_tasks, pending_bytes, result_bytes)"
              + " VALUES (?, ?, ?, ?)",
          owner,
          pendingTasks,
          pendingBytes,
          resultBytes);
    }
  }

  private static String trim(String s) {
    return s == null || s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR);
  }
}
