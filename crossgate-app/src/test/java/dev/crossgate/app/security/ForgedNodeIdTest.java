package dev.crossgate.app.security;

import static dev.crossgate.app.cluster.ClusterKit.CLUSTER_TOKEN;
import static dev.crossgate.app.cluster.ClusterKit.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.app.cluster.ClusterKit;
import dev.crossgate.auth.Secrets;
import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.gateway.kit.WatModules;
import dev.crossgate.json.Json;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 §5: the cluster token no longer makes its holder any node it names. Each test is one
 * attack against a real control plane (PostgreSQL) with a real node {@code n1}, and shows the
 * refusal and that nothing leaked.
 */
class ForgedNodeIdTest {
  private static final Duration CONVERGE = Duration.ofSeconds(20);

  @Test
  void
      aForgerWithTheClusterTokenCannotBecomeAnEnrolledNodeNorReadItsSnapshotAndTheRealNodeStaysConnected()
          throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      kit.post(a.uri(), "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}");
      var keyHash =
          Secrets.sha256Hex(
              kit.post(a.uri(), "/admin/tenants/acme/keys", "{}").path("key").asText());
      var n1 = kit.startNode("n1", Files.createTempDirectory("cg-n1"), List.of(a.uri()));
      await().atMost(CONVERGE).until(() -> n1.cluster().get().apiKeys().containsKey(keyHash));

      int asN1WithToken = ForgedNode.refusal(a.uri(), "n1", CLUSTER_TOKEN);
      var problem = ForgedNode.plainGet(a.uri(), "n1", CLUSTER_TOKEN);
      var reEnrol = ForgedNode.enrol(a.uri(), "n1", CLUSTER_TOKEN);
      var ownId = Json.mapper().readTree(ForgedNode.enrol(a.uri(), "forger", CLUSTER_TOKEN).body());
      var forged = ForgedNode.connect(a.uri(), "forger", ownId.path("credential").asText());
      forged.send(new ClusterMessage.Hello("n1", 0, "0000000000000000", "forged"));
      await().atMost(CONVERGE).until(() -> forged.closedWith() != null);

      assertThat(asN1WithToken).isEqualTo(401);
      assertThat(problem.statusCode()).isEqualTo(401);
      assertThat(problem.headers().firstValue("content-type")).contains("application/problem+json");
      assertThat(problem.body())
          .contains("unauthorized", "only enrols nodes")
          .doesNotContain(keyHash);
      assertThat(ownId.properties())
          .extracting(java.util.Map.Entry::getKey)
          .as("the answer of an enrolment")
          .containsExactly("nodeId", "credential");
      assertThat(reEnrol.statusCode()).isEqualTo(409);
      assertThat(reEnrol.headers().firstValue("content-type")).contains("application/problem+json");
      assertThat(reEnrol.body())
          .contains("/problems/conflict", "DELETE /admin/nodes/n1")
          .doesNotContain("cgn_");
      assertThat(forged.closedWith()).startsWith("1008").contains("HELLO names another node");
      assertThat(forged.received()).as("no SNAPSHOT, no key hashes").isEmpty();
      // the real n1 was never pushed off: still connected, still following
      assertThat(n1.cluster().connected()).isTrue();
      var next =
          kit.post(a.uri(), "/admin/routes", route("/after-the-attack", "http://127.0.0.1:1/x"));
      await()
          .atMost(CONVERGE)
          .until(() -> n1.cluster().get().routes().get(next.path("id").asText()) != null);
      var view = kit.nodeView(a, "n1");
      assertThat(view.path("connected").asBoolean()).isTrue();
      assertThat(view.path("version").asText()).isEqualTo("test");
      assertThat(kit.nodeView(a, "forger")).as("a refused HELLO records nothing").isNull();
    }
  }

  @Test
  void aForgerCannotShowANodeThatIsDownAsConnectedBySendingItsAcks() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var n1 = kit.startNode("n1", Files.createTempDirectory("cg-n1"), List.of(a.uri()));
      kit.post(a.uri(), "/admin/routes", route("/one", "http://127.0.0.1:1/x"));
      await().atMost(CONVERGE).until(() -> n1.cluster().get().revision() == 1);
      kit.stopNode(n1);
      await().atMost(CONVERGE).until(() -> !kit.nodeView(a, "n1").path("connected").asBoolean());
      var before = kit.nodeView(a, "n1");
      var historyBefore = kit.get(a.uri(), "/admin/nodes/n1/history").path("items").size();
      kit.post(a.uri(), "/admin/routes", route("/two", "http://127.0.0.1:1/x"));
      var hash = a.controlPlane().follower().get().hashHex();

      int asN1 = ForgedNode.refusal(a.uri(), "n1", CLUSTER_TOKEN);
      var credential =
          Json.mapper()
              .readTree(ForgedNode.enrol(a.uri(), "forger", CLUSTER_TOKEN).body())
              .path("credential")
              .asText();
      var withoutHello = ForgedNode.connect(a.uri(), "forger", credential);
      boolean ackDelivered = withoutHello.send(new ClusterMessage.Ack(2, hash));
      withoutHello.send(
          new ClusterMessage.Heartbeat(2, hash)); // may find the stream closed already
      var helloAsN1 = ForgedNode.connect(a.uri(), "forger", credential);
      boolean helloDelivered = helloAsN1.send(new ClusterMessage.Hello("n1", 2, hash, "forged"));
      helloAsN1.send(new ClusterMessage.Ack(2, hash));
      helloAsN1.send(new ClusterMessage.Heartbeat(2, hash));
      await()
          .atMost(CONVERGE)
          .until(() -> withoutHello.closedWith() != null && helloAsN1.closedWith() != null);

      assertThat(asN1).isEqualTo(401);
      assertThat(ackDelivered).isTrue();
      assertThat(helloDelivered).isTrue();
      assertThat(withoutHello.closedWith()).startsWith("1008").contains("HELLO expected first");
      assertThat(helloAsN1.closedWith()).startsWith("1008").contains("HELLO names another node");
      var after = kit.nodeView(a, "n1");
      assertThat(after.path("connected").asBoolean()).isFalse();
      assertThat(after.path("appliedRevision").asLong()).isEqualTo(1);
      assertThat(after.path("lag").asLong()).isEqualTo(1);
      assertThat(after.path("lastSeen").asText()).isEqualTo(before.path("lastSeen").asText());
      assertThat(after.path("version").asText()).isEqualTo("test");
      assertThat(kit.get(a.uri(), "/admin/nodes/n1/history").path("items")).hasSize(historyBefore);
    }
  }

  @Test
  void aForgerCannotReportAModuleLoadedOnAnotherNodeOnlyOnItsOwn() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var n1 = kit.startNode("n1", Files.createTempDirectory("cg-n1"), List.of(a.uri()));
      kit.post(a.uri(), "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}");
      kit.put(
          a.uri(),
          "/admin/tenants/acme/extensions/hello",
          "{\"point\":\"request\",\"versions\":[{\"version\":\"v1\",\"weight\":1}]}");
      var module = WatModules.answering("{}");
      var version = "/admin/tenants/acme/extensions/hello/versions/v1";
      assertThat(kit.uploadModule(a.uri(), version + "/module", module).statusCode())
          .isEqualTo(200);
      await().atMost(CONVERGE).until(() -> n1.cluster().connected());
      var config = a.controlPlane().follower().get();
      var loaded =
          new ClusterMessage.Heartbeat(
              config.revision(),
              config.hashHex(),
              new ClusterMessage.NodeReport(
                  List.of(),
                  List.of(
                      new ModuleLoad(
                          "acme",
                          ArtifactCheck.sha256(module),
                          ModuleLoad.State.LOADED,
                          Instant.now(),
                          null))));
      var credential =
          Json.mapper()
              .readTree(ForgedNode.enrol(a.uri(), "forger", CLUSTER_TOKEN).body())
              .path("credential")
              .asText();

      var asN1 = ForgedNode.connect(a.uri(), "forger", credential);
      asN1.send(new ClusterMessage.Hello("n1", config.revision(), config.hashHex(), "forged"));
      asN1.send(loaded);
      await().atMost(CONVERGE).until(() -> asN1.closedWith() != null);
      var asItself = ForgedNode.connect(a.uri(), "forger", credential);
      asItself.send(
          new ClusterMessage.Hello("forger", config.revision(), config.hashHex(), "forged"));
      asItself.send(loaded);
      var view =
          await()
              .atMost(CONVERGE)
              .until(
                  () -> kit.get(a.uri(), version),
                  v -> ClusterKit.moduleStates(v).contains("forger LOADED"));

      assertThat(asN1.closedWith()).startsWith("1008").contains("HELLO names another node");
      assertThat(ClusterKit.moduleStates(view))
          .as("the report is the authenticated node's own, never n1's")
          .containsExactly("forger LOADED", "n1 NOT_LOADED");
    }
  }

  @Test
  void aWrongCredentialForAnEnrolledNodeIsRefused() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var n1 = kit.startNode("n1", Files.createTempDirectory("cg-n1"), List.of(a.uri()));
      var n2 = kit.startNode("n2", Files.createTempDirectory("cg-n2"), List.of(a.uri()));
      await().atMost(CONVERGE).until(() -> n1.cluster().connected() && n2.cluster().connected());
      var n2Credential =
          Json.mapper()
              .readTree(n2.dataDir().resolve("node-credential.json").toFile())
              .path("credential")
              .asText();

      int guessed = ForgedNode.refusal(a.uri(), "n1", "cgn_" + "A".repeat(43));
      int anotherNodes = ForgedNode.refusal(a.uri(), "n1", n2Credential);
      int unknownNode = ForgedNode.refusal(a.uri(), "n9", n2Credential);
      int noNodeId = ForgedNode.refusal(a.uri(), null, n2Credential);
      var wrong = ForgedNode.plainGet(a.uri(), "n1", n2Credential);
      var unknown = ForgedNode.plainGet(a.uri(), "n9", n2Credential);
      var rightButNoUpgrade = ForgedNode.plainGet(a.uri(), "n2", n2Credential);

      assertThat(List.of(guessed, anotherNodes, unknownNode, noNodeId)).containsOnly(401);
      assertThat(wrong.headers().firstValue("content-type")).contains("application/problem+json");
      assertThat(wrong.headers().firstValue("www-authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      // the same answer whether the id is enrolled or not: the stream does not tell strangers which
      // ids exist
      assertThat(Json.mapper().readTree(wrong.body()).path("detail").asText().replace("n1", "ID"))
          .isEqualTo(
              Json.mapper().readTree(unknown.body()).path("detail").asText().replace("n9", "ID"));
      assertThat(rightButNoUpgrade.statusCode()).isEqualTo(400);
      assertThat(n1.cluster().connected()).isTrue();
      assertThat(n2.cluster().connected()).isTrue();
      assertThat(kit.nodeView(a, "n1").path("connected").asBoolean()).isTrue();
      assertThat(kit.nodeView(a, "n9")).isNull();
    }
  }
}
