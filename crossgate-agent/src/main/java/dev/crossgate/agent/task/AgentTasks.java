package dev.crossgate.agent.task;

import dev.crossgate.id.Ids;
import dev.crossgate.store.Database;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The agent's task table as futures: every JDBC call runs on the {@code crossgate-agent-tasks}
 * worker pool, never on the event loop. On stop, {@link #drain()} lets the calls already running
 * finish before the database is closed.
 */
public final class AgentTasks {
  private final AgentTaskRepository repository;
  private final WorkerExecutor workers;
  private final Clock clock;
  private final Set<Future<?>> running = new HashSet<>();
  private boolean stopping;

  public AgentTasks(Database database, WorkerExecutor workers, Clock clock) {
    this.repository = new AgentTaskRepository(database);
    this.workers = workers;
    this.clock = clock;
  }

  /**
   * Stores a new task (state NEW) before the caller gets its 202; the supervisor submits it.
   *
   * @param gatewayHost the Host to submit under (see {@link AgentTask}), or null
   * @param envelope builds the envelope JSON from the new task id
   */
  public Future<AgentTask> create(
      String method,
      String gatewayUri,
      String gatewayHost,
      String contentType,
      String callbackUrl,
      Buffer body,
      java.util.function.Function<String, String> envelope) {
    var id = Ids.random("at_");
    var now = clock.instant();
    var task =
        new AgentTask(
            id,
            AgentTask.State.NEW,
            envelope.apply(id),
            method,
            gatewayUri,
            gatewayHost,
            contentType,
            callbackUrl,
            Ids.random("msg_"),
            null,
            null,
            null,
            null,
            0,
            0,
            null,
            now,
            now,
            now);
    var bytes = body == null || body.length() == 0 ? null : body.getBytes();
    return blocking(
        () -> {
          repository.insert(task, bytes);
          return task;
        });
  }

  public Future<Optional<AgentTask>> find(String id) {
    return blocking(() -> repository.find(id));
  }

  public Future<Buffer> result(String id) {
    return blocking(
        () -> {
          var bytes = repository.resultBody(id);
          return bytes == null ? Buffer.buffer() : Buffer.buffer(bytes);
        });
  }

  public Future<Boolean> delete(String id) {
    return blocking(() -> repository.delete(id));
  }

  public Future<Long> unfinished() {
    return blocking(repository::unfinished);
  }

  AgentTaskRepository repository() {
    return repository;
  }

  Clock clock() {
    return clock;
  }

  <T> Future<T> blocking(Callable<T> work) {
    Future<T> future;
    synchronized (running) {
      if (stopping) {
        return Future.failedFuture(new IllegalStateException("the agent is stopping"));
      }
      future = workers.executeBlocking(work, false);
      running.add(future);
    }
    future.onComplete(
        done -> {
          synchronized (running) {
            running.remove(future);
          }
        });
    return future;
  }

  /**
   * Refuses new work and completes once the work already running has finished (or after {@code
   * timeout}), so that the database is closed with no statement in flight: a connection still in
   * use when the pool closes is aborted asynchronously, and an H2 file it holds stays locked for a
   * while after close returned (an agent restarted in the same process could not reopen it).
   */
  public Future<Void> drain(Duration timeout) {
    List<Future<?>> inFlight;
    synchronized (running) {
      stopping = true;
      inFlight = List.copyOf(running);
    }
    return Future.join(inFlight)
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }
}
