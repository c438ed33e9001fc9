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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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
  private static final String FINISH =
      "UPDATE tasks SET status = ?, result_status = ?, result_type = ?, result_size = ?,"
          + " result_body = ?, result_blob = ?, error = ?, updated_at = ?, finished_at = ?"
          + " WHERE task_id = ? AND status IN ('PENDING', 'RUNNING')";
  private static final String COUNT_UPSERT =
      "INSERT INTO task_usage AS u (owner, pending_tasks, pending_bytes, result_bytes)"
          + " VALUES (?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET"
          + " pending_tasks = u.pending_tasks + EXCLUDED.pending_tasks,"
          + " pending_bytes = u.pending_bytes + EXCLUDED.pending_bytes,"
          + " result_bytes = u.result_bytes + EXCLUDED.result_bytes";

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
   * Inserts on {@code c}, in the caller's transaction, with the owner's counters. Throws on the
   * unique index of a client's task id.
   */
  public void insert(Connection c, TaskRecord t, TaskRequestBody body) throws SQLException {
    var changes = new UsageChanges();
    insertAll(c, List.of(new NewTask(t, body)), changes);
    count(c, changes);
  }

  /** A task to insert with its request body. */
  public record NewTask(TaskRecord task, TaskRequestBody body) {}

  /**
   * Inserts {@code tasks} on {@code c} as one batch (one round trip to PostgreSQL); what they add
   * to their owners' counters goes to {@code changes}, for {@link #count(Connection,
   * UsageChanges)}. Throws on the unique index of a client's task id, failing the whole batch (and
   * adding nothing to {@code changes}): a task that carries one goes alone, under a savepoint.
   */
  public void insertAll(Connection c, List<NewTask> tasks, UsageChanges changes)
      throws SQLException {
    var rows = new ArrayList<List<Object>>(tasks.size());
    for (var t : tasks) {
      rows.add(insertParams(t.task(), t.body()));
    }
    Sql.updateBatch(c, INSERT, rows);
    for (var t : tasks) {
      var task = t.task();
      if (!task.status().finished()) {
        changes.add(task.owner(), 1, t.body().size(), 0);
      } else {
        changes.add(task.owner(), 0, 0, task.resultSize() == null ? 0 : task.resultSize());
      }
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

  /**
   * What a transaction's inserts and results change in their owners' counters, kept until {@link
   * #count(Connection, UsageChanges)} applies them: one update per owner for a whole group of
   * writes, not one per write. One per transaction; not thread-safe.
   */
  public static final class UsageChanges {
    /** By owner, sorted: transactions on several nodes lock the counter rows in one order. */
    private final Map<String, long[]> byOwner = new TreeMap<>();

    void add(String owner, long pendingTasks, long pendingBytes, long resultBytes) {
      var counts = byOwner.computeIfAbsent(owner, o -> new long[3]);
      counts[0] += pendingTasks;
      counts[1] += pendingBytes;
      counts[2] += resultBytes;
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
    return database.inTransaction(
        c -> {
          var changes = new UsageChanges();
          var stored = finish(c, List.of(new Finish(taskId, result, now)), changes)[0];
          count(c, changes);
          return stored;
        });
  }

  /** A result for a task, stored as of {@code at}. */
  public record Finish(String taskId, TaskResult result, Instant at) {}

  /**
   * Stores many results on {@code c} as one batch (one round trip to PostgreSQL), each only if its
   * task is not finished yet, in order: for each, false when its task already had a result (one
   * earlier in the same batch included) or is gone. What they change in their owners' counters goes
   * to {@code changes}: the owner and request size of each finished row come back with the batch,
   * so no row is read again.
   */
  public boolean[] finish(Connection c, List<Finish> results, UsageChanges changes)
      throws SQLException {
    var rows = new ArrayList<List<Object>>(results.size());
    for (var f : results) {
      var r = f.result();
      rows.add(
          Arrays.asList(
              r.status(),
              r.httpStatus(),
              r.contentType(),
              r.size(),
              r.inline(),
              r.blob(),
              trim(r.error()),
              f.at(),
              f.at(),
              f.taskId()));
    }
    var batch =
        Sql.updateBatchReturning(
            c,
            FINISH,
            rows,
            List.of("task_id", "owner", "request_size"),
            row ->
                new Finished(
                    row.getString("task_id"), row.getString("owner"), row.getLong("request_size")));
    var finished = new HashMap<String, Finished>();
    batch.returned().forEach(row -> finished.put(row.taskId(), row));
    var stored = new boolean[results.size()];
    for (int i = 0; i < stored.length; i++) {
      stored[i] = batch.changed()[i] == 1;
      if (stored[i]) {
        var f = results.get(i);
        var task = finished.get(f.taskId());
        changes.add(task.owner(), -1, -task.requestSize(), f.result().size());
      }
    }
    return stored;
  }

  /** A row a result was just stored in: whose it is and the request bytes it no longer holds. */
  private record Finished(String taskId, String owner, long requestSize) {}

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

  /**
   * Applies {@code changes} to the owners' counters on {@code c}, in the transaction that made
   * them: one update per owner, all of them one batch on PostgreSQL.
   */
  public void count(Connection c, UsageChanges changes) throws SQLException {
    if (database.isPostgres()) {
      var rows = new ArrayList<List<Object>>(changes.byOwner.size());
      changes.byOwner.forEach((owner, n) -> rows.add(List.of(owner, n[0], n[1], n[2])));
      Sql.updateBatch(c, COUNT_UPSERT, rows);
      return;
    }
    for (var e : changes.byOwner.entrySet()) {
      var n = e.getValue();
      count(c, e.getKey(), n[0], n[1], n[2]);
    }
  }

  /** Adds to {@code owner}'s counters, creating its row on its first task. */
  private void count(
      Connection c, String owner, long pendingTasks, long pendingBytes, long resultBytes)
      throws SQLException {
    if (database.isPostgres()) {
      // nodes sharing the database may create a tenant's row at once: the upsert waits for the
      // other insert and adds to its row instead of failing on the key
      Sql.update(c, COUNT_UPSERT, owner, pendingTasks, pendingBytes, resultBytes);
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
