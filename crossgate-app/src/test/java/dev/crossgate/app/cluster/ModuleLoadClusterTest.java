package dev.crossgate.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.gateway.kit.WatModules;
import dev.crossgate.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: {@code GET /admin/tenants/{t}/extensions/{id}/versions/{v}} shows the load state of the
 * version's module on each node, as the nodes report it on their heartbeats to a control plane on
 * PostgreSQL; only to the tenant and operators.
 */
class ModuleLoadClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(20);
  private static final String VERSION = "/admin/tenants/acme/extensions/hello/versions/v1";
  private static final String ANSWER =
      "{\"response\":{\"status\":200,\"body\":{\"ran\":\"platform\"}}}";

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void theNodeThatRanAModuleReportsItLoadedWithItsDigestAndANodeThatNeverDidShowsNotLoaded()
      throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var admin = kit.startAdmin();
      var n1 = kit.startNode("n1", Files.createTempDirectory("cg-n1"), List.of(admin.uri()));
      var n2 = kit.startNode("n2", Files.createTempDirectory("cg-n2"), List.of(admin.uri()));
      var module = WatModules.answering(ANSWER);
      var key = hello(kit, admin.uri(), module, n1, n2);
      var before = kit.get(admin.uri(), VERSION);

      var first = call(n1, key);

      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      assertThat(ClusterKit.moduleStates(before)).containsExactly("n1 NOT_LOADED", "n2 NOT_LOADED");
      var after =
          await()
              .atMost(CONVERGE)
              .until(
                  () -> kit.get(admin.uri(), VERSION),
                  view -> ClusterKit.moduleStates(view).contains("n1 LOADED"));
      assertThat(after.path("sha256").asText()).isEqualTo(ArtifactCheck.sha256(module));
      assertThat(ClusterKit.moduleStates(after)).containsExactly("n1 LOADED", "n2 NOT_LOADED");
      assertThat(node(after, "n1").path("since").asText()).isNotEmpty();
      assertThat(node(after, "n1").has("detail")).isFalse();
      assertThat(node(after, "n2").has("since")).isFalse();
    }
  }

  @Test
  void aModuleTheNodeCannotLoadShowsFailedWithAReasonSafeToShowTheTenant() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var admin = kit.startAdmin();
      var n1 = kit.startNode("n1", Files.createTempDirectory("cg-n1"), List.of(admin.uri()));
      // valid WebAssembly the control plane accepts, but more memory than a node allows (256)
      var key = hello(kit, admin.uri(), WatModules.needingPages(300), n1);

      var refused = call(n1, key);

      assertThat(refused.statusCode()).isNotEqualTo(200);
      var view =
          await()
              .atMost(CONVERGE)
              .until(
                  () -> kit.get(admin.uri(), VERSION),
                  v -> ClusterKit.moduleStates(v).contains("n1 FAILED"));
      var n1View = node(view, "n1");
      assertThat(n1View.path("detail").asText())
          .isEqualTo("the module needs 300 memory pages, more than the 256 allowed");
      assertThat(n1View.path("since").asText()).isNotEmpty();
      assertThat(view.toString()).doesNotContain("Exception", "http://", "cluster/modules");
    }
  }

  @Test
  void anotherTenantsKeyLearnsNothingOfAModulesLoadState() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var admin = kit.startAdmin();
      var n1 = kit.startNode("n1", Files.createTempDirectory("cg-n1"), List.of(admin.uri()));
      var module = WatModules.answering(ANSWER);
      var acmeKey = hello(kit, admin.uri(), module, n1);
      kit.post(admin.uri(), "/admin/tenants", "{\"id\":\"globex\",\"name\":\"globex\"}");
      var globexKey =
          kit.post(admin.uri(), "/admin/tenants/globex/keys", "{}").path("key").asText();
      assertThat(call(n1, acmeKey).statusCode()).isEqualTo(200);
      await()
          .atMost(CONVERGE)
          .until(
              () -> ClusterKit.moduleStates(kit.get(admin.uri(), VERSION)).contains("n1 LOADED"));

      var acmesPath = kit.request("GET", admin.uri(), VERSION, globexKey);
      var ownPath =
          kit.request(
              "GET", admin.uri(), "/admin/tenants/globex/extensions/hello/versions/v1", globexKey);
      var byAcme = kit.request("GET", admin.uri(), VERSION, acmeKey);

      assertThat(acmesPath.statusCode()).isIn(403, 404);
      assertThat(ownPath.statusCode()).isEqualTo(404);
      for (var refused : List.of(acmesPath, ownPath)) {
        assertThat(refused.headers().firstValue("content-type"))
            .contains("application/problem+json");
        assertThat(refused.body())
            .doesNotContain(ArtifactCheck.sha256(module), "LOADED", "\"n1\"", "nodes");
      }
      assertThat(byAcme.statusCode()).as("the tenant itself reads it").isEqualTo(200);
      assertThat(ClusterKit.moduleStates(Json.mapper().readTree(byAcme.body())))
          .containsExactly("n1 LOADED");
    }
  }

  /**
   * Tenant acme with a key, its extension {@code hello} whose v1 is {@code module} uploaded to the
   * platform, and a route {@code /hello} running it, applied on {@code nodes}; acme's key.
   */
  private String hello(ClusterKit kit, URI admin, byte[] module, ClusterKit.Node... nodes)
      throws Exception {
    kit.post(admin, "/admin/tenants", "{\"id\":\"acme\",\"name\":\"acme\"}");
    var key = kit.post(admin, "/admin/tenants/acme/keys", "{}").path("key").asText();
    kit.put(
        admin,
        "/admin/tenants/acme/extensions/hello",
        "{\"point\":\"request\",\"versions\":[{\"version\":\"v1\",\"weight\":1}]}");
    var upload = kit.uploadModule(admin, VERSION + "/module", module);
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
    var route =
        kit.post(
            admin,
            "/admin/routes",
            "{\"service\":\"hello\",\"sourcePath\":\"/hello\",\"targetUrl\":\"http://127.0.0.1:9\","
                + "\"auth\":\"KEY\",\"flow\":[\"ext:hello\"]}");
    for (var node : nodes) {
      assertThat(
              ClusterKit.await(
                  node.cluster().applied(route.path("revision").asLong(), Duration.ofSeconds(20))))
          .isTrue();
    }
    return key;
  }

  private HttpResponse<String> call(ClusterKit.Node node, String key) throws Exception {
    return http.send(
        HttpRequest.newBuilder(node.traffic("/hello")).header("X-Api-Key", key).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode node(JsonNode version, String nodeId) {
    for (var node : version.path("nodes")) {
      if (node.path("nodeId").asText().equals(nodeId)) {
        return node;
      }
    }
    throw new AssertionError("node " + nodeId + " is not listed in " + version);
  }
}
