package dev.crossgate.app.security;

import static dev.crossgate.app.cluster.ClusterKit.ADMIN_TOKEN;
import static dev.crossgate.app.cluster.ClusterKit.CLUSTER_TOKEN;
import static dev.crossgate.app.cluster.ClusterKit.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.app.cluster.ClusterKit;
import dev.crossgate.auth.Secrets;
import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 §5: a node's own credential — kept in its data dir, proved on every connection,
 * surviving restarts of either side, and withdrawn by retiring the node.
 */
class NodeCredentialTest {
  private static final Duration CONVERGE = Duration.ofSeconds(20);

  @Test
  void anEnrolledNodeReconnectsWithTheCredentialFromItsDataDirAfterAControlPlaneRestart()
      throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var dataDir = Files.createTempDirectory("cg-n1");
      var n1 = kit.startNode("n1", dataDir, List.of(a.uri()));
      kit.post(a.uri(), "/admin/routes", route("/first", "http://127.0.0.1:1/x"));
      await().atMost(CONVERGE).until(() -> n1.cluster().get().revision() == 1);
      var credentialFile = dataDir.resolve("node-credential.json");
      var enrolled = Files.readString(credentialFile);
      kit.stopNode(n1);
      var port = a.controlPlane().port();
      kit.stopAdmin(a);

      var again = kit.startAdmin(port);
      kit.post(again.uri(), "/admin/routes", route("/second", "http://127.0.0.1:1/x"));
      // no cluster token: the only way in is the credential in the data dir
      var back = kit.startEnrolledNode("n1", dataDir, List.of(again.uri()));
      await().atMost(CONVERGE).until(() -> back.cluster().get().revision() == 2);
      kit.request("POST", again.uri(), "/admin/nodes/n1/resync", ADMIN_TOKEN);

      await().atMost(CONVERGE).until(() -> back.cluster().snapshotsApplied() == 1);
      assertThat(back.cluster().get().hashHex())
          .isEqualTo(again.controlPlane().follower().get().hashHex());
      assertThat(Files.readString(credentialFile)).as("not enrolled again").isEqualTo(enrolled);
      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () -> {
                var view = kit.nodeView(again, "n1");
                assertThat(view.path("connected").asBoolean()).isTrue();
                assertThat(view.path("inSync").asBoolean()).isTrue();
              });
    }
  }

  @Test
  void aRetiredNodesOldCredentialIsRefusedAndItsIdCanEnrolAfresh() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var b = kit.startAdmin();
      var dataDir = Files.createTempDirectory("cg-n1");
      var enrolling = kit.startNode("n1", dataDir, List.of(b.uri()));
      await().atMost(CONVERGE).until(() -> enrolling.cluster().connected());
      kit.stopNode(enrolling);
      var oldCredential = credential(dataDir);
      // the node runs without the cluster token, so nothing but an operator's retirement is at work
      var n1 = kit.startEnrolledNode("n1", dataDir, List.of(b.uri()));
      await().atMost(CONVERGE).until(() -> kit.listedConnected(a, "n1"));

      // callers who may not retire nodes try the forced retirement first
      var viewer =
          kit.post(a.uri(), "/admin/tokens", "{\"name\":\"auditor\",\"role\":\"VIEWER\"}")
              .path("token")
              .asText();
      kit.post(a.uri(), "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}");
      var tenantKey = kit.post(a.uri(), "/admin/tenants/acme/keys", "{}").path("key").asText();
      var byViewer = kit.request("DELETE", a.uri(), "/admin/nodes/n1?force=true", viewer);
      var byTenant = kit.request("DELETE", a.uri(), "/admin/nodes/n1?force=true", tenantKey);
      var anonymous = kit.request("DELETE", a.uri(), "/admin/nodes/n1?force=true", null);
      // retired through a, while b holds the node's stream: connected, so only when forced
      var refused = kit.request("DELETE", a.uri(), "/admin/nodes/n1", ADMIN_TOKEN);
      var stillListed = kit.listedConnected(a, "n1");
      var retired = kit.request("DELETE", a.uri(), "/admin/nodes/n1?force=true", ADMIN_TOKEN);

      assertThat(byViewer.statusCode()).isEqualTo(403);
      assertThat(byTenant.statusCode()).isIn(401, 403);
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(refused.statusCode()).isEqualTo(409);
      assertThat(stillListed).as("none of the refused calls retired the node").isTrue();
      assertThat(n1.cluster().connected()).isTrue();

      assertThat(retired.statusCode()).isEqualTo(204);
      await().atMost(CONVERGE).until(() -> !n1.cluster().connected());
      assertThat(kit.nodeView(a, "n1")).isNull();
      assertThat(kit.nodeView(b, "n1")).isNull();
      assertThat(ForgedNode.refusal(b.uri(), "n1", oldCredential)).isEqualTo(401);
      assertThat(ForgedNode.refusal(a.uri(), "n1", oldCredential)).isEqualTo(401);
      assertThat(kit.request("DELETE", a.uri(), "/admin/nodes/n1", ADMIN_TOKEN).statusCode())
          .isEqualTo(404);

      kit.stopNode(n1);
      var fresh = kit.startNode("n1", dataDir, List.of(a.uri()));
      await().atMost(CONVERGE).until(() -> fresh.cluster().connected());
      assertThat(credential(dataDir)).isNotEqualTo(oldCredential);
      assertThat(ForgedNode.refusal(a.uri(), "n1", oldCredential)).isEqualTo(401);
      await().atMost(CONVERGE).until(() -> kit.listedConnected(b, "n1"));
    }
  }

  @Test
  void aSecondConnectionThatProvesTheNodesCredentialReplacesTheFirst() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var dataDir = Files.createTempDirectory("cg-n1");
      var n1 = kit.startNode("n1", dataDir, List.of(a.uri()));
      kit.post(a.uri(), "/admin/routes", route("/first", "http://127.0.0.1:1/x"));
      await().atMost(CONVERGE).until(() -> n1.cluster().get().revision() == 1);
      // hand-made connections with the node's real credential: the real client would reconnect and
      // replace them in turn, which is right but makes the order of events a race
      kit.stopNode(n1);
      var credential = credential(dataDir);
      // a HELLO from ahead of the control plane: always answered with a SNAPSHOT
      var ahead = new ClusterMessage.Hello("n1", 99, "0000000000000000", "test");

      var first = ForgedNode.connect(a.uri(), "n1", credential);
      first.send(ahead);
      await().atMost(CONVERGE).until(() -> !first.received().isEmpty());
      var second = ForgedNode.connect(a.uri(), "n1", credential);
      second.send(ahead);
      await()
          .atMost(CONVERGE)
          .until(() -> !second.received().isEmpty() && first.closedWith() != null);

      assertThat(Json.mapper().readTree(first.received().get(0)).path("type").asText())
          .isEqualTo("SNAPSHOT");
      assertThat(Json.mapper().readTree(second.received().get(0)).path("type").asText())
          .isEqualTo("SNAPSHOT");
      assertThat(first.closedWith()).startsWith("1000").contains("replaced by a newer connection");
      assertThat(second.closedWith()).isNull();
    }
  }

  @Test
  void retiringANodeTakesAnAdminTokenWithTheAdminRole() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var n1 = kit.startNode("n1", Files.createTempDirectory("cg-n1"), List.of(a.uri()));
      await().atMost(CONVERGE).until(() -> n1.cluster().connected());
      var viewer =
          kit.post(a.uri(), "/admin/tokens", "{\"name\":\"watcher\",\"role\":\"VIEWER\"}")
              .path("token")
              .asText();

      var anonymous = kit.request("DELETE", a.uri(), "/admin/nodes/n1", null);
      var withClusterToken = kit.request("DELETE", a.uri(), "/admin/nodes/n1", CLUSTER_TOKEN);
      var asViewer = kit.request("DELETE", a.uri(), "/admin/nodes/n1", viewer);

      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(withClusterToken.statusCode()).isEqualTo(401);
      assertThat(asViewer.statusCode()).isEqualTo(403);
      assertThat(asViewer.headers().firstValue("content-type"))
          .contains("application/problem+json");
      assertThat(n1.cluster().connected()).isTrue();
      assertThat(kit.nodeView(a, "n1").path("connected").asBoolean()).isTrue();
    }
  }

  @Test
  void theCredentialFileIsReadableByTheNodeOnlyAndTheControlPlaneKeepsOnlyItsHash()
      throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var dataDir = Files.createTempDirectory("cg-n1");
      var n1 = kit.startNode("n1", dataDir, List.of(a.uri()));
      await().atMost(CONVERGE).until(() -> n1.cluster().connected());

      var file = dataDir.resolve("node-credential.json");
      var stored = Json.mapper().readTree(file.toFile());

      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(stored.path("nodeId").asText()).isEqualTo("n1");
      assertThat(stored.path("credential").asText()).startsWith("cgn_").hasSize(4 + 43);
      try (var files = Files.list(dataDir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .noneMatch(name -> name.endsWith(".tmp"));
      }
      assertThat(storedHashes(kit))
          .containsExactly(Secrets.sha256Hex(stored.path("credential").asText()));
    }
  }

  private static String credential(Path dataDir) throws Exception {
    return Json.mapper()
        .readTree(dataDir.resolve("node-credential.json").toFile())
        .path("credential")
        .asText();
  }

  /** Every value of the control plane's credential table: hashes, never the credential itself. */
  private static List<String> storedHashes(ClusterKit kit) throws Exception {
    try (var c = DriverManager.getConnection(kit.db.url(), "postgres", null);
        var rs =
            c.createStatement()
                .executeQuery("SELECT node_id, credential_hash FROM node_credentials")) {
      var out = new java.util.ArrayList<String>();
      while (rs.next()) {
        assertThat(rs.getString(1)).isEqualTo("n1");
        out.add(rs.getString(2));
      }
      return out;
    }
  }
}
