package dev.crossgate.app.cluster;

import static dev.crossgate.app.cluster.ClusterKit.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.store.PrivatePostgres;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL restarted while routes are written: every write that was acknowledged (201) is on
 * every node exactly once, the log stays gap-free, and nothing the database refused is half there.
 * The database is a private PostgreSQL cluster of this test's ({@link PrivatePostgres}), never the
 * machine's shared server.
 */
class PostgresRestartTest {

  @Test
  void noAcknowledgedChangeIsLostOrAppliedTwiceAcrossADatabaseRestart() throws Exception {
    try (var pg = PrivatePostgres.start();
        var kit = new ClusterKit(100_000, pg.hostPort())) {
      var a = kit.startAdmin();
      var n1 = kit.startNode("n1", NodePolicy.acceptAll(), List.of(a.uri()));
      var n2 = kit.startNode("n2", NodePolicy.acceptAll(), List.of(a.uri()));
      var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      var acknowledged = Collections.synchronizedList(new ArrayList<String>());
      var refused = new AtomicInteger();
      // asserted on the test thread: a failed assertion in the writer would only end the writer
      var unexpected = Collections.synchronizedList(new ArrayList<String>());
      var stop = new AtomicBoolean();
      var writer =
          new Thread(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  try {
                    var response =
                        http.send(
                            HttpRequest.newBuilder(a.uri().resolve("/admin/routes"))
                                .header("Authorization", "Bearer " + ClusterKit.ADMIN_TOKEN)
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(15))
                                .POST(
                                    HttpRequest.BodyPublishers.ofString(
                                        route("/load" + i, "http://127.0.0.1:1/x")))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 201) {
                      acknowledged.add(
                          response.body().replaceAll(".*\"id\":\"(rt_[^\"]+)\".*", "$1"));
                    } else if (response.statusCode() == 503) {
                      refused.incrementAndGet();
                    } else {
                      unexpected.add(response.statusCode() + " " + response.body());
                    }
                  } catch (java.io.IOException e) {
                    refused.incrementAndGet();
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      writer.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 20);

      pg.restart();
      int beforeRestartDone = acknowledged.size();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> acknowledged.size() >= beforeRestartDone + 20);
      stop.set(true);
      writer.join();
      assertThat(unexpected).as("answers other than 201 and 503 during the restart").isEmpty();

      long latest = a.controlPlane().changeLog().latestRevision();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                for (var node : List.of(n1, n2)) {
                  assertThat(node.cluster().get().revision()).isEqualTo(latest);
                }
              });
      var changes = a.controlPlane().changeLog().after(0, 100_000);
      assertThat(changes)
          .extracting(c -> c.revision())
          .containsExactlyElementsOf(
              java.util.stream.LongStream.rangeClosed(1, latest).boxed().toList());
      var logged = new HashSet<String>();
      changes.forEach(
          c -> assertThat(logged.add(c.entityId())).as("logged once: " + c.entityId()).isTrue());
      assertThat(logged).containsAll(acknowledged);
      for (var node : List.of(n1, n2)) {
        assertThat(node.cluster().get().routes().size()).isEqualTo(changes.size());
        acknowledged.forEach(id -> assertThat(node.cluster().get().routes().get(id)).isNotNull());
        assertThat(node.cluster().get().hash()).isEqualTo(a.controlPlane().follower().get().hash());
      }
    }
  }

  @Test
  void theAdminApiAnswers503WithRetryAfterWhileTheDatabaseIsDown() throws Exception {
    try (var pg = PrivatePostgres.start();
        var kit = new ClusterKit(100_000, pg.hostPort())) {
      var a = kit.startAdmin();
      var http = HttpClient.newHttpClient();

      pg.stop();
      var response =
          http.send(
              HttpRequest.newBuilder(a.uri().resolve("/admin/routes"))
                  .header("Authorization", "Bearer " + ClusterKit.ADMIN_TOKEN)
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      pg.restart();

      assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("application/problem+json");
      assertThat(response.body()).contains("store-unavailable");
    }
  }
}
