package dev.crossgate.admin.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import dev.crossgate.store.task.TaskRecord;
import dev.crossgate.store.task.TaskRepository;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TaskEndpointTest {
  @Test
  void operatorsSeeTasksWithOwnerButNeverTheSecretAndABadStatusIs400() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var now = Instant.now();
      new TaskRepository(kit.controlPlane().database()).insert(TaskRecord.pending("tk_1", "acme", "rt1", "CALLBACK",
          "secret-hash", "{\"taskId\":\"tk_1\"}", "POST", "/def", null, now, now.plusSeconds(60)), null);

      var all = kit.get("/admin/tasks");
      var filtered = kit.get("/admin/tasks?owner=globex");
      var bad = kit.get("/admin/tasks?status=LOST");

      assertThat(all.status()).isEqualTo(200);
      assertThat(all.json().path("total").asLong()).isEqualTo(1);
      assertThat(all.json().path("items").get(0).path("owner").asText()).isEqualTo("acme");
      assertThat(all.json().path("items").get(0).path("status").asText()).isEqualTo("PENDING");
      assertThat(all.body()).doesNotContain("secret-hash");
      assertThat(filtered.json().path("items")).isEmpty();
      assertThat(bad.status()).isEqualTo(400);
    }
  }
}
