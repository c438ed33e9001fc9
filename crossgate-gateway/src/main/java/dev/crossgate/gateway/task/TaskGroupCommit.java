package dev.crossgate.gateway.task;

import dev.crossgate.gateway.chain.SpooledBody;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.Database;
import dev.crossgate.store.StoreException;
import dev.crossgate.store.task.TaskRecord;
import dev.crossgate.store.task.TaskRepository;
import dev.crossgate.store.task.TaskRequestBody;
import dev.crossgate.store.task.TaskResult;
import dev.crossgate.store.task.TaskUsage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task writes a caller waits for — a new task before its 202, PENDING → RUNNING before the
 * answer, a result before the upstream (or the held call) is told it is stored — committed in
 * groups: whatever was queued while the previous group committed goes into the next transaction, so
 * one commit (one file write on H2, one WAL flush on PostgreSQL) stores them all, and each caller's
 * future completes only after that commit. Nothing waits for a window to fill: a lone write commits
 * at once, a busy node's writes share commits.
 *
 * <p>One group at a time, on the task worker pool. The per-tenant quota is read once per tenant and
 * group and then counts the group's own new tasks, so a burst cannot slip past it. A write that
 * fails alone (a client's task id that a concurrent submission stored first, a quota) fails only
 * its caller: inserts that can meet the unique index run under a savepoint. The other inserts, the
 * results and the RUNNING marks go to the database as one JDBC batch each, and what they change in
 * the tenants' counters as one update per tenant, so a group costs PostgreSQL a few round trips
 * rather than one to three per write.
 */
final class TaskGroupCommit {
  private static final Logger LOG = LoggerFactory.getLogger(TaskGroupCommit.class);

  /** Writes per transaction at most: keeps one commit short when thousands are queued. */
  private static final int MAX_GROUP = 256;

  private static final TaskOptions.Quota UNLIMITED = new TaskOptions.Quota(0, 0, 0);
  private static final TaskUsage UNUSED = new TaskUsage(0, 0, 0);

  /** A queued write: settled on its caller's context once its group committed (or failed). */
  private sealed interface Write permits NewTask, Running, Finish {
    Context context();

    Promise<?> done();
  }

  private record NewTask(
      TaskRecord task,
      String secret,
      SpooledBody body,
      Context context,
      Promise<TaskStore.Created> done)
      implements Write {}

  private record Running(TaskRepository.RunningMark mark, Context context, Promise<Boolean> done)
      implements Write {}

  private record Finish(TaskRepository.Finish result, Context context, Promise<Boolean> done)
      implements Write {}

  /** What became of one write once its group is committed: a value, or why it failed. */
  private record Outcome(Object value, Throwable failure) {
    static Outcome of(Object value) {
      return new Outcome(value, null);
    }

    static Outcome failed(Throwable failure) {
      return new Outcome(null, failure);
    }
  }

  /** A new task whose insert lost the unique index to another submission with its client id. */
  private record LostRace(SQLException cause) {}

  private final Database database;
  private final TaskRepository repository;
  private final TaskOptions options;
  private final WorkerExecutor workers;
  private final Consumer<TaskRecord> dropBlob;
  private final Queue<Write> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  TaskGroupCommit(
      Database database,
      TaskRepository repository,
      TaskOptions options,
      WorkerExecutor workers,
      Consumer<TaskRecord> dropBlob) {
    this.database = database;
    this.repository = repository;
    this.options = options;
    this.workers = workers;
    this.dropBlob = dropBlob;
  }

  /**
   * Stores {@code task} with {@code body} (a spooled body becomes its request blob, or is removed
   * when no task is stored); completes, on the caller's context, after the commit.
   */
  Future<TaskStore.Created> create(
      Context context, TaskRecord task, String secret, SpooledBody body) {
    var write = new NewTask(task, secret, body, context, Promise.promise());
    enqueue(write);
    return write.done().future();
  }

  /** PENDING → RUNNING; false when the task was no longer pending. */
  Future<Boolean> running(Context context, String taskId, Instant at) {
    var write = new Running(new TaskRepository.RunningMark(taskId, at), context, Promise.promise());
    enqueue(write);
    return write.done().future();
  }

  /**
   * Stores a task's result if it has none yet (its blob, if any, is in place already); false when
   * another result won or the task is gone.
   */
  Future<Boolean> finish(Context context, String taskId, TaskResult result, Instant at) {
    var write =
        new Finish(new TaskRepository.Finish(taskId, result, at), context, Promise.promise());
    enqueue(write);
    return write.done().future();
  }

  private void enqueue(Write write) {
    queue.add(write);
    if (draining.compareAndSet(false, true)) {
      workers.executeBlocking(this::drain, false);
    }
  }

  /** Commits groups until the queue is empty; exactly one drain runs at a time. */
  private Void drain() {
    while (true) {
      var group = new ArrayList<Write>();
      for (Write w; group.size() < MAX_GROUP && (w = queue.poll()) != null; ) {
        group.add(w);
      }
      if (!group.isEmpty()) {
        try {
          commit(group);
        } catch (RuntimeException e) {
          // a bug here must not leave callers waiting, nor the queue without a drain
          LOG.error("task group commit broke writes={}", group.size(), e);
          group.forEach(w -> deliver(w, Outcome.failed(e)));
        }
        continue;
      }
      draining.set(false);
      // a write queued between the last poll and the reset found the flag still set: take it here
      if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
        return null;
      }
    }
  }

  private void commit(List<Write> group) {
    // by identity: each write is its own entry, and records would hash every field (a request's
    // whole in-memory body among them, up to 64 KiB, twice per write)
    var outcomes = new IdentityHashMap<Write, Outcome>();
    try {
      database.inTransaction(
          c -> {
            outcomes.clear();
            var usage = new HashMap<String, TaskUsage>();
            var changes = new TaskRepository.UsageChanges();
            // plain inserts, results and RUNNING marks go to the database as one batch each, and
            // the tenants' counters as one update each at the end (a few round trips to PostgreSQL
            // for the group, not one to three per write)
            var inserts = new ArrayList<TaskRepository.NewTask>();
            var finishes = new ArrayList<Finish>();
            var marks = new ArrayList<Running>();
            for (var w : group) {
              if (w instanceof Running r) {
                marks.add(r);
                continue;
              }
              if (w instanceof Finish f) {
                finishes.add(f);
                continue;
              }
              var n = (NewTask) w;
              if (n.task().clientTaskId() != null) {
                // its resubmission check must see the group's earlier inserts
                repository.insertAll(c, inserts, changes);
                inserts.clear();
              }
              outcomes.put(w, store(c, n, usage, inserts, changes));
            }
            repository.insertAll(c, inserts, changes);
            // results before marks: a task whose result is in the group is no longer pending
            var stored =
                repository.finish(c, finishes.stream().map(Finish::result).toList(), changes);
            for (int i = 0; i < stored.length; i++) {
              outcomes.put(finishes.get(i), Outcome.of(stored[i]));
            }
            var marked = repository.markRunning(c, marks.stream().map(Running::mark).toList());
            for (int i = 0; i < marked.length; i++) {
              outcomes.put(marks.get(i), Outcome.of(marked[i]));
            }
            repository.count(c, changes);
            return null;
          });
    } catch (RuntimeException e) {
      // nothing of the group was committed: every caller fails, and no blob outlives its row
      LOG.warn("task group commit failed writes={} cause={}", group.size(), e.toString());
      outcomes.clear();
      for (var w : group) {
        if (w instanceof NewTask n) {
          dropBlob.accept(n.task());
        }
        outcomes.put(w, Outcome.failed(e));
      }
    }
    for (var w : group) {
      var outcome = outcomes.get(w);
      if (w instanceof NewTask n) {
        removeSpool(n.body());
        deliver(w, outcome.value() instanceof LostRace lost ? earlierTask(n, lost) : outcome);
      } else {
        deliver(w, outcome);
      }
    }
  }

  /**
   * Checks {@code n} against its tenant's quota and places its body; a task without a client id is
   * added to {@code inserts} (the caller inserts them in one batch before the commit), one with a
   * client id is inserted here, under a savepoint. Inserted tasks go to {@code changes}.
   */
  private Outcome store(
      Connection c,
      NewTask n,
      Map<String, TaskUsage> usage,
      List<TaskRepository.NewTask> inserts,
      TaskRepository.UsageChanges changes)
      throws SQLException {
    var task = n.task();
    var owner = task.owner();
    if (task.clientTaskId() != null) {
      // on the group's connection: a resubmission in the same group finds the first one
      var earlier = repository.findByClientTaskId(c, owner, task.clientTaskId());
      if (earlier.isPresent()) {
        return Outcome.of(new TaskStore.Created(earlier.get(), null, true, null));
      }
    }
    var current = usage.get(owner);
    if (current == null) {
      // the tenant's counters, read once per tenant and group (not at all without a quota)
      current = options.quota().equals(UNLIMITED) ? UNUSED : repository.countedUsage(c, owner);
    }
    var refusal = overQuota(owner, current, n.body().size());
    if (refusal != null) {
      // the counters still hold tasks that expired but are not swept yet: before refusing, the
      // exact sum over the unexpired ones (on this connection, so with the group's own inserts,
      // once those batched so far are in)
      repository.insertAll(c, inserts, changes);
      inserts.clear();
      current = repository.usage(c, owner, task.createdAt());
      usage.put(owner, current);
      refusal = overQuota(owner, current, n.body().size());
    }
    if (refusal != null) {
      return Outcome.failed(new ProblemException(refusal));
    }
    TaskRequestBody stored;
    var kept = n.body();
    try {
      if (kept.inFile()) {
        var blob = task.taskId() + ".request";
        kept = new SpooledBody(null, options.blobDir().resolve(blob), kept.size());
        Files.move(n.body().file(), kept.file(), StandardCopyOption.ATOMIC_MOVE);
        stored = new TaskRequestBody(null, blob, kept.size());
      } else {
        stored = TaskRequestBody.inline(kept.size() == 0 ? null : kept.inline().getBytes());
      }
    } catch (IOException e) {
      return Outcome.failed(e);
    }
    if (task.clientTaskId() == null) {
      inserts.add(new TaskRepository.NewTask(task, stored));
    } else {
      var savepoint = c.setSavepoint();
      try {
        repository.insertAll(c, List.of(new TaskRepository.NewTask(task, stored)), changes);
      } catch (SQLException e) {
        dropBlob.accept(task);
        c.rollback(savepoint);
        return Outcome.of(new LostRace(e));
      }
    }
    usage.put(
        owner,
        new TaskUsage(
            current.pendingTasks() + 1,
            current.pendingBytes() + kept.size(),
            current.resultBytes()));
    return Outcome.of(new TaskStore.Created(task, n.secret(), false, kept));
  }

  /** After the commit: the task a concurrent submission stored under the same client id. */
  private Outcome earlierTask(NewTask n, LostRace lost) {
    try {
      return repository
          .findByClientTaskId(n.task().owner(), n.task().clientTaskId())
          .map(earlier -> Outcome.of(new TaskStore.Created(earlier, null, true, null)))
          .orElseGet(() -> Outcome.failed(new StoreException(lost.cause())));
    } catch (RuntimeException e) {
      return Outcome.failed(e);
    }
  }

  /**
   * The 429 for a new task of {@code bodyBytes} that would take {@code owner} over a quota, else
   * null.
   */
  private Problem overQuota(String owner, TaskUsage usage, long bodyBytes) {
    var quota = options.quota();
    if (quota.maxPendingTasks() > 0 && usage.pendingTasks() + 1 > quota.maxPendingTasks()) {
      return TaskProblems.quotaExceeded(
          owner,
          "pendingTasks",
          quota.maxPendingTasks(),
          usage.pendingTasks(),
          options.retryAfterSeconds());
    }
    if (quota.maxPendingBytes() > 0 && usage.pendingBytes() + bodyBytes > quota.maxPendingBytes()) {
      return TaskProblems.quotaExceeded(
          owner,
          "pendingBytes",
          quota.maxPendingBytes(),
          usage.pendingBytes(),
          options.retryAfterSeconds());
    }
    if (quota.maxResultBytes() > 0 && usage.resultBytes() >= quota.maxResultBytes()) {
      return TaskProblems.quotaExceeded(
          owner,
          "resultBytes",
          quota.maxResultBytes(),
          usage.resultBytes(),
          options.retryAfterSeconds());
    }
    return null;
  }

  /** A spooled body not moved to a task's blob belongs to nobody now. */
  private static void removeSpool(SpooledBody body) {
    if (body.file() == null) {
      return;
    }
    try {
      Files.deleteIfExists(body.file());
    } catch (IOException e) {
      LOG.warn("spool file not removed file={} cause={}", body.file(), e.toString());
    }
  }

  @SuppressWarnings("unchecked")
  private static void deliver(Write write, Outcome outcome) {
    var done = (Promise<Object>) write.done();
    write
        .context()
        .runOnContext(
            v -> {
              if (outcome.failure() != null) {
                done.tryFail(outcome.failure());
              } else {
                done.tryComplete(outcome.value());
              }
            });
  }
}
