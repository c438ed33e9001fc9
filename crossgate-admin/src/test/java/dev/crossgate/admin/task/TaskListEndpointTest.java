package dev.crossgate.admin.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import dev.crossgate.store.task.TaskRecord;
import dev.crossgate.store.task.TaskRepository;
import java.time.Instant;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class TaskListEndpointTest {
  private static void insert(AdminKit kit, String id, Instant createdAt) {
    new TaskRepository(kit.controlPlane().database())
        .insert(
            TaskRecord.pending(
                id,
                "acme",
                "rt1",
                "CALLBACK",
                "secret-hash",
                "{\"taskId\":\"" + id + "\"}",
                "POST",
                "/def",
                null,
                createdAt,
                createdAt.plusSeconds(60)),
            dev.crossgate.store.task.TaskRequestBody.inline(null));
  }

  @Test
  void operatorsSeeTasksWithOwnerButNeverTheSecretAndABadStatusIs400() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      insert(kit, "tk_1", Instant.now());

      var all = kit.get("/admin/tasks");
      var filtered = kit.get("/admin/tasks?owner=globex");
      var bad = kit.get("/admin/tasks?status=LOST");

      assertThat(all.status()).isEqualTo(200);
      assertThat(all.json().path("total").asLong()).isEqualTo(1);
      assertThat(all.json().path("items").get(0).path("owner").asText()).isEqualTo("acme");
      assertThat(all.json().path("items").get(0).path("status").asText()).isEqualTo("PENDING");
      assertThat(all.json().path("nextCursor").isMissingNode()).isTrue();
      assertThat(all.body()).doesNotContain("secret-hash");
      assertThat(filtered.json().path("items")).isEmpty();
      assertThat(bad.status()).isEqualTo(400);
    }
  }

  @Test
  void tasksPageByTheNextCursorOfEachPage() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var now = Instant.now();
      for (int i = 0; i < 5; i++) {
        insert(kit, "tk_" + i, now.minusSeconds(i / 2));
      }

      var ids = new ArrayList<String>();
      var page = kit.get("/admin/tasks?limit=2");
      page.json().path("items").forEach(t -> ids.add(t.path("taskId").asText()));
      while (page.json().has("nextCursor")) {
        page = kit.get("/admin/tasks?limit=2&cursor=" + page.json().path("nextCursor").asText());
        page.json().path("items").forEach(t -> ids.add(t.path("taskId").asText()));
      }

      assertThat(ids).containsExactly("tk_0", "tk_1", "tk_2", "tk_3", "tk_4");
    }
  }

  @Test
  void aCursorTheApiDidNotIssueIs400NamingTheCursorNeverTheFirstPage() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      insert(kit, "tk_1", Instant.now());
      kit.post(
          "/admin/routes",
          "{\"service\":\"svc\",\"sourcePath\":\"/a\",\"targetUrl\":\"http://a/b\"}");
      kit.post(
          "/admin/routes",
          "{\"service\":\"svc\",\"sourcePath\":\"/b\",\"targetUrl\":\"http://a/b\"}");
      var routeCursor = kit.get("/admin/routes?limit=1").json().path("nextCursor").asText();

      var garbage = kit.get("/admin/tasks?cursor=zzz%27--");
      var wrongList = kit.get("/admin/tasks?cursor=" + routeCursor);

      for (var refused : java.util.List.of(garbage, wrongList)) {
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.header("content-type")).startsWith("application/problem+json");
        assertThat(refused.json().path("errors").get(0).path("field").asText()).isEqualTo("cursor");
        assertThat(refused.body()).doesNotContain("tk_1");
      }
    }
  }
}
