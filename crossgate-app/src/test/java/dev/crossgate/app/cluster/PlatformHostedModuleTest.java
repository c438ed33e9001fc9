package dev.crossgate.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.gateway.kit.WatModules;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A module uploaded to the control plane (PostgreSQL) runs on a cluster node that fetched it by
 * digest from the control plane — with no tenant endpoint at all, from the first call — and the
 * control plane hands modules only to enrolled nodes.
 */
class PlatformHostedModuleTest {
  private static final String ANSWER =
      "{\"response\":{\"status\":200,\"body\":{\"ran\":\"platform\"}}}";

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void anUploadedModuleRunsOnANodeWithoutAnyTenantEndpointFromTheFirstCall() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var admin = kit.startAdmin();
      var node =
          kit.startNode(
              "n1", java.nio.file.Files.createTempDirectory("cg-n1"), List.of(admin.uri()));
      kit.post(admin.uri(), "/admin/tenants", "{\"id\":\"acme\",\"name\":\"acme\"}");
      var key = kit.post(admin.uri(), "/admin/tenants/acme/keys", "{}").path("key").asText();
      kit.put(
          admin.uri(),
          "/admin/tenants/acme/extensions/hello",
          "{\"point\":\"request\",\"versions\":[{\"version\":\"v1\",\"weight\":1}]}");
      var module = WatModules.answering(ANSWER);
      var upload =
          kit.uploadModule(
              admin.uri(), "/admin/tenants/acme/extensions/hello/versions/v1/module", module);
      var route =
          kit.post(
              admin.uri(),
              "/admin/routes",
              "{\"service\":\"hello\",\"sourcePath\":\"/hello\",\"targetUrl\":\"http://127.0.0.1:9\","
                  + "\"auth\":\"KEY\",\"flow\":[\"ext:hello\"]}");
      assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
      assertThat(
              ClusterKit.await(
                  node.cluster().applied(route.path("revision").asLong(), Duration.ofSeconds(20))))
          .isTrue();

      var first =
          http.send(
              HttpRequest.newBuilder(node.traffic("/hello")).header("X-Api-Key", key).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      assertThat(first.body()).isEqualTo("{\"ran\":\"platform\"}");
      assertThat(first.headers().firstValue("X-Crossgate-Extension-Version")).contains("v1");
      assertThat(node.traffic().metrics().scrape()).contains("location=\"local\",outcome=\"ok\"");
    }
  }

  @Test
  void theControlPlaneHandsModulesOnlyToEnrolledNodes() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var admin = kit.startAdmin();
      kit.post(admin.uri(), "/admin/tenants", "{\"id\":\"acme\",\"name\":\"acme\"}");
      kit.put(
          admin.uri(),
          "/admin/tenants/acme/extensions/hello",
          "{\"point\":\"request\",\"versions\":[{\"version\":\"v1\",\"weight\":1}]}");
      var module = WatModules.answering(ANSWER);
      assertThat(
              kit.uploadModule(
                      admin.uri(),
                      "/admin/tenants/acme/extensions/hello/versions/v1/module",
                      module)
                  .statusCode())
          .isEqualTo(200);
      var path = "/cluster/modules/" + ArtifactCheck.sha256(module);

      var none = fetch(admin.uri(), path, null, null);
      var clusterToken = fetch(admin.uri(), path, "n1", ClusterKit.CLUSTER_TOKEN);
      var adminToken = fetch(admin.uri(), path, "n1", ClusterKit.ADMIN_TOKEN);
      var forged = fetch(admin.uri(), path, "n1", "cgn_forged-credential");

      for (var refused : List.of(none, clusterToken, adminToken, forged)) {
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("content-type"))
            .contains("application/problem+json");
        assertThat(refused.body()).doesNotContain("asm");
      }
    }
  }

  private HttpResponse<String> fetch(URI base, String path, String nodeId, String bearer)
      throws Exception {
    var request = HttpRequest.newBuilder(base.resolve(path));
    if (nodeId != null) {
      request.header("X-Crossgate-Node-Id", nodeId);
    }
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
