package dev.crossgate.store.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.PageCursor;
import dev.crossgate.store.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskRepositoryTest {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  private static TaskRecord task(String id, Instant expires) {
    return TaskRecord.pending(
        id,
        "acme",
        "rt1",
        "CALLBACK",
        "hash",
        "{\"taskId\":\"" + id + "\"}",
        "POST",
        "/def?x=1",
        "application/json",
        NOW,
        expires);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void theUsageCountersFollowEveryInsertFinishAndDeleteAndBoundTheExactSum(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var repo = new TaskRepository(db.database());
      var later = NOW.plus(Duration.ofHours(1));
      repo.insert(task("a", later), TaskRequestBody.inline(new byte[100]));
      repo.insert(task("b", later), TaskRequestBody.inline(new byte[30]));
      repo.insert(task("gone", NOW.minusSeconds(1)), TaskRequestBody.inline(new byte[7]));
      repo.finish(
          "a", new TaskResult(TaskStatus.DONE, 200, "text/plain", 5, new byte[5], null, null), NOW);
      var beforeDelete = usage(db, repo, "acme");
      repo.delete("a");
      repo.delete("b");
      var afterDelete = usage(db, repo, "acme");

      // a finished: its request no longer pending, its result held; "gone" expired, not swept
      assertThat(beforeDelete.counted()).isEqualTo(new TaskUsage(2, 37, 5));
      assertThat(beforeDelete.exact()).isEqualTo(new TaskUsage(1, 30, 5));
      assertThat(afterDelete.counted()).isEqualTo(new TaskUsage(1, 7, 0));
      assertThat(afterDelete.exact()).isEqualTo(new TaskUsage(0, 0, 0));
      repo.delete("gone");
      assertThat(usage(db, repo, "acme").counted()).isEqualTo(new TaskUsage(0, 0, 0));
      assertThat(usage(db, repo, "nobody").counted()).isEqualTo(new TaskUsage(0, 0, 0));
    }
  }

  private record Usage(TaskUsage counted, TaskUsage exact) {}

  private static Usage usage(TestDatabases.Handle db, TaskRepository repo, String owner) {
    return db.database()
        .read(c -> new Usage(repo.countedUsage(c, owner), repo.usage(c, owner, NOW)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aTaskIsStoredRunsAndFinishesOnce(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var repo = new TaskRepository(db.database());
      repo.insert(
          task("t1", NOW.plus(Duration.ofHours(1))),
          TaskRequestBody.inline("body".getBytes(StandardCharsets.UTF_8)));

      boolean running = repo.markRunning("t1", NOW);
      boolean first =
          repo.finish(
              "t1",
              new TaskResult(
                  TaskStatus.DONE, 200, "text/plain", 2, new byte[] {'o', 'k'}, null, null),
              NOW);
      boolean second =
          repo.finish(
              "t1",
              new TaskResult(TaskStatus.DONE, 200, "text/plain", 1, new byte[] {'x'}, null, null),
              NOW);

      assertThat(running).isTrue();
      assertThat(first).isTrue();
      assertThat(second).isFalse();
      var stored = repo.find("t1").orElseThrow();
      assertThat(stored.status()).isEqualTo(TaskStatus.DONE);
      assertThat(stored.resultStatus()).isEqualTo(200);
      assertThat(stored.owner()).isEqualTo("acme");
      assertThat(new String(repo.resultBody("t1"), StandardCharsets.UTF_8)).isEqualTo("ok");
      assertThat(new String(repo.requestBody("t1").inline(), StandardCharsets.UTF_8))
          .isEqualTo("body");
      assertThat(repo.requestBody("t1").size()).isEqualTo(4);
      assertThat(repo.list(new TaskQuery("acme", null, 10, null)).items()).hasSize(1);
      assertThat(repo.delete("t1")).isPresent();
      assertThat(repo.find("t1")).isEmpty();
      assertThat(repo.delete("t1")).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void resultsStoredAsOneBatchAnswerEachInOrderAndMoveTheirOwnersCountersOnce(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var repo = new TaskRepository(db.database());
      var later = NOW.plus(Duration.ofHours(1));
      repo.insert(task("a1", later), TaskRequestBody.inline(new byte[10]));
      repo.insert(task("a2", later), TaskRequestBody.inline(new byte[20]));
      repo.insert(
          TaskRecord.pending(
              "g1", "globex", "rt1", "CALLBACK", "hash", "{}", "POST", "/def", null, NOW, later),
          TaskRequestBody.inline(new byte[40]));
      repo.insert(task("done", later), TaskRequestBody.inline(new byte[1]));
      repo.finish("done", result(TaskStatus.DONE, 3), NOW);
      repo.markRunning("a2", NOW);

      var batch =
          List.of(
              new TaskRepository.Finish("a1", result(TaskStatus.DONE, 5), NOW),
              new TaskRepository.Finish("g1", result(TaskStatus.FAILED, 7), NOW),
              new TaskRepository.Finish("a1", result(TaskStatus.FAILED, 100), NOW),
              new TaskRepository.Finish("done", result(TaskStatus.FAILED, 100), NOW),
              new TaskRepository.Finish("gone", result(TaskStatus.DONE, 100), NOW),
              new TaskRepository.Finish("a2", result(TaskStatus.DONE, 11), NOW));
      var stored =
          db.database()
              .inTransaction(
                  c -> {
                    var changes = new TaskRepository.UsageChanges();
                    var answers = repo.finish(c, batch, changes);
                    repo.count(c, changes);
                    return answers;
                  });

      // the first result of a1 wins within the batch; "done" already had one; "gone" is no task
      assertThat(stored).containsExactly(true, true, false, false, false, true);
      assertThat(repo.find("a1").orElseThrow().status()).isEqualTo(TaskStatus.DONE);
      assertThat(repo.find("a1").orElseThrow().resultSize()).isEqualTo(5);
      assertThat(repo.find("done").orElseThrow().resultSize()).isEqualTo(3);
      assertThat(repo.find("gone")).isEmpty();
      assertThat(usage(db, repo, "acme").counted()).isEqualTo(new TaskUsage(0, 0, 19));
      assertThat(usage(db, repo, "acme").exact()).isEqualTo(new TaskUsage(0, 0, 19));
      assertThat(usage(db, repo, "globex").counted()).isEqualTo(new TaskUsage(0, 0, 7));
    }
  }

  private static TaskResult result(TaskStatus status, int size) {
    return new TaskResult(status, 200, "text/plain", size, new byte[size], null, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void expiredTasksAreListedOldestFirst(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var repo = new TaskRepository(db.database());
      repo.insert(task("late", NOW.minusSeconds(10)), TaskRequestBody.inline(null));
      repo.insert(task("early", NOW.minusSeconds(20)), TaskRequestBody.inline(null));
      repo.insert(task("alive", NOW.plusSeconds(60)), TaskRequestBody.inline(null));

      var expired = repo.expired(NOW, 10);

      assertThat(expired).extracting(TaskRecord::taskId).containsExactly("early", "late");
      assertThat(repo.find("late").orElseThrow().statusAt(NOW)).isEqualTo(TaskStatus.EXPIRED);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void pagingByCursorVisitsEveryTaskOnceNewestFirstWithIdsBreakingTies(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var repo = new TaskRepository(db.database());
      var hour = NOW.plus(Duration.ofHours(1));
      for (var id : List.of("t5", "t2", "t9", "t1", "t7", "t3", "t8")) {
        var created = NOW.minusSeconds(Integer.parseInt(id.substring(1)) % 3);
        repo.insert(
            TaskRecord.pending(
                id, "acme", "rt1", "CALLBACK", "hash", "{}", "POST", "/def", null, created, hour),
            TaskRequestBody.inline(null));
      }
      repo.insert(
          TaskRecord.pending(
              "g1", "globex", "rt1", "CALLBACK", "hash", "{}", "POST", "/def", null, NOW, hour),
          TaskRequestBody.inline(null));

      var seen = new ArrayList<String>();
      var page = repo.list(new TaskQuery("acme", null, 2, null));
      seen.addAll(page.items().stream().map(TaskRecord::taskId).toList());
      // a task created after the first page was read must not shift a later page
      repo.insert(
          TaskRecord.pending(
              "t0",
              "acme",
              "rt1",
              "CALLBACK",
              "hash",
              "{}",
              "POST",
              "/def",
              null,
              NOW.plusSeconds(5),
              hour),
          TaskRequestBody.inline(null));
      int pages = 1;
      while (page.nextCursor() != null) {
        page = repo.list(new TaskQuery("acme", null, 2, page.nextCursor()));
        seen.addAll(page.items().stream().map(TaskRecord::taskId).toList());
        pages++;
      }

      // created NOW: t3, t9; NOW-1s: t1, t7; NOW-2s: t2, t5, t8
      assertThat(seen).containsExactly("t3", "t9", "t1", "t7", "t2", "t5", "t8");
      assertThat(pages).isEqualTo(4);
    }
  }

  @Test
  void aCursorTheApiDidNotIssueIsRefusedNamingTheField() {
    var routeCursor = PageCursor.encode("routes", "rt_abc");
    var issued = PageCursor.encode("tasks", NOW.toString(), "t1");
    var edited =
        new String(Base64.getUrlDecoder().decode(issued), StandardCharsets.UTF_8)
            .replace("\nt1\n", "\nt2\n");
    var tampered =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(edited.getBytes(StandardCharsets.UTF_8));

    assertThat(tampered).isNotEqualTo(issued);
    for (var cursor : List.of("garbage!", "", routeCursor, tampered, issued + "x")) {
      assertThatThrownBy(() -> new TaskQuery(null, null, 10, cursor))
          .isInstanceOfSatisfying(
              ProblemException.class,
              e -> {
                assertThat(e.problem().status()).isEqualTo(400);
                assertThat(e.problem().errors())
                    .extracting(FieldError::field)
                    .containsExactly("cursor");
              });
    }
    assertThat(new TaskQuery(null, null, 10, issued).cursor()).isEqualTo(issued);
  }
}
