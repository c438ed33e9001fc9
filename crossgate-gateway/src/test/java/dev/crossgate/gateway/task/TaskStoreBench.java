package dev.crossgate.gateway.task;

import dev.crossgate.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What bench/tasks/run.sh measures after its HTTP rounds: task acceptance by the store alone — a
 * closed loop of {@code CONCURRENCY} callers on one event loop, each calling {@link
 * TaskStore#create} again as soon as its task is committed (stored durably, as before a 202). No
 * HTTP, no upstream: the figure is what the store and its commits allow. H2 file by default,
 * PostgreSQL with {@code JDBC_URL}. Prints {@code bench store createPerSecond=…}.
 */
public final class TaskStoreBench {
  private static final Logger LOG = LoggerFactory.getLogger("crossgate.bench");

  private TaskStoreBench() {}

  public static void main(String[] args) throws Exception {
    int tasks = Integer.parseInt(System.getenv().getOrDefault("TASKS", "10000"));
    int concurrency = Integer.parseInt(System.getenv().getOrDefault("CONCURRENCY", "64"));
    var work = Files.createTempDirectory("crossgate-task-store-bench");
    var url = System.getenv("JDBC_URL") == null ? Database.h2Url(work) : System.getenv("JDBC_URL");
    var vertx = Vertx.vertx();
    try (var db = Database.open(url, System.getenv("JDBC_USER"), null, 16)) {
      // the default quota: the usage of the tenant is read as in production (10 tenants share the
      // load)
      var store = TaskStore.open(vertx, db, TaskOptions.defaults(work));
      var issued = new AtomicInteger();
      var done = new CompletableFuture<Void>();
      var finished = new AtomicInteger();
      long start = System.nanoTime();
      vertx.runOnContext(
          v -> {
            for (int i = 0; i < concurrency; i++) {
              next(store, issued, finished, tasks, done);
            }
          });
      done.get(10, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - start) / 1e9;
      LOG.info(
          "bench store tasks={} concurrency={} createPerSecond={} db={}",
          tasks,
          concurrency,
          Math.round(tasks / seconds),
          db.isPostgres() ? "postgres" : "h2");
      store.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void next(
      TaskStore store,
      AtomicInteger issued,
      AtomicInteger finished,
      int tasks,
      CompletableFuture<Void> done) {
    int n = issued.getAndIncrement();
    if (n >= tasks) {
      return;
    }
    Future<TaskStore.Created> created =
        store.create(
            "tenant-" + (n % 10),
            "rt1",
            "CALLBACK",
            "POST",
            "/a",
            "text/plain",
            Buffer.buffer("body"),
            null,
            id -> "{}");
    created.onComplete(
        ar -> {
          if (ar.failed()) {
            done.completeExceptionally(ar.cause());
            return;
          }
          if (finished.incrementAndGet() == tasks) {
            done.complete(null);
          }
          next(store, issued, finished, tasks, done);
        });
  }
}
