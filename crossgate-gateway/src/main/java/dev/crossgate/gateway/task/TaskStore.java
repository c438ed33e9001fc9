package dev.crossgate.gateway.task;

import dev.crossgate.auth.Secrets;
import dev.crossgate.gateway.chain.SpooledBody;
import dev.crossgate.id.Ids;
import dev.crossgate.store.Database;
import dev.crossgate.store.OwnerOnlyFiles;
import dev.crossgate.store.task.TaskRecord;
import dev.crossgate.store.task.TaskRepository;
import dev.crossgate.store.task.TaskResult;
import dev.crossgate.store.task.TaskStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's view of the shared task table ({@link TaskRepository}) plus its blob directory for large
 * results. Every method returns at once: JDBC and disk work run on the {@code crossgate-tasks}
 * worker pool, never on the event loop. Expired tasks are swept periodically, removed with their
 * blob.
 */
public final class TaskStore {
  private static final Logger LOG = LoggerFactory.getLogger(TaskStore.class);
  private static final int SWEEP_BATCH = 500;

  /**
   * Bodies up to this size are received in memory; larger ones are spooled to the blob directory.
   */
  static final int SPOOL_THRESHOLD = 64 << 10;

  /**
   * A task just created, with the secret its upstream must present (only its hash is stored) and
   * where its request body now is (in memory, or its blob file); or, when {@code existing}, the
   * task the same client already created under its id (no secret: it was handed out with the first
   * submission; no body: it went upstream then).
   */
  public record Created(TaskRecord task, String secret, boolean existing, SpooledBody body) {}

  private final Vertx vertx;
  private final TaskRepository repository;
  private final TaskOptions options;
  private final WorkerExecutor workers;
  private final TaskGroupCommit groupCommit;
  private final Clock clock;
  private final long sweepTimer;
  private final Instant openedAt;

  private TaskStore(Vertx vertx, Database database, TaskOptions options, Clock clock) {
    this.vertx = vertx;
    this.repository = new TaskRepository(database);
    this.options = options;
    this.clock = clock;
    this.workers = vertx.createSharedWorkerExecutor("crossgate-tasks", 8);
    this.groupCommit = new TaskGroupCommit(database, repository, options, workers, this::dropBlob);
    this.sweepTimer = vertx.setPeriodic(options.sweepInterval().toMillis(), t -> sweep());
    this.openedAt = clock.instant();
    removeOrphanedFiles()
        .onSuccess(
            removed -> {
              if (removed > 0) {
                LOG.info("task files no task names removed count={}", removed);
              }
            })
        .onFailure(e -> LOG.warn("task file check failed cause={}", e.toString()));
  }

  public static TaskStore open(Vertx vertx, Database database, TaskOptions options) {
    return new TaskStore(vertx, database, options, Clock.systemUTC());
  }

  public TaskOptions options() {
    return options;
  }

  Vertx vertx() {
    return vertx;
  }

  Clock clock() {
    return clock;
  }

  /**
   * Stores a new PENDING task; its id is 128 random bits, so ids cannot be guessed. The future
   * completes once the task is committed, in a group with whatever else was queued.
   */
  Future<Created> create(
      String owner,
      String routeId,
      String execution,
      String method,
      String uri,
      String contentType,
      Buffer body,
      String clientTaskId,
      java.util.function.Function<String, String> envelope) {
    return create(
        owner,
        routeId,
        execution,
        method,
        uri,
        contentType,
        SpooledBody.inMemory(body == null ? Buffer.buffer() : body),
        clientTaskId,
        envelope);
  }

  /**
   * As above, with a body that may be spooled to a file: the file becomes the task's request blob
   * ({@code <id>.request}), or is removed when no task is stored (quota, resubmission).
   */
  Future<Created> create(
      String owner,
      String routeId,
      String execution,
      String method,
      String uri,
      String contentType,
      SpooledBody body,
      String clientTaskId,
      java.util.function.Function<String, String> envelope) {
    var id = Ids.random("tk_");
    var secret = Ids.randomToken(24);
    var now = clock.instant();
    var task =
        TaskRecord.pending(
                id,
                owner,
                routeId,
                execution,
                Secrets.sha256Hex(secret),
                envelope.apply(id),
                method,
                uri,
                contentType,
                now,
                now.plus(options.ttl()))
            .withClientTaskId(clientTaskId);
    return groupCommit.create(vertx.getOrCreateContext(), task, secret, body);
  }

  Future<Optional<TaskRecord>> find(String id) {
    return blocking(() -> repository.find(id));
  }

  /** PENDING → RUNNING as of {@code at}: false when the task is no longer pending. */
  Future<Boolean> running(String id, Instant at) {
    return groupCommit.running(vertx.getOrCreateContext(), id, at);
  }

  /**
   * Stores a result once: false when the task already had one (or is gone), in which case a spilled
   * blob is removed again and nothing changed.
   */
  Future<Boolean> finish(
      String id, TaskStatus status, int httpStatus, String contentType, Buffer body, String error) {
    return finish(
        id,
        status,
        httpStatus,
        contentType,
        SpooledBody.inMemory(body == null ? Buffer.buffer() : body),
        error);
  }

  /**
   * As above; a spooled result file becomes the task's result blob, or is removed when not stored.
   * The row is written by the group commit, with whatever else is queued.
   */
  Future<Boolean> finish(
      String id,
      TaskStatus status,
      int httpStatus,
      String contentType,
      SpooledBody body,
      String error) {
    var context = vertx.getOrCreateContext();
    if (body.file() == null && body.size() <= options.inlineResultBytes()) {
      var inline = body.size() > 0 ? body.inline().getBytes() : null;
      return groupCommit.finish(
          context,
          id,
          new TaskResult(status, httpStatus, contentType, body.size(), inline, null, error),
          clock.instant());
    }
    var blob = newResultBlob(id);
    return blocking(
            () -> {
              try {
                // an upstream's answer to a caller: the node's user only
                OwnerOnlyFiles.createDirectories(options.blobDir());
                if (body.file() != null) {
                  Files.move(body.file(), blob, StandardCopyOption.ATOMIC_MOVE);
                } else {
                  OwnerOnlyFiles.write(blob, body.inline().getBytes());
                }
                return null;
              } finally {
                if (body.file() != null) {
                  Files.deleteIfExists(body.file());
                }
              }
            })
        .compose(
            placed ->
                groupCommit.finish(
                    context,
                    id,
                    new TaskResult(
                        status,
                        httpStatus,
                        contentType,
                        body.size(),
                        null,
                        blob.getFileName().toString(),
                        error),
                    clock.instant()))
        .transform(
            stored ->
                stored.succeeded() && stored.result()
                    ? Future.succeededFuture(true)
                    // not stored (or not known to be): the blob belongs to no task
                    : blocking(
                            () -> {
                              Files.deleteIfExists(blob);
                              return null;
                            })
                        .transform(
                            removed ->
                                stored.succeeded()
                                    ? Future.succeededFuture(false)
                                    : Future.failedFuture(stored.cause())));
  }

  /**
   * A file for one result of {@code taskId} that is not kept in the row. One per attempt: a second
   * result of the same task (an upstream posting twice at once) must not replace the file of the
   * one that is stored, nor remove it when it loses; the row names the winner's file.
   */
  private Path newResultBlob(String taskId) {
    return options
        .blobDir()
        .resolve(
            taskId
                + "."
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong())
                + ".result");
  }

  /**
   * The stored result: in memory when it was kept in the row, else its blob file, to be streamed.
   */
  Future<SpooledBody> result(TaskRecord task) {
    return blocking(
        () -> {
          if (task.resultBlob() != null) {
            var file = options.blobDir().resolve(task.resultBlob());
            return new SpooledBody(null, file, Files.size(file));
          }
          var bytes = repository.resultBody(task.taskId());
          return SpooledBody.inMemory(bytes == null ? Buffer.buffer() : Buffer.buffer(bytes));
        });
  }

  /**
   * The task's request body: in memory when it was kept in the row, else its blob file (null when
   * gone).
   */
  Future<SpooledBody> requestBody(String id) {
    return blocking(
        () -> {
          var body = repository.requestBody(id);
          if (body == null) {
            return null;
          }
          if (body.blob() != null) {
            return new SpooledBody(null, options.blobDir().resolve(body.blob()), body.size());
          }
          return SpooledBody.inMemory(
              body.inline() == null ? Buffer.buffer() : Buffer.buffer(body.inline()));
        });
  }

  /** Where spooled bodies are written before they belong to a task (the blob directory itself). */
  BodySpooler spooler(int inlineLimit) {
    return new BodySpooler(vertx, options.blobDir(), inlineLimit);
  }

  /** Removes the task with its data; false when there was none. */
  Future<Boolean> delete(String id) {
    return blocking(
        () -> {
          var removed = repository.delete(id);
          removed.ifPresent(this::dropBlob);
          return removed.isPresent();
        });
  }

  /** Removes tasks past their TTL with their blobs; returns how many. */
  public Future<Integer> sweep() {
    return blocking(
            () -> {
              int removed = 0;
              List<TaskRecord> batch;
              do {
                batch = repository.expired(clock.instant(), SWEEP_BATCH);
                for (var t : batch) {
                  if (repository.delete(t.taskId()).isPresent()) {
                    dropBlob(t);
                    removed++;
                  }
                }
              } while (batch.size() == SWEEP_BATCH);
              if (removed > 0) {
                LOG.info("expired tasks removed count={}", removed);
              }
              removeAbandonedSpools();
              return removed;
            })
        .onFailure(e -> LOG.warn("task sweep failed cause={}", e.toString()));
  }

  /**
   * Spool files a crash left behind (a body was being received): any older than an hour belongs to
   * no request, since a body that slow is cut off by the client timeouts long before.
   */
  private void removeAbandonedSpools() throws IOException {
    if (!Files.isDirectory(options.blobDir())) {
      return;
    }
    var cutoff = clock.instant().minus(java.time.Duration.ofHours(1));
    try (var files = Files.newDirectoryStream(options.blobDir(), "spool_*.body")) {
      for (var file : files) {
        if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /**
   * Once, at open: request and result files that a crash left with no row naming them (written just
   * before the process died, their row never committed, or a result that lost to another). Only
   * files written over a second before this store opened are looked at: a file this process writes
   * (its row perhaps about to commit) is never one of them even on a coarse file clock, while the
   * process that left them stopped longer ago than that (a restart alone takes more). Returns how
   * many went.
   */
  Future<Integer> removeOrphanedFiles() {
    return blocking(
        () -> {
          if (!Files.isDirectory(options.blobDir())) {
            return 0;
          }
          int removed = 0;
          var cutoff = openedAt.minusSeconds(1);
          try (var files = Files.newDirectoryStream(options.blobDir(), "*.{request,result}")) {
            for (var file : files) {
              if (orphaned(file, cutoff) && Files.deleteIfExists(file)) {
                removed++;
              }
            }
          }
          return removed;
        });
  }

  /**
   * Whether {@code file}, from before {@code cutoff}, is named by no task; false once it is gone.
   */
  private boolean orphaned(Path file, Instant cutoff) throws IOException {
    try {
      if (!Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
        return false;
      }
    } catch (java.nio.file.NoSuchFileException e) {
      return false; // removed meanwhile (its task expired and was swept)
    }
    var name = file.getFileName().toString();
    var task = repository.find(name.substring(0, name.indexOf('.')));
    return name.endsWith(".request")
        ? task.isEmpty()
        : task.map(t -> !name.equals(t.resultBlob())).orElse(true);
  }

  /** Removes the task's files: its request blob (if it had one) and its result blob. */
  private void dropBlob(TaskRecord t) {
    try {
      Files.deleteIfExists(options.blobDir().resolve(t.taskId() + ".request"));
      if (t.resultBlob() != null) {
        Files.deleteIfExists(options.blobDir().resolve(t.resultBlob()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path blobDir() {
    return options.blobDir();
  }

  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    return workers.close();
  }

  /** Blocking work on the task pool; unordered, so one slow statement never queues the others. */
  private <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
    return workers.executeBlocking(work, false);
  }
}
