package dev.crossgate.store.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.store.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskRepositoryTest {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  private static TaskRecord task(String id, Instant expires) {
    return TaskRecord.pending(id, "acme", "rt1", "CALLBACK", "hash", "{\"taskId\":\"" + id + "\"}", "POST",
        "/def?x=1", "application/json", NOW, expires);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aTaskIsStoredRunsAndFinishesOnce(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var repo = new TaskRepository(db.database());
      repo.insert(task("t1", NOW.plus(Duration.ofHours(1))), "body".getBytes(StandardCharsets.UTF_8));

      boolean running = repo.markRunning("t1", NOW);
      boolean first = repo.finish("t1", new TaskResult(TaskStatus.DONE, 200, "text/plain", 2, new byte[] {'o', 'k'},
          null, null), NOW);
      boolean second = repo.finish("t1", new TaskResult(TaskStatus.DONE, 200, "text/plain", 1, new byte[] {'x'},
          null, null), NOW);

      assertThat(running).isTrue();
      assertThat(first).isTrue();
      assertThat(second).isFalse();
      var stored = repo.find("t1").orElseThrow();
      assertThat(stored.status()).isEqualTo(TaskStatus.DONE);
      assertThat(stored.resultStatus()).isEqualTo(200);
      assertThat(stored.owner()).isEqualTo("acme");
      assertThat(new String(repo.resultBody("t1"), StandardCharsets.UTF_8)).isEqualTo("ok");
      assertThat(new String(repo.requestBody("t1"), StandardCharsets.UTF_8)).isEqualTo("body");
      assertThat(repo.list("acme", null, 10, 0)).hasSize(1);
      assertThat(repo.delete("t1")).isPresent();
      assertThat(repo.find("t1")).isEmpty();
      assertThat(repo.delete("t1")).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void expiredTasksAreListedOldestFirst(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var repo = new TaskRepository(db.database());
      repo.insert(task("late", NOW.minusSeconds(10)), null);
      repo.insert(task("early", NOW.minusSeconds(20)), null);
      repo.insert(task("alive", NOW.plusSeconds(60)), null);

      var expired = repo.expired(NOW, 10);

      assertThat(expired).extracting(TaskRecord::taskId).containsExactly("early", "late");
      assertThat(repo.find("late").orElseThrow().statusAt(NOW)).isEqualTo(TaskStatus.EXPIRED);
    }
  }
}
