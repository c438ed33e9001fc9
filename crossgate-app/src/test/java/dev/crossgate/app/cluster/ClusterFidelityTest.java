package dev.crossgate.app.cluster;

import static dev.crossgate.app.cluster.ClusterKit.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a cluster promises beyond convergence: the node that took a write serves it when it answers,
 * a node applies every resource it can and rejects only those it cannot, dead nodes can be removed,
 * and the control plane sees the tasks of nodes on its database. Control planes and nodes in one
 * JVM over the real cluster stream, on PostgreSQL.
 */
class ClusterFidelityTest {
  private static final Duration CONVERGE = Duration.ofSeconds(20);
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aWriteThroughANodesAdminPortIsServedByThatNodeOnceItIsAnswered() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var node = kit.startNode("n1", NodePolicy.acceptAll(), List.of(a.uri()));
      await().atMost(CONVERGE).until(() -> node.cluster().connected());
      var upstream = kit.upstream();

      int served = 0;
      long lastRevision = 0;
      for (int i = 0; i < 100; i++) {
        var written =
            kit.exchange(
                "POST", node.adminUri(), "/admin/routes", route("/w" + i, upstream + "/x" + i));
        assertThat(written.statusCode()).isEqualTo(201);
        assertThat(written.headers().firstValue(CrossgateHeaders.APPLIED)).hasValue("applied");
        lastRevision =
            Long.parseLong(written.headers().firstValue(CrossgateHeaders.REVISION).orElseThrow());
        // at once, on the traffic port of the node that took the write
        var call = kit.call(node, "/w" + i + "/y");
        if (call[0].equals("200") && call[1].equals("upstream saw /x" + i + "/y")) {
          served++;
        }
      }

      assertThat(served).isEqualTo(100);
      assertThat(lastRevision).isEqualTo(100);
      // the control plane's own answers say which revision they reflect
      var nodes = kit.exchange("GET", a.uri(), "/admin/nodes", null);
      assertThat(nodes.headers().firstValue(CrossgateHeaders.REVISION)).hasValue("100");
      assertThat(kit.request("GET", a.uri(), "/admin/nodes", null).headers().map())
          .as("nothing for a caller without a token")
          .doesNotContainKey(CrossgateHeaders.REVISION.toLowerCase(java.util.Locale.ROOT));
    }
  }

  @Test
  void aReadWithMinRevisionWaitsForTheNodeAndSaysWhenItDidNotGetThere() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var node = kit.startNode("n1", NodePolicy.acceptAll(), List.of(a.uri()));
      kit.post(a.uri(), "/admin/routes", route("/r", "http://127.0.0.1:1/x"));
      await().atMost(CONVERGE).until(() -> node.cluster().appliedRevision() == 1);

      var reached = kit.exchange("GET", node.adminUri(), "/admin/routes?minRevision=1", null);
      var ahead = kit.exchange("GET", node.adminUri(), "/admin/routes?minRevision=2", null);
      var notARevision = kit.exchange("GET", node.adminUri(), "/admin/routes?minRevision=x", null);
      var onAWrite =
          kit.exchange(
              "POST",
              node.adminUri(),
              "/admin/routes?minRevision=1",
              route("/s", "http://127.0.0.1:1/x"));

      assertThat(reached.statusCode()).isEqualTo(200);
      assertThat(reached.headers().firstValue(CrossgateHeaders.APPLIED)).hasValue("applied");
      assertThat(Json.mapper().readTree(reached.body()).path("items")).hasSize(1);
      // nothing wrote revision 2: answered with the data after the wait, and said so
      assertThat(ahead.statusCode()).isEqualTo(200);
      assertThat(ahead.headers().firstValue(CrossgateHeaders.APPLIED)).hasValue("pending");
      assertThat(ahead.headers().firstValue(CrossgateHeaders.REVISION)).hasValue("1");
      for (var refused : List.of(notARevision, onAWrite)) {
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("content-type"))
            .hasValue("application/problem+json");
        assertThat(refused.body()).contains("minRevision");
      }
      assertThat(node.cluster().appliedRevision()).as("the refused write was not sent").isOne();
    }
  }

  @Test
  void aNodeThatRefusesOneRouteKeepsApplyingLaterChangesAndIsShownWithThatOneRejection()
      throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var strict =
          kit.startNode(
              "strict", NodePolicy.allowedUpstreamSchemes(Set.of("http")), List.of(a.uri()));
      var easy = kit.startNode("easy", NodePolicy.acceptAll(), List.of(a.uri()));
      var upstream = kit.upstream();

      var refused =
          kit.post(a.uri(), "/admin/routes", route("/tls", "https://127.0.0.1:1/x")).path("id");
      for (int i = 0; i < 10; i++) {
        kit.post(a.uri(), "/admin/routes", route("/ok" + i, upstream + "/x"));
      }

      await()
          .atMost(CONVERGE)
          .until(
              () ->
                  strict.cluster().appliedRevision() == 11
                      && easy.cluster().appliedRevision() == 11);
      assertThat(strict.cluster().get().routes().size()).isEqualTo(10);
      assertThat(easy.cluster().get().routes().size()).isEqualTo(11);
      assertThat(kit.call(strict, "/ok9/a")).containsExactly("200", "upstream saw /x/a");
      assertThat(kit.call(strict, "/tls/a")[0]).isEqualTo("404");
      assertThat(strict.cluster().refused()).as("no NACK: the revisions were applied").isZero();
      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () -> {
                var view = kit.nodeView(a, "strict");
                assertThat(view.path("state").asText()).isEqualTo("applied-with-rejections");
                assertThat(view.path("appliedRevision").asLong()).isEqualTo(11);
                assertThat(view.path("lag").asLong()).isZero();
                assertThat(view.path("lastResult").asText()).isEqualTo("ACK");
                assertThat(view.path("rejected")).hasSize(1);
                var rejection = view.path("rejected").get(0);
                assertThat(rejection.path("entityType").asText()).isEqualTo("ROUTE");
                assertThat(rejection.path("entityId").asText()).isEqualTo(refused.asText());
                assertThat(rejection.path("reason").asText())
                    .contains("upstream scheme 'https' is not allowed on this node");
                assertThat(kit.nodeView(a, "easy").path("state").asText()).isEqualTo("in-sync");
              });
      // its hash is the one expected: heartbeats (every 500 ms) bring no repair snapshot
      long snapshots = strict.cluster().snapshotsApplied();
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(4))
          .until(() -> strict.cluster().snapshotsApplied() == snapshots);

      kit.put(a.uri(), "/admin/routes/" + refused.asText(), route("/tls", upstream + "/fixed"));

      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () -> {
                var view = kit.nodeView(a, "strict");
                assertThat(view.path("state").asText()).isEqualTo("in-sync");
                assertThat(view.path("rejected")).isEmpty();
              });
      assertThat(strict.cluster().get().hash()).isEqualTo(easy.cluster().get().hash());
      assertThat(kit.call(strict, "/tls/a")).containsExactly("200", "upstream saw /fixed/a");
    }
  }

  @Test
  void aNodeIsRemovedOnceItIsGoneButNotWhileItIsConnected() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var node = kit.startNode("n1", NodePolicy.acceptAll(), List.of(a.uri()));
      await().atMost(CONVERGE).until(() -> kit.listedConnected(a, "n1"));

      var whileConnected = kit.exchange("DELETE", a.uri(), "/admin/nodes/n1", null);
      var badForce = kit.exchange("DELETE", a.uri(), "/admin/nodes/n1?force=yes", null);

      assertThat(whileConnected.statusCode()).isEqualTo(409);
      assertThat(whileConnected.headers().firstValue("content-type"))
          .hasValue("application/problem+json");
      assertThat(whileConnected.body()).contains("is connected", "force=true");
      assertThat(badForce.statusCode()).isEqualTo(400);
      assertThat(kit.nodeView(a, "n1")).as("still listed").isNotNull();
      assertThat(node.cluster().connected()).isTrue();

      kit.stopNode(node);
      await().atMost(CONVERGE).until(() -> !kit.nodeView(a, "n1").path("connected").asBoolean());
      var removed = kit.exchange("DELETE", a.uri(), "/admin/nodes/n1", null);
      var again = kit.exchange("DELETE", a.uri(), "/admin/nodes/n1", null);
      var unknown = kit.exchange("DELETE", a.uri(), "/admin/nodes/never-was", null);

      assertThat(removed.statusCode()).isEqualTo(204);
      assertThat(kit.nodeView(a, "n1")).as("gone from /admin/nodes").isNull();
      assertThat(again.statusCode()).isEqualTo(404);
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.headers().firstValue("content-type")).hasValue("application/problem+json");
    }
  }

  @Test
  void theControlPlaneListsATaskCreatedOnANodeThatSharesItsDatabase() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var node = kit.startNodeOnSharedDatabase("n1", List.of(a.uri()));
      kit.post(a.uri(), "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}");
      var key = kit.post(a.uri(), "/admin/tenants/acme/keys", "{}").path("key").asText();
      kit.post(
          a.uri(),
          "/admin/routes",
          "{\"service\":\"jobs\",\"sourcePath\":\"/work\",\"mode\":\"ASYNC\",\"asyncExecution\":\"HELD\","
              + "\"auth\":\"KEY\",\"methods\":[\"POST\"],\"targetUrl\":\"http://127.0.0.1:1/work\"}");
      await().atMost(CONVERGE).until(() -> node.cluster().appliedRevision() >= 3);

      var accepted =
          http.send(
              HttpRequest.newBuilder(node.traffic("/work"))
                  .header("X-Api-Key", key)
                  .timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.ofString("a job"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(accepted.statusCode()).isEqualTo(202);
      var location = accepted.headers().firstValue("Location").orElseThrow();
      var taskId = location.substring(location.lastIndexOf('/') + 1);

      JsonNode tasks = kit.get(a.uri(), "/admin/tasks");
      assertThat(tasks.path("items").findValuesAsText("taskId")).contains(taskId);
      assertThat(tasks.path("items").get(0).path("owner").asText()).isEqualTo("acme");
    }
  }
}
