package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.task.TaskOptions;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.store.task.TaskRecord;
import dev.crossgate.store.task.TaskRepository;
import dev.crossgate.store.task.TaskRequestBody;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One tenant cannot fill the shared task table: unfinished tasks (count and request bytes) and
 * uncollected results are bounded per tenant, with a 429 naming the bound, its value and when to
 * retry; other tenants keep submitting, and nothing over the bound reaches the upstream.
 */
class TaskQuotaTest {
  @TempDir Path dataDir;
  private TestDatabases.Handle db;
  private GatewayKit kit;

  private void start(String dbKind, TaskOptions.Quota quota) {
    db = TestDatabases.open(dbKind);
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1),
            new GatewayServices(db.database(), TaskOptions.defaults(dataDir).withQuota(quota)));
    kit.routes(route("def", "/def", kit.target("/analyse")).async().build());
  }

  @AfterEach
  void close() {
    if (kit != null) {
      kit.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aTenantAtItsPendingTaskQuotaGets429WhileAnotherTenantSubmits(String dbKind) {
    start(dbKind, new TaskOptions.Quota(3, 0, 0));
    var flooder = kit.apiKey("acme");
    var other = kit.apiKey("globex");
    for (int i = 0; i < 3; i++) {
      assertThat(kit.send(HttpMethod.POST, "/async/def", "n" + i, "X-Api-Key", flooder).status())
          .isEqualTo(202);
      kit.upstream.next();
    }

    var fourth = kit.send(HttpMethod.POST, "/async/def", "n3", "X-Api-Key", flooder);
    var otherTenant = kit.send(HttpMethod.POST, "/async/def", "g0", "X-Api-Key", other);

    assertThat(fourth.status()).isEqualTo(429);
    assertThat(fourth.problemType()).isEqualTo("task-quota-exceeded");
    assertThat(fourth.json())
        .containsEntry("quota", "pendingTasks")
        .containsEntry("limit", 3)
        .containsEntry("current", 3);
    assertThat(fourth.header("Retry-After")).isEqualTo("2");
    assertThat(otherTenant.status()).isEqualTo(202);
    assertThat(kit.upstream.next().body())
        .as("only the other tenant's task went upstream")
        .isEqualTo("g0");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void tasksThatExpiredButAreNotSweptYetDoNotCount() {
    start("h2", new TaskOptions.Quota(2, 0, 0));
    var key = kit.apiKey("acme");
    var repository = new TaskRepository(db.database());
    for (var id : List.of("tk_old1", "tk_old2")) {
      var created = Instant.now().minus(Duration.ofHours(2));
      repository.insert(
          TaskRecord.pending(
              id,
              "acme",
              "def",
              "CALLBACK",
              "hash",
              "{}",
              "POST",
              "/def",
              null,
              created,
              created.plus(Duration.ofHours(1))),
          TaskRequestBody.inline(null));
    }

    var first = kit.send(HttpMethod.POST, "/async/def", "n0", "X-Api-Key", key);
    var second = kit.send(HttpMethod.POST, "/async/def", "n1", "X-Api-Key", key);
    var third = kit.send(HttpMethod.POST, "/async/def", "n2", "X-Api-Key", key);

    // the counters hold four tasks, the quota two: only the unexpired ones are what it bounds
    assertThat(first.status()).isEqualTo(202);
    assertThat(second.status()).isEqualTo(202);
    assertThat(third.status()).isEqualTo(429);
    assertThat(third.json()).containsEntry("current", 2);
  }

  @Test
  void requestBytesOfUnfinishedTasksAreBounded() {
    start("h2", new TaskOptions.Quota(0, 1_000, 0));
    var key = kit.apiKey("acme");

    var first = kit.send(HttpMethod.POST, "/async/def", "a".repeat(600), "X-Api-Key", key);
    var second = kit.send(HttpMethod.POST, "/async/def", "b".repeat(600), "X-Api-Key", key);
    var small = kit.send(HttpMethod.POST, "/async/def", "c".repeat(300), "X-Api-Key", key);

    assertThat(first.status()).isEqualTo(202);
    assertThat(second.status()).isEqualTo(429);
    assertThat(second.json())
        .containsEntry("quota", "pendingBytes")
        .containsEntry("limit", 1_000)
        .containsEntry("current", 600);
    assertThat(small.status()).as("a body that fits the rest of the quota").isEqualTo(202);
  }

  @Test
  void uncollectedResultsBlockNewTasksUntilTheTenantCollectsThem() {
    start("h2", new TaskOptions.Quota(0, 0, 10));
    var key = kit.apiKey("acme");
    var accepted = kit.send(HttpMethod.POST, "/async/def", "x", "X-Api-Key", key);
    var taskId = accepted.json().get("taskId").toString();
    var resultUrl = URI.create(kit.upstream.next().headers().get(CrossgateHeaders.RESULT_URL));
    var posted =
        kit.send(
            HttpMethod.POST,
            resultUrl.getRawPath() + "?" + resultUrl.getRawQuery(),
            "twenty bytes of data",
            "Content-Type",
            "text/plain");
    assertThat(posted.status()).isEqualTo(204);

    var whileHeld = kit.send(HttpMethod.POST, "/async/def", "y", "X-Api-Key", key);
    var collected = kit.send(HttpMethod.DELETE, "/_tasks/" + taskId, null, "X-Api-Key", key);
    var afterCollecting = kit.send(HttpMethod.POST, "/async/def", "z", "X-Api-Key", key);

    assertThat(whileHeld.status()).isEqualTo(429);
    assertThat(whileHeld.json()).containsEntry("quota", "resultBytes").containsEntry("current", 20);
    assertThat(collected.status()).isEqualTo(204);
    assertThat(afterCollecting.status()).isEqualTo(202);
  }
}
