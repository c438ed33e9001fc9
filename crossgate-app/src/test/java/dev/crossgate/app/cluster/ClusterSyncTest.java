package dev.crossgate.app.cluster;

import static dev.crossgate.app.cluster.ClusterKit.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.gateway.cluster.NodePolicy;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Every gateway node applies every route change: two control planes, three nodes, real sockets,
 * PostgreSQL.
 */
class ClusterSyncTest {
  private static final Duration CONVERGE = Duration.ofSeconds(20);

  @Test
  void changesThroughEitherAdminOrANodeReachEveryNodeWithEqualHashes() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var b = kit.startAdmin();
      var n1 = kit.startNode("n1", NodePolicy.acceptAll(), List.of(a.uri()));
      var n2 = kit.startNode("n2", NodePolicy.acceptAll(), List.of(b.uri()));
      var n3 = kit.startNode("n3", NodePolicy.acceptAll(), List.of(b.uri(), a.uri()));

      kit.post(a.uri(), "/admin/routes", route("/via-a", kit.upstream() + "/a"));
      kit.post(b.uri(), "/admin/routes", route("/via-b", "http://127.0.0.1:1/b"));
      var nodeAdmin = java.net.URI.create("http://127.0.0.1:" + n3.admin().port());
      var viaNode =
          kit.post(nodeAdmin, "/admin/routes", route("/via-node", "http://127.0.0.1:1/n"));

      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () -> {
                for (var node : List.of(n1, n2, n3)) {
                  assertThat(node.cluster().get().revision()).isEqualTo(3);
                  assertThat(node.cluster().get().routes().get(viaNode.path("id").asText()))
                      .isNotNull();
                }
              });
      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () -> {
                for (var admin : List.of(a, b)) {
                  var status = kit.get(admin.uri(), "/admin/nodes");
                  assertThat(status.path("revision").asLong()).isEqualTo(3);
                  var nodes =
                      StreamSupport.stream(status.path("nodes").spliterator(), false).toList();
                  assertThat(nodes)
                      .extracting(n -> n.path("nodeId").asText())
                      .containsExactly("n1", "n2", "n3");
                  assertThat(nodes)
                      .allSatisfy(
                          n -> {
                            assertThat(n.path("appliedRevision").asLong()).isEqualTo(3);
                            assertThat(n.path("configHash").asText())
                                .isEqualTo(status.path("hash").asText());
                            assertThat(n.path("inSync").asBoolean()).isTrue();
                            assertThat(n.path("lag").asLong()).isZero();
                            assertThat(n.path("lastResult").asText()).isEqualTo("ACK");
                          });
                }
              });
      assertThat(n1.cluster().get().hash())
          .isEqualTo(n2.cluster().get().hash())
          .isEqualTo(n3.cluster().get().hash());
      for (var node : List.of(n1, n2, n3)) {
        assertThat(kit.call(node, "/via-a/x")).containsExactly("200", "upstream saw /a/x");
      }
    }
  }

  @Test
  void aNodeStoppedDuringFiftyChangesCatchesUpByDeltaAndAnOlderOneBySnapshot() throws Exception {
    try (var kit = new ClusterKit(20)) {
      var a = kit.startAdmin();
      var node = kit.startNode("n1", NodePolicy.acceptAll(), List.of(a.uri()));
      kit.post(a.uri(), "/admin/routes", route("/first", "http://127.0.0.1:1/x"));
      await().atMost(CONVERGE).until(() -> node.cluster().get().revision() == 1);
      var dataDir = node.dataDir();
      kit.stopNode(node);

      for (int i = 0; i < 15; i++) {
        kit.post(a.uri(), "/admin/routes", route("/r" + i, "http://127.0.0.1:1/x"));
      }
      var back = kit.startNode("n1", dataDir, NodePolicy.acceptAll(), List.of(a.uri()));

      await().atMost(CONVERGE).until(() -> back.cluster().get().revision() == 16);
      assertThat(back.cluster().deltasApplied()).isPositive();
      assertThat(back.cluster().snapshotsApplied()).isZero();

      kit.stopNode(back);
      for (int i = 15; i < 50; i++) {
        kit.post(a.uri(), "/admin/routes", route("/r" + i, "http://127.0.0.1:1/x"));
      }
      a.controlPlane().changeLog().prune(20);
      var old = kit.startNode("n1", dataDir, NodePolicy.acceptAll(), List.of(a.uri()));

      await().atMost(CONVERGE).until(() -> old.cluster().get().revision() == 51);
      assertThat(old.cluster().snapshotsApplied()).isEqualTo(1);
      assertThat(old.cluster().get().routes().size()).isEqualTo(51);
      assertThat(old.cluster().get().hashHex())
          .isEqualTo(a.controlPlane().follower().get().hashHex());
    }
  }

  @Test
  void aNewNodeIsReadyOnlyOnceItAppliedTheControlPlanesConfiguration() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      int port;
      try (var free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = free.getLocalPort();
      }
      var node =
          kit.startNode(
              "n1",
              java.nio.file.Files.createTempDirectory("cg-node-n1"),
              List.of(java.net.URI.create("http://127.0.0.1:" + port)));
      var nodeAdmin = java.net.URI.create("http://127.0.0.1:" + node.admin().port());

      var beforeAnyControlPlane = kit.request("GET", nodeAdmin, "/readyz", null);
      var trafficBefore = kit.call(node, "/_ready");
      kit.startAdmin(port);

      assertThat(beforeAnyControlPlane.statusCode()).isEqualTo(503);
      assertThat(trafficBefore[0]).isEqualTo("503");
      await()
          .atMost(CONVERGE)
          .until(() -> kit.request("GET", nodeAdmin, "/readyz", null).statusCode() == 200);
      assertThat(kit.call(node, "/_ready")[0]).isEqualTo("200");
      assertThat(node.cluster().snapshotsApplied()).isEqualTo(1);
    }
  }

  @Test
  void nodesServeThroughAControlPlaneOutageAndFromDiskAfterARestart() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var node = kit.startNode("n1", NodePolicy.acceptAll(), List.of(a.uri()));
      kit.post(a.uri(), "/admin/routes", route("/kept", kit.upstream() + "/x"));
      await().atMost(CONVERGE).until(() -> node.cluster().get().revision() == 1);
      var port = a.controlPlane().port();

      kit.stopAdmin(a);
      assertThat(kit.call(node, "/kept/1")).containsExactly("200", "upstream saw /x/1");
      var dataDir = node.dataDir();
      kit.stopNode(node);
      var restarted =
          kit.startNode(
              "n1",
              dataDir,
              NodePolicy.acceptAll(),
              List.of(java.net.URI.create("http://127.0.0.1:" + port)));

      assertThat(restarted.cluster().get().revision()).isEqualTo(1);
      assertThat(restarted.cluster().get().routes().size()).isEqualTo(1);
      assertThat(restarted.cluster().connected()).isFalse();
      assertThat(kit.call(restarted, "/kept/2")).containsExactly("200", "upstream saw /x/2");

      var again = kit.startAdmin(port);
      kit.post(again.uri(), "/admin/routes", route("/after", kit.upstream() + "/y"));

      await().atMost(CONVERGE).until(() -> restarted.cluster().get().revision() == 2);
      assertThat(restarted.cluster().connected()).isTrue();
      assertThat(kit.call(restarted, "/after/3")).containsExactly("200", "upstream saw /y/3");
    }
  }
}
