package dev.crossgate.gateway.extension;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Shares the WebAssembly worker threads between tenants: each tenant has its own bounded queue, and
 * a thread that frees up takes the next call of the next tenant in turn (round robin), so one
 * tenant's burst waits behind its own calls, not in front of everyone else's. Work-conserving: a
 * tenant alone may use every thread. A call over its tenant's queue bound, or not started within
 * the longest queue wait, fails at once as {@link ExtensionFailure.Kind#BUSY}; the extension's own
 * timeout counts only from the moment it starts running.
 *
 * <p>Thread-safe: calls come from every event loop; the small critical sections are synchronized.
 * Results complete on the submitting context.
 */
final class WasmScheduler {
  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final int threads;
  private final int queuePerTenant;
  private final long maxQueueWaitMs;
  private final Map<String, ArrayDeque<Call<?>>> queues = new HashMap<>();

  /** Tenants with queued calls, in the order they get the next free thread. */
  private final ArrayDeque<String> turn = new ArrayDeque<>();

  private int running;

  private final class Call<T> {
    final String tenant;
    final Callable<T> work;
    final Promise<T> promise;

    /**
     * Where the submitter waits: results are handed back there, whichever thread finished the run.
     */
    final Context context;

    boolean started;

    Call(String tenant, Callable<T> work, Promise<T> promise, Context context) {
      this.tenant = tenant;
      this.work = work;
      this.promise = promise;
      this.context = context;
    }
  }

  WasmScheduler(
      Vertx vertx, WorkerExecutor workers, int threads, int queuePerTenant, Duration maxQueueWait) {
    this.vertx = vertx;
    this.workers = workers;
    this.threads = threads;
    this.queuePerTenant = queuePerTenant;
    this.maxQueueWaitMs = Math.max(1, maxQueueWait.toMillis());
  }

  /** Runs {@code work} for {@code tenant} on a worker thread when its turn comes. */
  <T> Future<T> submit(String tenant, Callable<T> work) {
    var promise = Promise.<T>promise();
    var call = new Call<>(tenant, work, promise, vertx.getOrCreateContext());
    synchronized (this) {
      var queue = queues.computeIfAbsent(tenant, t -> new ArrayDeque<>());
      if (queue.size() >= queuePerTenant) {
        return Future.failedFuture(
            new ExtensionFailure(
                ExtensionFailure.Kind.BUSY,
                "tenant "
                    + tenant
                    + " already has "
                    + queuePerTenant
                    + " WebAssembly calls waiting on this node"));
      }
      if (queue.isEmpty()) {
        turn.addLast(tenant);
      }
      queue.addLast(call);
      dispatch();
      if (call.started) {
        return promise.future();
      }
    }
    // expire() finds the call gone if it started meanwhile
    long timer = vertx.setTimer(maxQueueWaitMs, t -> expire(call));
    promise.future().onComplete(ar -> vertx.cancelTimer(timer));
    return promise.future();
  }

  private synchronized void expire(Call<?> call) {
    var queue = queues.get(call.tenant);
    if (queue != null && queue.remove(call)) {
      if (queue.isEmpty()) {
        queues.remove(call.tenant);
        turn.remove(call.tenant);
      }
      call.promise.tryFail(
          new ExtensionFailure(
              ExtensionFailure.Kind.BUSY,
              "no WebAssembly worker was free within " + maxQueueWaitMs + " ms"));
    }
  }

  /**
   * Starts queued calls, one tenant after the other, while threads are free; the caller holds the
   * lock.
   */
  private void dispatch() {
    while (running < threads && !turn.isEmpty()) {
      var tenant = turn.pollFirst();
      var queue = queues.get(tenant);
      var next = queue.pollFirst();
      if (queue.isEmpty()) {
        queues.remove(tenant);
      } else {
        turn.addLast(tenant);
      }
      start(next);
    }
  }

  private <T> void start(Call<T> call) {
    running++;
    call.started = true;
    workers
        .executeBlocking(call.work, false)
        .onComplete(
            ar -> {
              finished();
              call.context.runOnContext(
                  v -> {
                    if (ar.succeeded()) {
                      call.promise.tryComplete(ar.result());
                    } else {
                      call.promise.tryFail(ar.cause());
                    }
                  });
            });
  }

  private synchronized void finished() {
    running--;
    dispatch();
  }

  /** Calls waiting for a thread (all tenants). */
  synchronized int queued() {
    return queues.values().stream().mapToInt(ArrayDeque::size).sum();
  }
}
