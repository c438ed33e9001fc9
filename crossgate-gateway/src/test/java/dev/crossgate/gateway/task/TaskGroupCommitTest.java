package dev.crossgate.gateway.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.store.sql.Sql;
import dev.crossgate.store.task.TaskRecord;
import dev.crossgate.store.task.TaskRepository;
import dev.crossgate.store.task.TaskRequestBody;
import dev.crossgate.store.task.TaskStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TaskStore} creates go through {@link TaskGroupCommit}: many callers, shared commits, each
 * answered alone.
 */
class TaskGroupCommitTest {
  @TempDir Path blobs;

  private final Vertx vertx = Vertx.vertx();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void concurrentCreatesAreEachStoredExactlyOnceOnBothStores() throws Exception {
    for (var kind : List.of("h2", "postgres")) {
      var db = TestDatabases.open(kind);
      open.add(db);
      var store = TaskStore.open(vertx, db.database(), TaskOptions.defaults(blobs.resolve(kind)));

      var created = all(store, 300, i -> null);

      var ids = new HashSet<String>();
      created.forEach(c -> ids.add(c.task().taskId()));
      assertThat(ids).as(kind).hasSize(300);
      assertThat(created).allSatisfy(c -> assertThat(c.existing()).isFalse());
      assertThat(new TaskRepository(db.database()).count()).as(kind).isEqualTo(300);
      for (var c : created) {
        assertThat(new TaskRepository(db.database()).find(c.task().taskId()))
            .map(TaskRecord::owner)
            .contains("acme");
      }
    }
  }

  @Test
  void anInsertThatLosesTheClientIdIndexToAnotherNodeAnswersThatTaskAndTheOthersAreStored()
      throws Exception {
    var db = TestDatabases.postgres();
    open.add(db);
    var store = TaskStore.open(vertx, db.database(), TaskOptions.defaults(blobs));
    var repository = new TaskRepository(db.database());
    // another node's transaction holds the client id "dup", not committed yet
    var otherNode = db.database().dataSource().getConnection();
    open.add(otherNode);
    otherNode.setAutoCommit(false);
    var theirs =
        TaskRecord.pending(
                "tk_other-node",
                "acme",
                "rt1",
                "CALLBACK",
                "hash",
                "{}",
                "POST",
                "/a",
                null,
                Instant.now(),
                Instant.now().plus(Duration.ofHours(1)))
            .withClientTaskId("dup");
    repository.insert(otherNode, theirs, TaskRequestBody.inline(null));

    var issued = issue(store, 20, i -> i == 10 ? "dup" : null);
    // our insert waits on the unique index for the other node's transaction
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                db.database()
                        .read(
                            c ->
                                Sql.queryLong(
                                    c,
                                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"))
                    > 0);
    otherNode.commit();
    var group = settled(issued);

    assertThat(group).allSatisfy(f -> assertThat(f.succeeded()).as("%s", f.cause()).isTrue());
    var dup = group.get(10).result();
    assertThat(dup.existing()).isTrue();
    assertThat(dup.task().taskId()).isEqualTo("tk_other-node");
    assertThat(repository.count()).isEqualTo(20);
    for (int i = 0; i < 20; i++) {
      if (i != 10) {
        assertThat(repository.find(group.get(i).result().task().taskId())).isPresent();
      }
    }
  }

  @Test
  void theQuotaCountsTheTasksOfTheSameGroup() throws Exception {
    var db = TestDatabases.open("h2");
    open.add(db);
    var store =
        TaskStore.open(
            vertx,
            db.database(),
            TaskOptions.defaults(blobs).withQuota(new TaskOptions.Quota(25, 0, 0)));

    var outcomes = settle(store, 60, i -> null);

    assertThat(outcomes.stream().filter(Future::succeeded)).hasSize(25);
    assertThat(outcomes.stream().filter(Future::failed))
        .allSatisfy(f -> assertThat(f.cause()).isInstanceOf(ProblemException.class))
        .hasSize(35);
    assertThat(new TaskRepository(db.database()).count()).isEqualTo(25);
  }

  @Test
  void aResubmissionInTheSameBurstGetsTheFirstTask() throws Exception {
    var db = TestDatabases.open("h2");
    open.add(db);
    var store = TaskStore.open(vertx, db.database(), TaskOptions.defaults(blobs));

    var created = all(store, 10, i -> "same");

    assertThat(created.stream().filter(c -> !c.existing())).hasSize(1);
    assertThat(created.stream().map(c -> c.task().taskId()).distinct()).hasSize(1);
    assertThat(new TaskRepository(db.database()).count()).isEqualTo(1);
  }

  @Test
  void aGroupOfManyTenantsWithResubmissionsAmongItKeepsEachTenantsCountersEqualToItsRows()
      throws Exception {
    for (var kind : List.of("h2", "postgres")) {
      var db = database(kind);
      var store = TaskStore.open(vertx, db.database(), TaskOptions.defaults(blobs.resolve(kind)));
      var tenants = List.of("acme", "globex", "initech");

      // plain tasks (inserted as one batch) between resubmissions of one client id per tenant
      var created =
          settleForTenants(store, tenants, 300, (i, owner) -> i % 7 == 0 ? "again-" + owner : null);

      assertThat(created).allSatisfy(f -> assertThat(f.succeeded()).as("%s", f.cause()).isTrue());
      var repository = new TaskRepository(db.database());
      // 300 creates, 43 of them with a client id: 3 stored (one per tenant), 40 answered existing
      assertThat(created.stream().filter(f -> f.result().existing())).as(kind).hasSize(40);
      assertThat(repository.count()).as(kind).isEqualTo(260);
      for (var owner : tenants) {
        var counted = db.database().read(c -> repository.countedUsage(c, owner));
        var summed = db.database().read(c -> repository.usage(c, owner, Instant.now()));
        assertThat(counted).as("%s %s", kind, owner).isEqualTo(summed);
        assertThat(counted.pendingTasks()).as("%s %s", kind, owner).isGreaterThan(80);
      }
    }
  }

  @Test
  void runningMarksCommittedTogetherAnswerEachTaskOnItsOwn() throws Exception {
    for (var kind : List.of("h2", "postgres")) {
      var db = database(kind);
      var store = TaskStore.open(vertx, db.database(), TaskOptions.defaults(blobs.resolve(kind)));
      var ids = createdIds(store, 6);
      // the odd ones are finished already: their marks must change nothing
      for (int i = 1; i < 6; i += 2) {
        store
            .finish(ids.get(i), TaskStatus.DONE, 200, null, Buffer.buffer("done"), null)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
      }

      var at = Instant.now();
      var marks = settled(issue(() -> ids.stream().map(id -> store.running(id, at)).toList()));

      var repository = new TaskRepository(db.database());
      for (int i = 0; i < 6; i++) {
        assertThat(marks.get(i).result()).as("%s task %d", kind, i).isEqualTo(i % 2 == 0);
        assertThat(repository.find(ids.get(i)).orElseThrow().status())
            .as("%s task %d", kind, i)
            .isEqualTo(i % 2 == 0 ? TaskStatus.RUNNING : TaskStatus.DONE);
      }
    }
  }

  /**
   * Two results of one task, both too large for the row, in one burst: one wins, and its blob file
   * holds its body (a shared file name let the loser replace the winner's file, then delete it).
   */
  @Test
  void twoSpilledResultsOfOneTaskLeaveTheWinnersBodyInPlace() throws Exception {
    for (var kind : List.of("h2", "postgres")) {
      var db = database(kind);
      var store = TaskStore.open(vertx, db.database(), TaskOptions.defaults(blobs.resolve(kind)));
      var ids = createdIds(store, 5);
      int size = store.options().inlineResultBytes() + 1;
      var done = Buffer.buffer("d".repeat(size));
      var failed = Buffer.buffer("f".repeat(size));

      var finished =
          settled(
              issue(
                  () -> {
                    var futures = new ArrayList<Future<Boolean>>();
                    for (var id : ids) {
                      futures.add(store.finish(id, TaskStatus.DONE, 200, "text/plain", done, null));
                      futures.add(
                          store.finish(id, TaskStatus.FAILED, 500, "text/plain", failed, "again"));
                    }
                    return futures;
                  }));

      assertThat(finished.stream().filter(Future::result)).as(kind).hasSize(5);
      var repository = new TaskRepository(db.database());
      for (var id : ids) {
        var task = repository.find(id).orElseThrow();
        var winner = task.status() == TaskStatus.DONE ? done : failed;
        assertThat(store.blobDir().resolve(task.resultBlob()))
            .as("%s %s", kind, id)
            .hasBinaryContent(winner.getBytes());
        try (var files = java.nio.file.Files.list(store.blobDir())) {
          assertThat(files.filter(f -> f.getFileName().toString().startsWith(id + ".")))
              .as("the loser's file is removed")
              .hasSize(1);
        }
      }
    }
  }

  /**
   * Files a crash left behind: results and requests no row names go when a store opens; the stored
   * result's file stays, and so does any file newer than the store (a write in flight).
   */
  @Test
  void filesThatNoTaskNamesAreRemovedWhenTheStoreOpensAndOnlyThose() throws Exception {
    for (var kind : List.of("h2", "postgres")) {
      var db = database(kind);
      var data = blobs.resolve("orphans-" + kind);
      var store = TaskStore.open(vertx, db.database(), TaskOptions.defaults(data));
      var id = createdIds(store, 1).get(0);
      var large = Buffer.buffer("r".repeat(store.options().inlineResultBytes() + 1));
      assertThat(
              store
                  .finish(id, TaskStatus.DONE, 200, "text/plain", large, null)
                  .toCompletionStage()
                  .toCompletableFuture()
                  .get(10, TimeUnit.SECONDS))
          .isTrue();
      var dir = store.blobDir();
      var stored =
          dir.resolve(new TaskRepository(db.database()).find(id).orElseThrow().resultBlob());
      var lostResult = write(dir.resolve(id + ".0123abcd.result"));
      var ghostResult = write(dir.resolve("tk_ghost.4567ef.result"));
      var ghostRequest = write(dir.resolve("tk_ghost.request"));
      var ownRequest = write(dir.resolve(id + ".request"));
      var spool = write(dir.resolve("spool_x.body"));
      var hourAgo = java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(3600));
      for (var file : List.of(stored, lostResult, ghostResult, ghostRequest, ownRequest, spool)) {
        java.nio.file.Files.setLastModifiedTime(file, hourAgo);
      }
      var reopened = TaskStore.open(vertx, db.database(), TaskOptions.defaults(data));
      // written after the store opened (its time set well past it: file clocks are coarse)
      var inFlight = write(dir.resolve("tk_later.89ab.result"));
      java.nio.file.Files.setLastModifiedTime(
          inFlight, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(60)));
      reopened
          .removeOrphanedFiles()
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);

      assertThat(lostResult).as(kind).doesNotExist();
      assertThat(ghostResult).as(kind).doesNotExist();
      assertThat(ghostRequest).as(kind).doesNotExist();
      assertThat(stored).as(kind).exists();
      assertThat(ownRequest).as("its task exists").exists();
      assertThat(spool).as("spools have their own sweep").exists();
      assertThat(inFlight).as("newer than the store").exists();
      reopened.close();
      store.close();
    }
  }

  private static Path write(Path file) throws java.io.IOException {
    return java.nio.file.Files.writeString(file, "bytes");
  }

  @Test
  void resultsCommittedTogetherAreEachStoredOnceAndReleaseTheirTenantsCounters() throws Exception {
    for (var kind : List.of("h2", "postgres")) {
      var db = database(kind);
      var store = TaskStore.open(vertx, db.database(), TaskOptions.defaults(blobs.resolve(kind)));
      var ids = createdIds(store, 25);
      var large = Buffer.buffer("r".repeat(store.options().inlineResultBytes() + 1));

      // the first 20 get two results each in one burst (one must lose), the last 5 one result too
      // large for the row (spilled to its blob file)
      var finished =
          settled(
              issue(
                  () -> {
                    var futures = new ArrayList<Future<Boolean>>();
                    for (int i = 0; i < 25; i++) {
                      var body = i < 20 ? Buffer.buffer("result " + i) : large;
                      futures.add(
                          store.finish(ids.get(i), TaskStatus.DONE, 200, "text/plain", body, null));
                      if (i < 20) {
                        futures.add(
                            store.finish(
                                ids.get(i), TaskStatus.FAILED, 500, "text/plain", body, "again"));
                      }
                    }
                    return futures;
                  }));

      assertThat(finished.stream().filter(Future::result)).as(kind).hasSize(25);
      var repository = new TaskRepository(db.database());
      for (int i = 0; i < 25; i++) {
        var task = repository.find(ids.get(i)).orElseThrow();
        assertThat(task.status().finished()).as("%s task %d", kind, i).isTrue();
        if (i >= 20) {
          assertThat(store.blobDir().resolve(task.resultBlob())).as(kind).hasSize(large.length());
        }
      }
      var counted = db.database().read(c -> repository.countedUsage(c, "acme"));
      assertThat(counted)
          .as(kind)
          .isEqualTo(db.database().read(c -> repository.usage(c, "acme", Instant.now())));
      assertThat(counted.pendingTasks()).as(kind).isZero();
    }
  }

  /**
   * A burst of results over three tenants, shared groups: first results stored, second results and
   * results for finished or missing tasks refused, each caller answered on its own; spilled blobs
   * in place; every tenant's counters equal to the sum over its rows, with the unfinished tasks
   * still counted.
   */
  @Test
  void resultsOfManyTenantsCommittedTogetherAnswerEachCallerAndKeepTheCountersEqualToTheRows()
      throws Exception {
    for (var kind : List.of("h2", "postgres")) {
      var db = database(kind);
      var store = TaskStore.open(vertx, db.database(), TaskOptions.defaults(blobs.resolve(kind)));
      var tenants = List.of("acme", "globex", "initech");
      var created = settleForTenants(store, tenants, 90, (i, owner) -> null);
      var ids = created.stream().map(f -> f.result().task().taskId()).toList();
      // every tenth task is finished before the burst, every third one is RUNNING
      for (int i = 0; i < 90; i++) {
        if (i % 10 == 0) {
          join(store.finish(ids.get(i), TaskStatus.DONE, 200, null, Buffer.buffer("early"), null));
        } else if (i % 3 == 1) {
          join(store.running(ids.get(i), Instant.now()));
        }
      }
      var large = Buffer.buffer("L".repeat(store.options().inlineResultBytes() + 1));

      // in the burst: tasks i % 5 == 3 get no result; i % 7 == 4 get a result too large for the
      // row (placed in its file first, so it reaches the group later); the other i % 4 == 0 get a
      // second result right after the first; and one result is for a task that does not exist
      var answers =
          settled(
              issue(
                  () -> {
                    var futures = new ArrayList<Future<Boolean>>();
                    for (int i = 0; i < 90; i++) {
                      if (i % 5 == 3) {
                        continue;
                      }
                      var body = i % 7 == 4 ? large : Buffer.buffer("first " + i);
                      futures.add(
                          store.finish(ids.get(i), TaskStatus.DONE, 200, "text/plain", body, null));
                      if (i % 4 == 0 && i % 7 != 4) {
                        futures.add(
                            store.finish(
                                ids.get(i),
                                TaskStatus.FAILED,
                                500,
                                "text/plain",
                                Buffer.buffer("second " + i),
                                "again"));
                      }
                    }
                    futures.add(
                        store.finish(
                            "tk_missing", TaskStatus.DONE, 200, null, Buffer.buffer(), null));
                    return futures;
                  }));

      assertThat(answers).allSatisfy(f -> assertThat(f.succeeded()).as("%s", f.cause()).isTrue());
      int next = 0;
      var repository = new TaskRepository(db.database());
      for (int i = 0; i < 90; i++) {
        var task = repository.find(ids.get(i)).orElseThrow();
        if (i % 5 == 3) {
          assertThat(task.status().finished()).as("%s task %d", kind, i).isFalse();
          continue;
        }
        var first = answers.get(next++).result();
        var second = i % 4 == 0 && i % 7 != 4 ? answers.get(next++).result() : null;
        // a task finished before the burst keeps its early result; else the first result wins
        assertThat(first).as("%s task %d first", kind, i).isEqualTo(i % 10 != 0);
        if (second != null) {
          assertThat(second).as("%s task %d second", kind, i).isFalse();
        }
        assertThat(task.status()).as("%s task %d", kind, i).isEqualTo(TaskStatus.DONE);
        if (i % 10 == 0) {
          assertThat(task.resultSize()).as("%s task %d", kind, i).isEqualTo(5);
        } else if (i % 7 == 4) {
          assertThat(store.blobDir().resolve(task.resultBlob()))
              .as("%s task %d", kind, i)
              .hasBinaryContent(large.getBytes());
        } else {
          assertThat(repository.resultBody(ids.get(i)))
              .as("%s task %d", kind, i)
              .isEqualTo(("first " + i).getBytes());
        }
      }
      assertThat(answers.get(next).result()).as("%s missing task", kind).isFalse();
      for (var owner : tenants) {
        var counted = db.database().read(c -> repository.countedUsage(c, owner));
        var summed = db.database().read(c -> repository.usage(c, owner, Instant.now()));
        assertThat(counted).as("%s %s", kind, owner).isEqualTo(summed);
        // 18 of the 90 tasks get no result, 6 per tenant
        assertThat(counted.pendingTasks()).as("%s %s", kind, owner).isEqualTo(6);
      }
    }
  }

  private static <T> T join(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Future<TaskStore.Created> create(TaskStore store, String clientTaskId) {
    return create(store, "acme", clientTaskId);
  }

  private static Future<TaskStore.Created> create(
      TaskStore store, String owner, String clientTaskId) {
    return store.create(
        owner,
        "rt1",
        "CALLBACK",
        "POST",
        "/a",
        "text/plain",
        Buffer.buffer("body"),
        clientTaskId,
        id -> "{}");
  }

  /** A fresh database of {@code kind} (h2 or postgres), closed after the test. */
  private TestDatabases.Handle database(String kind) {
    var db = TestDatabases.open(kind);
    open.add(db);
    return db;
  }

  /** The ids of {@code n} tasks created together. */
  private List<String> createdIds(TaskStore store, int n) throws Exception {
    return all(store, n, i -> null).stream().map(c -> c.task().taskId()).toList();
  }

  /** {@code n} creates issued together from one event loop, as many requests would. */
  private java.util.concurrent.CompletableFuture<List<Future<TaskStore.Created>>> issue(
      TaskStore store, int n, java.util.function.IntFunction<String> clientTaskId) {
    return issue(
        () -> {
          var futures = new ArrayList<Future<TaskStore.Created>>();
          for (int i = 0; i < n; i++) {
            futures.add(create(store, clientTaskId.apply(i)));
          }
          return futures;
        });
  }

  /** Calls made together from one event loop, so that they share groups. */
  private <T> java.util.concurrent.CompletableFuture<List<Future<T>>> issue(
      java.util.function.Supplier<List<Future<T>>> calls) {
    var issued = new java.util.concurrent.CompletableFuture<List<Future<T>>>();
    vertx.runOnContext(v -> issued.complete(calls.get()));
    return issued;
  }

  /**
   * {@code n} creates issued together, task i for tenant i modulo their number, with the client id
   * {@code clientTaskId} gives it; once every one has settled.
   */
  private List<Future<TaskStore.Created>> settleForTenants(
      TaskStore store,
      List<String> tenants,
      int n,
      java.util.function.BiFunction<Integer, String, String> clientTaskId)
      throws Exception {
    return settled(
        issue(
            () -> {
              var futures = new ArrayList<Future<TaskStore.Created>>();
              for (int i = 0; i < n; i++) {
                var owner = tenants.get(i % tenants.size());
                futures.add(create(store, owner, clientTaskId.apply(i, owner)));
              }
              return futures;
            }));
  }

  /** The futures once every one has settled. */
  private static <T> List<Future<T>> settled(
      java.util.concurrent.CompletableFuture<List<Future<T>>> issued) throws Exception {
    var futures = issued.get(10, TimeUnit.SECONDS);
    Future.join(futures)
        .toCompletionStage()
        .toCompletableFuture()
        .handle((r, e) -> r)
        .get(60, TimeUnit.SECONDS);
    return futures;
  }

  private List<Future<TaskStore.Created>> settle(
      TaskStore store, int n, java.util.function.IntFunction<String> clientTaskId)
      throws Exception {
    return settled(issue(store, n, clientTaskId));
  }

  private List<TaskStore.Created> all(
      TaskStore store, int n, java.util.function.IntFunction<String> clientTaskId)
      throws Exception {
    var futures = settle(store, n, clientTaskId);
    assertThat(futures).allSatisfy(f -> assertThat(f.succeeded()).as("%s", f.cause()).isTrue());
    return futures.stream().map(Future::result).toList();
  }
}
