package dev.crossgate.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.store.cluster.NodeRepository;
import dev.crossgate.store.route.RouteSpecs;
import dev.crossgate.tls.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSecurityTest {

  // issue 12 §5: the stream takes node credentials only; the cluster token enrols (see
  // app.security)
  @Test
  void theStreamRefusesConnectionsWithoutANodeCredentialEvenWithTheClusterToken() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var http = HttpClient.newHttpClient();

      var none =
          http.send(
              HttpRequest.newBuilder(a.uri().resolve("/cluster/stream")).build(),
              HttpResponse.BodyHandlers.ofString());
      var wrong =
          http.send(
              HttpRequest.newBuilder(a.uri().resolve("/cluster/stream"))
                  .header("Authorization", "Bearer not-the-token")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      var clusterToken =
          http.send(
              HttpRequest.newBuilder(a.uri().resolve("/cluster/stream"))
                  .header("X-Crossgate-Node-Id", "n1")
                  .header("Authorization", "Bearer " + ClusterKit.CLUSTER_TOKEN)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      var enrolWithoutToken =
          http.send(
              HttpRequest.newBuilder(a.uri().resolve("/cluster/enrol"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"nodeId\":\"n1\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("content-type")).contains("application/problem+json");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(clusterToken.statusCode()).isEqualTo(401);
      assertThat(enrolWithoutToken.statusCode()).isEqualTo(401);
      assertThat(enrolWithoutToken.headers().firstValue("content-type"))
          .contains("application/problem+json");
      assertThat(kit.get(a.uri(), "/admin/nodes").path("nodes")).isEmpty();
    }
  }

  @Test
  void nodesFollowAControlPlaneOverTlsWithItsCaPinned(@TempDir Path dir) throws Exception {
    var ca = TestCertificates.authority("Control Plane CA");
    var server = ca.server("127.0.0.1").write(dir, "admin");
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin(0, new Path[] {server.cert(), server.key()});
      assertThat(a.uri().getScheme()).isEqualTo("https");
      var node =
          kit.startNode(
              "tls-node",
              Files.createTempDirectory("cg-node"),
              NodePolicy.acceptAll(),
              List.of(a.uri()),
              ca.writeCert(dir, "pinned-ca").toString());

      var route = a.controlPlane().routes().create(RouteSpecs.spec("/secure", "v1"), "test");
      a.controlPlane().follower().poke();

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> node.cluster().get().routes().get(route.id()) != null);
      assertThat(node.cluster().connected()).isTrue();
    }
  }

  @Test
  void aNodePinnedToAnotherCaRefusesTheControlPlaneAndNeverEnrols(@TempDir Path dir)
      throws Exception {
    var server =
        TestCertificates.authority("Control Plane CA").server("127.0.0.1").write(dir, "admin");
    var otherCa = TestCertificates.authority("Someone Else's CA").writeCert(dir, "other-ca");
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin(0, new Path[] {server.cert(), server.key()});
      a.controlPlane().routes().create(RouteSpecs.spec("/secure", "v1"), "test");
      var nodeDir = Files.createTempDirectory("cg-node");

      var node =
          kit.startNode(
              "pinned-elsewhere",
              nodeDir,
              NodePolicy.acceptAll(),
              List.of(a.uri()),
              otherCa.toString());
      // the node's admin port forwards with the same pinned TLS settings as its stream: refused at
      // the handshake
      var forwarded =
          kit.request(
              "GET",
              URI.create("http://127.0.0.1:" + node.admin().port()),
              "/admin/routes",
              ClusterKit.ADMIN_TOKEN);

      assertThat(forwarded.statusCode()).isEqualTo(503);
      assertThat(node.cluster().connected()).isFalse();
      assertThat(node.cluster().get().revision()).isZero();
      // the cluster token never went to a server the node could not verify
      assertThat(nodeDir.resolve("node-credential.json")).doesNotExist();
      assertThat(
              new NodeRepository(a.controlPlane().database(), Clock.systemUTC()).credentialHashes())
          .isEmpty();
    }
  }
}
