package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.task.TaskOptions;
import dev.crossgate.store.TestDatabases;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /_tasks/{id}/result} is reachable without an API key (upstreams post results with the
 * task secret), so it must not tell a prober which task ids exist: an unknown id and a wrong secret
 * get the same answer, and neither stores anything.
 */
class TaskResultOracleTest {
  @TempDir Path dataDir;
  private TestDatabases.Handle db;
  private GatewayKit kit;

  @AfterEach
  void close() {
    kit.close();
    db.close();
  }

  @Test
  void anUnknownTaskAndAWrongSecretAreAnsweredAlike() {
    db = TestDatabases.open("h2");
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1),
            new GatewayServices(db.database(), TaskOptions.defaults(dataDir)));
    kit.routes(route("def", "/def", kit.target("/analyse")).async().build());
    var key = kit.apiKey("acme");
    var taskId =
        kit.send(HttpMethod.POST, "/async/def", "x", "X-Api-Key", key)
            .json()
            .get("taskId")
            .toString();
    kit.upstream.next();

    var wrongSecret =
        kit.send(HttpMethod.POST, "/_tasks/" + taskId + "/result?secret=guess", "forged");
    var unknownTask =
        kit.send(
            HttpMethod.POST, "/_tasks/tk_000000000000000000000x/result?secret=guess", "forged");
    var status = kit.get("/_tasks/" + taskId, "X-Api-Key", key);

    assertThat(wrongSecret.status()).isEqualTo(unknownTask.status()).isEqualTo(403);
    assertThat(wrongSecret.problemType()).isEqualTo(unknownTask.problemType());
    assertThat(wrongSecret.json().get("detail").toString().replace(taskId, "ID"))
        .isEqualTo(
            unknownTask.json().get("detail").toString().replace("tk_000000000000000000000x", "ID"));
    assertThat(status.json()).containsEntry("status", "RUNNING");
  }
}
