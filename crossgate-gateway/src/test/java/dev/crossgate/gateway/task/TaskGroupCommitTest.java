package dev.crossgate.gateway.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.store.sql.Sql;
import dev.crossgate.store.task.TaskRecord;
import dev.crossgate.store.task.TaskRepository;
import dev.crossgate.store.task.TaskRequestBody;
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

  private static Future<TaskStore.Created> create(TaskStore store, String clientTaskId) {
    return store.create(
        "acme",
        "rt1",
        "CALLBACK",
        "POST",
        "/a",
        "text/plain",
        Buffer.buffer("body"),
        clientTaskId,
        id -> "{}");
  }

  /** {@code n} creates issued together from one event loop, as many requests would. */
  private java.util.concurrent.CompletableFuture<List<Future<TaskStore.Created>>> issue(
      TaskStore store, int n, java.util.function.IntFunction<String> clientTaskId) {
    var issued = new java.util.concurrent.CompletableFuture<List<Future<TaskStore.Created>>>();
    vertx.runOnContext(
        v -> {
          var futures = new ArrayList<Future<TaskStore.Created>>();
          for (int i = 0; i < n; i++) {
            futures.add(create(store, clientTaskId.apply(i)));
          }
          issued.complete(futures);
        });
    return issued;
  }

  /** The futures once every one has settled. */
  private static List<Future<TaskStore.Created>> settled(
      java.util.concurrent.CompletableFuture<List<Future<TaskStore.Created>>> issued)
      throws Exception {
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
