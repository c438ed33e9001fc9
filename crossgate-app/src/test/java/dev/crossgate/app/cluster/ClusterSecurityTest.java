package dev.crossgate.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.store.route.RouteSpecs;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSecurityTest {

  // issue 12 §5: the stream takes node credentials only; the cluster token enrols (see app.security)
  @Test
  void theStreamRefusesConnectionsWithoutANodeCredentialEvenWithTheClusterToken() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin();
      var http = HttpClient.newHttpClient();

      var none = http.send(HttpRequest.newBuilder(a.uri().resolve("/cluster/stream")).build(),
          HttpResponse.BodyHandlers.ofString());
      var wrong = http.send(HttpRequest.newBuilder(a.uri().resolve("/cluster/stream"))
          .header("Authorization", "Bearer not-the-token").build(), HttpResponse.BodyHandlers.ofString());
      var clusterToken = http.send(HttpRequest.newBuilder(a.uri().resolve("/cluster/stream"))
          .header("X-Crossgate-Node-Id", "n1").header("Authorization", "Bearer " + ClusterKit.CLUSTER_TOKEN).build(),
          HttpResponse.BodyHandlers.ofString());
      var enrolWithoutToken = http.send(HttpRequest.newBuilder(a.uri().resolve("/cluster/enrol"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"nodeId\":\"n1\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());

      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("content-type")).contains("application/problem+json");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(clusterToken.statusCode()).isEqualTo(401);
      assertThat(enrolWithoutToken.statusCode()).isEqualTo(401);
      assertThat(enrolWithoutToken.headers().firstValue("content-type")).contains("application/problem+json");
      assertThat(kit.get(a.uri(), "/admin/nodes").path("nodes")).isEmpty();
    }
  }

  @Test
  void nodesFollowAControlPlaneOverTls(@TempDir Path dir) throws Exception {
    var cert = dir.resolve("cert.pem");
    var key = dir.resolve("key.pem");
    var openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
    var output = new String(openssl.getInputStream().readAllBytes());
    assertThat(openssl.waitFor()).as(output).isZero();
    try (var kit = new ClusterKit(100_000)) {
      var a = kit.startAdmin(0, new Path[] {cert, key});
      assertThat(a.uri().getScheme()).isEqualTo("https");
      var node = kit.startNode("tls-node", Files.createTempDirectory("cg-node"), NodePolicy.acceptAll(),
          List.of(a.uri()), cert.toString());

      var route = a.controlPlane().routes().create(RouteSpecs.spec("/secure", "v1"), "test");
      a.controlPlane().follower().poke();

      await().atMost(Duration.ofSeconds(20)).until(() -> node.cluster().get().routes().get(route.id()) != null);
      assertThat(node.cluster().connected()).isTrue();
    }
  }
}
